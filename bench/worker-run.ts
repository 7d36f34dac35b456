/**
 * The md5 worker measured alone on the bench page: the project's HashPool hashing the file's
 * 8 MiB parts (each digest compared with Node's), then the worker's two halves apart: plain
 * slice reads in a worker, and spark-md5 over a buffer already in memory.
 */
import type { Browser } from 'playwright';
import { OP_TIMEOUT_MS, PART_SIZE, READ_SIZE } from './config.js';
import type { BenchFile } from './files.js';
import { benchPage } from './modes.js';
import { check, withTimeout } from './processes.js';
import type { Server } from './servers.js';

export interface WorkerRun {
  readonly md5Ms: number;
  readonly readMs: number;
  readonly computeMs: number;
}

export async function workerRun(browser: Browser, server: Server, file: BenchFile): Promise<WorkerRun> {
  const { context, page, problems } = await benchPage(browser, server, file);
  try {
    const hashed = await withTimeout(
      page.evaluate((partSize) => window.assetUploaderBench.hashFile(partSize), PART_SIZE),
      OP_TIMEOUT_MS,
      'md5 worker',
    );
    check(hashed.bytes === file.size, `md5 worker hashed ${hashed.bytes} bytes`);
    check(JSON.stringify(hashed.partHex) === JSON.stringify(file.partMd5), 'md5 worker: part digests differ from the ones computed in Node');
    const read = await withTimeout(
      page.evaluate(([partSize, readSize]) => window.assetUploaderBench.workerJob({ kind: 'read', withFile: true, partSize, readSize, bytes: 0 }), [PART_SIZE, READ_SIZE] as const),
      OP_TIMEOUT_MS,
      'read worker',
    );
    check(read.bytes === file.size, `read worker read ${read.bytes} bytes`);
    const compute = await withTimeout(
      page.evaluate(([bytes, readSize]) => window.assetUploaderBench.workerJob({ kind: 'compute', withFile: false, partSize: 0, readSize, bytes }), [file.size, READ_SIZE] as const),
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
