/// <reference lib="dom" />
/**
 * The element's upload modes: the demo page (index.html, demo/demo.ts) with the element's
 * attributes set from the query, one fresh browser context and page per run, timed in the
 * page from the file input's `change` (seen by a capturing listener on the shadow root,
 * before the element's own handler runs) to `upload-success`, as the raw PUT is timed from
 * its `send()` and tus-js-client from its `start()`: the time Playwright takes to hand the
 * file to the page is nobody's upload. PUTs are seen through resource
 * timing and the page probes (page-probes.ts). ElementSetup says how each mode is configured
 * and how its upload is verified.
 *
 * Before the file, the pointer goes over the element and rests there for POINTER_REST_MS, as
 * a person's does on the way to the picker or with a drag: the element starts the md5
 * workers its first file will need then (Uploader.warm), not after the file arrives.
 *
 * `chunk-size` is left unset (the demo page's own `chunk-size="8MiB"` is removed before the
 * file is given), so the element picks its default part size, as it does for its users; the
 * checks therefore expect no number of parts, but every byte sent exactly once.
 */
import type { Browser } from 'playwright';
import { opTimeout } from './config.js';
import { cpuMeter } from './cpu.js';
import type { BenchFile } from './files.js';
import { idleBetween, MODE_LABEL, type RunHooks, type UploadRun } from './modes.js';
import { PROBES_SCRIPT, type HashRecord, type LongTaskRecord, type Probes, type XhrRecord } from './page-probes.js';
import { freshPage } from './pages.js';
import { check, withTimeout } from './processes.js';
import { watchRequests } from './request-timing.js';
import type { Server } from './servers.js';
import type { SuccessAsset } from './verify.js';

/** How long the pointer rests on the element before the file is given: well under a person's click, pick and confirm. */
export const POINTER_REST_MS = 500;

interface ElementOutcome {
  readonly asset: SuccessAsset;
  readonly marks: { t0: number; change?: number; success: number };
  readonly snapshot: { status: string; bytesUploaded: number; size: number };
  readonly attributes: {
    protocol: string | null;
    endpoint: string | null;
    noChecksum: boolean;
    noResume: boolean;
    chunkSize: string | null;
    parallelParts: string | null;
    token: string;
  };
  readonly puts: Array<{ startTime: number; responseEnd: number }>;
  /** Requests for a part's signature (signed-parts). */
  readonly signings: number;
  /** The part requests as the XHR probe saw them. */
  readonly xhrPuts: XhrRecord[];
  /** Long tasks that started after t0, `startTime` counted from t0. */
  readonly longTasks: LongTaskRecord[];
  /** What the md5 workers reported with each digest after t0. */
  readonly hashes: HashRecord[];
}

interface PageState {
  marks: { t0: number; change?: number; success: number };
  done: Promise<SuccessAsset>;
}

export type ElementMode = 'off' | 'on' | 'sp-embedded' | 'sp-s3' | 'tus-el';

/** How one element mode is run and checked. */
export interface ElementSetup {
  readonly mode: ElementMode;
  /** Serves the demo page and the endpoint. */
  readonly server: Server;
  readonly protocol: 'content-range' | 'signed-parts' | 'tus';
  readonly endpoint: string;
  /** MD5 left on (no `no-checksum` attribute). */
  readonly checksum: boolean;
  /** Whether md5 workers must run; `checksum` unless the server takes no checksum (plain tus). */
  readonly hashes?: boolean;
  /** `parallel-parts`, set only where the protocol sends parts in parallel. */
  readonly parallelParts?: number;
  /** Set as the element's `token` property. */
  readonly token?: string;
  /** What the URL of every part's PUT contains, `{id}` standing for the upload id (resource timing). */
  readonly putUrl: string;
  /** The same for the request that signs a part (one per part), where there is one. */
  readonly signUrl?: string;
  verify(asset: SuccessAsset, what: string): Promise<void>;
}

export async function elementRun(browser: Browser, file: BenchFile, setup: ElementSetup, hooks: RunHooks = {}): Promise<UploadRun> {
  const { mode, server, checksum } = setup;
  const what = MODE_LABEL[mode];
  const { context, page, problems } = await freshPage(browser);
  let md5Workers = 0;
  page.on('worker', (worker) => {
    if (/md5\.worker/.test(worker.url())) md5Workers++;
  });
  try {
    await page.addInitScript({ content: PROBES_SCRIPT });
    // Pinned, whatever the demo page's defaults become; chunk-size is left to the element (removed below).
    const params = new URLSearchParams({ protocol: setup.protocol, endpoint: setup.endpoint, 'no-resume': '' });
    if (!checksum) params.set('no-checksum', '');
    if (setup.parallelParts !== undefined) params.set('parallel-parts', String(setup.parallelParts));
    await page.goto(`${server.origin}/?${params}`);
    await page.waitForFunction(
      () => customElements.get('asset-uploader') !== undefined && !!document.querySelector('asset-uploader')?.shadowRoot?.querySelector('input[type=file]'),
    );
    // The listeners (and the token) go in before the file does.
    await page.evaluate((token) => {
      const element = document.querySelector('asset-uploader')!;
      if (token !== undefined) (element as unknown as { token: string }).token = token;
      // The demo page's markup sets 8 MiB; without the attribute the element uses its default part size.
      element.removeAttribute('chunk-size');
      performance.clearResourceTimings();
      performance.setResourceTimingBufferSize(100_000);
      const marks: PageState['marks'] = { t0: 0, success: 0 };
      // Capture on the shadow root: this runs before the input's own listeners (the element's).
      element.shadowRoot!.addEventListener('change', () => (marks.change ??= performance.now()), { capture: true });
      const done = new Promise<SuccessAsset>((resolve, reject) => {
        element.addEventListener('upload-success', (event) => {
          marks.success = performance.now();
          resolve((event as CustomEvent<{ asset: SuccessAsset }>).detail.asset);
        });
        element.addEventListener('upload-error', (event) => reject(new Error(`upload-error: ${JSON.stringify((event as CustomEvent).detail?.error)}`)));
      });
      done.catch(() => undefined);
      (window as unknown as { benchState: PageState }).benchState = { marks, done };
    }, setup.token);
    await page.locator('asset-uploader').hover();
    await page.waitForTimeout(POINTER_REST_MS);
    await hooks.prepare?.(page);
    const requests = await watchRequests(context, page);
    const cpu = cpuMeter();
    const stopHook = hooks.start?.();
    await page.evaluate(() => {
      (window as unknown as { benchState: PageState }).benchState.marks.t0 = performance.now();
    });
    await page.locator('asset-uploader input[type=file]').setInputFiles(file.path);
    const outcome: ElementOutcome = await withTimeout(
      page.evaluate(
        async ([putUrl, signUrl]) => {
          const state = (window as unknown as { benchState: PageState }).benchState;
          const asset = await state.done;
          const element = document.querySelector('asset-uploader')!;
          const upload = (element as unknown as { uploads: Array<{ status: string; bytesUploaded: number; size: number }> }).uploads[0]!;
          const entries = performance.getEntriesByType('resource').filter((e): e is PerformanceResourceTiming => e instanceof PerformanceResourceTiming);
          // No named function in here: tsx would wrap it in a helper the page does not have.
          const [puts, signings] = [putUrl, signUrl].map((template) =>
            template === null ? [] : entries.filter((e) => e.name.includes(template.replace('{id}', asset.id))),
          );
          const probes = (window as unknown as { benchProbes: Probes }).benchProbes;
          const t0 = state.marks.t0;
          // The last part's \`loadend\` comes after the \`load\` that finished the upload: wait for it (bounded).
          for (let waited = 0; waited < 2000 && probes.xhr.some((r) => r.endAt === undefined); waited += 10)
            await new Promise((resolve) => setTimeout(resolve, 10));
          return {
            asset: { id: asset.id, size: asset.size, md5: asset.md5, raw: asset.raw },
            marks: state.marks,
            snapshot: { status: upload.status, bytesUploaded: upload.bytesUploaded, size: upload.size },
            attributes: {
              protocol: element.getAttribute('protocol'),
              endpoint: element.getAttribute('endpoint'),
              noChecksum: element.hasAttribute('no-checksum'),
              noResume: element.hasAttribute('no-resume'),
              chunkSize: element.getAttribute('chunk-size'),
              parallelParts: element.getAttribute('parallel-parts'),
              token: (element as unknown as { token: string }).token,
            },
            puts: puts!.map((e) => ({ startTime: e.startTime, responseEnd: e.responseEnd })),
            signings: signings!.length,
            xhrPuts: probes.xhr.filter((r) => r.url.includes(putUrl.replace('{id}', asset.id))),
            longTasks: probes.longTasks
              .filter((t) => t.startTime >= t0)
              .map((t) => {
                const frame = probes.frames.find((f) => f.startTime <= t.startTime + 1 && f.end >= t.startTime + t.duration - 1);
                return {
                  startTime: t.startTime - t0,
                  duration: t.duration,
                  cause: frame ? `${frame.scripts || 'no script'}${frame.render ? `; render ${frame.render} ms` : ''}` : 'no long animation frame',
                };
              }),
            hashes: probes.hashes.filter((h) => h.at >= t0),
          };
        },
        [setup.putUrl, setup.signUrl ?? null] as const,
      ),
      opTimeout(file.size),
      what,
    );
    const cpuUse = cpu();
    stopHook?.();
    const partTemplate = setup.putUrl.replace('{id}', outcome.asset.id);
    const partTimings = (await requests.stop()).filter((r) => r.method !== 'OPTIONS' && r.url.includes(partTemplate));
    check(problems.length === 0, `${what}: the page reported ${problems.join('; ')}`);
    const a = outcome.attributes;
    check(
      a.protocol === setup.protocol &&
        a.endpoint === setup.endpoint &&
        a.noChecksum === !checksum &&
        a.noResume &&
        a.chunkSize === null &&
        a.parallelParts === (setup.parallelParts === undefined ? null : String(setup.parallelParts)) &&
        (setup.token === undefined || a.token === setup.token),
      `${what}: unexpected attributes ${JSON.stringify({ ...a, token: a.token === '' ? '' : '(set)' })}`,
    );
    check(
      outcome.snapshot.status === 'success' && outcome.snapshot.bytesUploaded === file.size && outcome.snapshot.size === file.size,
      `${what}: element.uploads[0] is ${JSON.stringify(outcome.snapshot)}`,
    );
    // Every byte sent once, in as many parts as the element chose: no retry, no part sent twice.
    const { xhrPuts } = outcome;
    const sent = xhrPuts.reduce((total, r) => total + r.bytes, 0);
    check(sent === file.size, `${what}: the part requests carried ${sent} bytes in all, the file has ${file.size} (a retry?)`);
    check(
      xhrPuts.every((r) => r.status !== undefined && r.status >= 200 && r.status < 300),
      `${what}: a part request answered ${JSON.stringify(xhrPuts.map((r) => r.status))}`,
    );
    check(outcome.puts.length === xhrPuts.length, `${what}: ${outcome.puts.length} PUTs in resource timing, ${xhrPuts.length} sent (a gap in resource timing)`);
    check(partTimings.length === xhrPuts.length, `${what}: ${partTimings.length} part requests in the network timing, ${xhrPuts.length} sent`);
    if (setup.signUrl !== undefined) check(outcome.signings === xhrPuts.length, `${what}: ${outcome.signings} parts signed, ${xhrPuts.length} sent (a retry?)`);
    check((setup.hashes ?? checksum) ? md5Workers > 0 : md5Workers === 0, `${what}: ${md5Workers} md5 workers started`);
    await setup.verify(outcome.asset, what);
    await hooks.after?.(page);

    const { marks } = outcome;
    check(marks.change !== undefined && marks.change >= marks.t0, `${what}: the file input reported no change event`);
    const puts = [...outcome.puts].sort((a, b) => a.startTime - b.startTime);
    const lastEnd = Math.max(...puts.map((p) => p.responseEnd));
    return {
      mode,
      ms: marks.success - marks.change!,
      putMs: puts.map((p) => p.responseEnd - p.startTime),
      beforeFirstPutMs: puts[0]!.startTime - marks.change!,
      betweenPutsMs: idleBetween(puts),
      putSpanMs: lastEnd - puts[0]!.startTime,
      afterLastPutMs: marks.success - lastEnd,
      cpu: cpuUse,
      partBytes: xhrPuts.map((r) => r.bytes),
      requests: partTimings,
      longTasks: outcome.longTasks,
      hashes: outcome.hashes,
    };
  } finally {
    await context.close();
  }
}
