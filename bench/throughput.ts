/**
 * The throughput part (`BENCH_ONLY=throughput`): RUNS rounds of every mode in BENCH_MODES on
 * the same file, in an order that rotates from round to round, then the md5 worker alone;
 * each upload verified before it counts. Returns its RESULTS.md section (throughput-report.ts).
 */
import os from 'node:os';
import { FILE_SIZE, MODES, RUNS, SIZE_MIB, WITH_S3 } from './config.js';
import { breakdownLine, breakdownOf } from './breakdown.js';
import type { Common } from './context.js';
import { CPU_GROUPS } from './cpu.js';
import { MODE_LABEL, PARALLEL, type UploadRun } from './modes.js';
import { log, notStopping } from './processes.js';
import { modeRunner } from './run-mode.js';
import { f1, f2, mbps, median, sum } from './stats.js';
import { throughputReport } from './throughput-report.js';
import { workerRun, type WorkerRun } from './worker-run.js';

export async function throughput(common: Common): Promise<string> {
  const began = performance.now();
  const loadBefore = os.loadavg();
  const { server, browser, source } = common;
  const file = await common.file(FILE_SIZE);

  notStopping();
  const s3 = WITH_S3 ? await common.objectStore() : undefined;
  const { ceph, memstoreBytes } = common.objectStoreFacts();
  const browserVersion = browser.version();
  log(`bench throughput: ${RUNS} rounds of ${SIZE_MIB} MiB; modes ${MODES.join(', ')}`);

  const runMode = modeRunner(browser, server, file, s3);
  const modes = MODES;
  const uploads: Array<UploadRun & { round: number }> = [];
  const workers: WorkerRun[] = [];
  for (let round = 0; round < RUNS; round++) {
    const order = modes.map((_, i) => modes[(i + round) % modes.length]!);
    for (const mode of order) {
      const run = await runMode(mode);
      uploads.push({ ...run, round: round + 1 });
      const detail = PARALLEL.has(mode)
        ? ` (before 1st PUT ${f1(run.beforeFirstPutMs ?? 0)} ms, ${run.putMs.length} PUTs ${f1(sum(run.putMs))} ms over ${f1(run.putSpanMs ?? 0)} ms, none in flight ${f1(run.betweenPutsMs)} ms, after last PUT ${f1(run.afterLastPutMs ?? 0)} ms)`
        : run.putMs.length > 1
          ? ` (${run.beforeFirstPutMs === undefined ? '' : `before 1st PUT ${f1(run.beforeFirstPutMs)} ms, `}${run.putMs.length} PUTs ${f1(sum(run.putMs))} ms, last PUT ${f1(run.putMs.at(-1)!)} ms, between PUTs ${f1(run.betweenPutsMs)} ms)`
          : '';
      log(`  round ${round + 1} ${MODE_LABEL[mode].padEnd(38)} ${f1(mbps(file.size, run.ms)).padStart(7)} MB/s  ${f1(run.ms).padStart(7)} ms${detail}`);
      const parts = breakdownOf(run);
      if (parts) log(`${' '.repeat(12)}${breakdownLine(parts)}`);
      if (run.cpu)
        log(`${' '.repeat(12)}CPU ${Math.round(run.cpu.busy * 100)}% busy; CPU s: ${CPU_GROUPS.map((g) => `${g} ${f2(run.cpu!.seconds[g])}`).join(', ')}`);
    }
    const w = await workerRun(browser, server, file);
    workers.push(w);
    log(
      `  round ${round + 1} ${'md5 worker alone'.padEnd(38)} ${f1(mbps(file.size, w.md5Ms)).padStart(7)} MB/s  (slice reads alone ${f1(mbps(file.size, w.readMs))}, spark-md5 on memory ${f1(mbps(file.size, w.computeMs))})`,
    );
  }
  const loadAfter = os.loadavg();
  for (const mode of modes) common.rates.set(`throughput:${mode}`, median(uploads.filter((u) => u.mode === mode).map((u) => mbps(file.size, u.ms))));
  common.rates.set('throughput:worker', median(workers.map((w) => mbps(file.size, w.md5Ms))));

  // As before there were sections: the build counts, the view part (when run too) does not.
  const elapsed = common.buildSeconds + (performance.now() - began) / 1000;
  return throughputReport({ file, modes, uploads, workers, s3: s3 !== undefined, ceph, memstoreBytes, browserVersion, source, loadBefore, loadAfter, elapsed });
}
