/**
 * The md5 worker measured alone on the bench page: the project's HashPool with 1..N workers
 * hashing the file's 8 MiB parts (each digest compared with Node's; poolRun, pool.ts), and for
 * one worker its two halves apart: plain slice reads in a worker, and spark-md5 over a buffer
 * already in memory (workerRun, in every throughput round).
 */
import type { Browser, Page } from 'playwright';
import { opTimeout, OP_TIMEOUT_MS, PART_SIZE, READ_SIZE } from './config.js';
import type { BenchFile } from './files.js';
import { benchPage } from './modes.js';
import { check, withTimeout } from './processes.js';
import type { Server } from './servers.js';

export interface WorkerRun {
  readonly md5Ms: number;
  readonly readMs: number;
  readonly computeMs: number;
}

export interface PoolRun {
  readonly workers: number;
  readonly ms: number;
  /** Sums over the parts of the workers' own reading and hashing times. */
  readonly readMs: number;
  readonly hashMs: number;
}

/** The file hashed by a HashPool of `workers` on an open bench page, every part's digest checked against Node's. */
export async function poolRun(page: Page, file: BenchFile, workers: number): Promise<PoolRun> {
  const what = `md5 pool of ${workers} worker(s)`;
  const hashed = await withTimeout(
    page.evaluate(([partSize, n]) => window.assetUploaderBench.hashFile(partSize, n), [PART_SIZE, workers] as const),
    opTimeout(file.size),
    what,
  );
  check(hashed.bytes === file.size && hashed.workers === workers, `${what} hashed ${hashed.bytes} bytes`);
  check(JSON.stringify(hashed.partHex) === JSON.stringify(file.partMd5), `${what}: part digests differ from the ones computed in Node`);
  return { workers, ms: hashed.ms, readMs: hashed.readMs, hashMs: hashed.hashMs };
}

export async function workerRun(browser: Browser, server: Server, file: BenchFile): Promise<WorkerRun> {
  const { context, page, problems } = await benchPage(browser, server, file);
  try {
    const hashed = await poolRun(page, file, 1);
    const read = await withTimeout(
      page.evaluate(([partSize, readSize]) => window.assetUploaderBench.workerJob({ kind: 'read', withFile: true, partSize, readSize, bytes: 0 }), [
        PART_SIZE,
        READ_SIZE,
      ] as const),
      OP_TIMEOUT_MS,
      'read worker',
    );
    check(read.bytes === file.size, `read worker read ${read.bytes} bytes`);
    const compute = await withTimeout(
      page.evaluate(([bytes, readSize]) => window.assetUploaderBench.workerJob({ kind: 'compute', withFile: false, partSize: 0, readSize, bytes }), [
        file.size,
        READ_SIZE,
      ] as const),
      OP_TIMEOUT_MS,
      'md5 compute',
    );
    check(compute.bytes === file.size && /^[0-9a-f]{32}$/.test(compute.check), 'md5 compute did not hash everything');
    check(problems.length === 0, `bench page reported: ${problems.join('; ')}`);
    return { md5Ms: hashed.ms, readMs: read.ms, computeMs: compute.ms };
  } finally {
    await context.close();
  }
}
