/**
 * The upload modes without the element: the raw baselines (one XHR PUT of the whole file, or
 * 8 MiB Content-Range parts) and tus-js-client, all on the bench page (bench/bench.ts), and
 * what every mode's run reports (UploadRun). The element's modes are in element-mode.ts.
 */
import type { Browser, BrowserContext, Page } from 'playwright';
import type { RawPutResult, TusJsResult } from './bench.js';
import { ENDPOINT, opTimeout, PART_SIZE, TUS_ENDPOINT, type UploadMode } from './config.js';
import { cpuMeter, type CpuUse } from './cpu.js';
import type { BenchFile } from './files.js';
import type { HashRecord, LongTaskRecord } from './page-probes.js';
import { freshPage } from './pages.js';
import type { RequestTiming } from './request-timing.js';
import { check, withTimeout } from './processes.js';
import type { Server } from './servers.js';
import { verifyAndDelete, verifyAndDeleteTus } from './verify.js';

export const MODE_LABEL: Record<UploadMode, string> = {
  raw: 'raw XHR PUT, whole file',
  'raw-progress': 'raw XHR PUT, whole file, progress listener',
  parts: 'raw XHR PUTs, 8 MiB parts, no element',
  off: 'element, MD5 off (no-checksum)',
  on: 'element, MD5 on',
  'sp-embedded': 'element, signed-parts, embedded store',
  'sp-s3': 'element, signed-parts, S3 (Ceph RGW)',
  'tus-js-8m': 'tus-js-client, 8 MiB chunks, /tus/files',
  'tus-js': 'tus-js-client, default chunk (one PATCH)',
  'tus-el': 'element, tus, /tus/files (no MD5)',
};

/** The modes whose PUTs overlap (`parallel-parts`). */
export const PARALLEL: ReadonlySet<UploadMode> = new Set<UploadMode>(['sp-embedded', 'sp-s3']);

export interface UploadRun {
  readonly mode: UploadMode;
  /** The measured time (see the RESULTS text for where each mode starts and stops). */
  readonly ms: number;
  /** The creating POST; outside `ms` for the raw modes, inside it for the element. */
  readonly createMs?: number;
  /** Each PUT's duration in order (resource timing for the element, send -> load for raw). */
  readonly putMs: number[];
  /** Element only: the input's change event -> the first PUT starts (the element's setup, the creating request, the first MD5 when on). */
  readonly beforeFirstPutMs?: number;
  /** Time with no PUT in flight between the first PUT's start and the last one's end (for PUTs one at a time: the sum of the gaps between them). */
  readonly betweenPutsMs: number;
  /** Element only: the first PUT's start -> the last PUT's end. */
  readonly putSpanMs?: number;
  /** Element only: last PUT's end -> the upload-success handler. */
  readonly afterLastPutMs?: number;
  /** Where the machine's CPU time went during the run (Linux only). */
  readonly cpu: CpuUse | undefined;
  /** Element only: each part request's body size, in the order sent. */
  readonly partBytes?: number[];
  /** Element only: the page's long tasks during the upload, `startTime` from just before the file was given. */
  readonly longTasks?: LongTaskRecord[];
  /** Element only: what the md5 workers reported with each digest. */
  readonly hashes?: HashRecord[];
  /** Element only: each part request's send and wait times (the network stack's load timing). */
  readonly requests?: RequestTiming[];
}

/** What a part of the bench adds to a run. */
export interface RunHooks {
  /** The page is loaded and nothing is timed yet (latency.ts: network emulation). */
  readonly prepare?: (page: Page) => Promise<void>;
  /** The upload starts now; the function returned is called once it is over (memory.ts: sampling). */
  readonly start?: () => () => void;
  /** Element only: the upload is over and verified, the page still open (memory.ts: a forced GC). */
  readonly after?: (page: Page) => Promise<void>;
}

export async function benchPage(browser: Browser, server: Server, file: BenchFile): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const opened = await freshPage(browser);
  await opened.page.goto(`${server.origin}/bench/`);
  await opened.page.waitForFunction(() => 'assetUploaderBench' in window);
  await opened.page.locator('#file').setInputFiles(file.path);
  return opened;
}

export async function rawRun(
  browser: Browser,
  server: Server,
  file: BenchFile,
  mode: 'raw' | 'raw-progress' | 'parts',
  hooks: RunHooks = {},
): Promise<UploadRun> {
  const { context, page, problems } = await benchPage(browser, server, file);
  try {
    await hooks.prepare?.(page);
    const stop = hooks.start?.();
    const cpu = cpuMeter();
    let run: UploadRun;
    let asset: RawPutResult['asset'];
    if (mode === 'raw' || mode === 'raw-progress') {
      const progress = mode === 'raw-progress';
      const result: RawPutResult = await withTimeout(
        page.evaluate(([endpoint, listen]) => window.assetUploaderBench.rawPut(endpoint, listen), [ENDPOINT, progress] as const),
        opTimeout(file.size),
        MODE_LABEL[mode],
      );
      stop?.();
      check(progress ? result.progressEvents > 0 : result.progressEvents === 0, `${MODE_LABEL[mode]}: ${result.progressEvents} upload progress events`);
      run = { mode, ms: result.sendToLoadMs, createMs: result.createMs, putMs: [result.sendToLoadMs], betweenPutsMs: 0, cpu: cpu() };
      asset = result.asset;
    } else {
      const result = await withTimeout(
        page.evaluate(([endpoint, partSize]) => window.assetUploaderBench.rawParts(endpoint, partSize), [ENDPOINT, PART_SIZE] as const),
        opTimeout(file.size),
        'raw PUTs in parts',
      );
      stop?.();
      check(result.putMs.length === Math.ceil(file.size / PART_SIZE), `raw parts: ${result.putMs.length} PUTs`);
      const inPuts = result.putMs.reduce((a, b) => a + b, 0);
      run = { mode, ms: result.ms, createMs: result.createMs, putMs: result.putMs, betweenPutsMs: result.ms - inPuts, cpu: cpu() };
      asset = result.asset;
    }
    check(problems.length === 0, `${MODE_LABEL[mode]}: the page reported ${problems.join('; ')}`);
    await verifyAndDelete(server, file, asset.id ?? '', asset, MODE_LABEL[mode]);
    return run;
  } finally {
    await context.close();
  }
}

/** tus-js-client on the bench page; `chunkSize` null is its default (Infinity: the whole file in one PATCH). */
export async function tusJsRun(
  browser: Browser,
  server: Server,
  file: BenchFile,
  mode: 'tus-js-8m' | 'tus-js',
  chunkSize: number | null,
  hooks: RunHooks = {},
): Promise<UploadRun> {
  const { context, page, problems } = await benchPage(browser, server, file);
  try {
    await hooks.prepare?.(page);
    const stop = hooks.start?.();
    const cpu = cpuMeter();
    const result: TusJsResult = await withTimeout(
      page.evaluate(([endpoint, size]) => window.assetUploaderBench.tusJs(endpoint, size), [TUS_ENDPOINT, chunkSize] as const),
      opTimeout(file.size),
      MODE_LABEL[mode],
    );
    const cpuUse = cpu();
    stop?.();
    check(problems.length === 0, `${MODE_LABEL[mode]}: the page reported ${problems.join('; ')}`);
    const expected = chunkSize === null ? 1 : Math.ceil(file.size / chunkSize);
    check(
      result.putMs.length === expected && result.putStartMs.length === expected,
      `${MODE_LABEL[mode]}: ${result.putMs.length} PATCHes, ${expected} expected (a retry?)`,
    );
    check(result.createMs >= 0, `${MODE_LABEL[mode]}: no creating POST seen`);
    await verifyAndDeleteTus(server, file, result.url, MODE_LABEL[mode]);
    const puts = result.putStartMs.map((startTime, i) => ({ startTime, responseEnd: startTime + result.putMs[i]! }));
    const lastEnd = Math.max(...puts.map((p) => p.responseEnd));
    return {
      mode,
      ms: result.ms,
      createMs: result.createMs,
      putMs: result.putMs,
      beforeFirstPutMs: puts[0]!.startTime,
      betweenPutsMs: idleBetween(puts),
      putSpanMs: lastEnd - puts[0]!.startTime,
      afterLastPutMs: result.ms - lastEnd,
      cpu: cpuUse,
    };
  } finally {
    await context.close();
  }
}

/** Time with no PUT in flight between the first start and the last end; `puts` sorted by start. */
export function idleBetween(puts: Array<{ startTime: number; responseEnd: number }>): number {
  let idle = 0;
  let end = puts[0]!.responseEnd;
  for (const put of puts.slice(1)) {
    if (put.startTime > end) idle += put.startTime - end;
    end = Math.max(end, put.responseEnd);
  }
  return idle;
}
