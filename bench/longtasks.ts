/**
 * The long-task part (`BENCH_ONLY=longtasks`): the element on content-range with MD5 uploading
 * a BENCH_LONGTASKS_MIB file (default 512 MiB), BENCH_LONGTASKS_RUNS times (default 3), while a
 * PerformanceObserver for `longtask` (installed before the page's scripts, page-probes.ts) records
 * every task of 50 ms or more on the page's main thread from just before the file is given to
 * `upload-success`. Each upload is verified like the throughput section's. The issue's bar: no
 * long task (≥ 50 ms) during a 512 MiB upload with MD5.
 */
import { LONGTASKS_RUNS, LONGTASKS_SIZE, MiB } from './config.js';
import type { Common } from './context.js';
import { benchPage, type UploadRun } from './modes.js';
import { check, log, withTimeout } from './processes.js';
import { machine } from './report.js';
import { sectionTitle } from './results.js';
import { modeRunner } from './run-mode.js';
import { f1, mbps, median } from './stats.js';
import { LONG_MS, taskTracing } from './task-trace.js';

export async function longTasksBench(common: Common): Promise<string> {
  const began = performance.now();
  const { browser, server, source } = common;
  const file = await common.file(LONGTASKS_SIZE);

  // An empty list means nothing only where the browser reports long tasks at all.
  const probe = await benchPage(browser, server, file);
  const supported = await withTimeout(
    probe.page.evaluate(() => PerformanceObserver.supportedEntryTypes.includes('longtask')),
    30_000,
    'longtask support',
  ).finally(() => probe.context.close());
  check(supported, 'this Chromium does not report longtask entries');

  const runMode = modeRunner(browser, server, file, undefined);
  log(`bench longtasks: ${LONGTASKS_RUNS} uploads of ${file.size / MiB} MiB, element on content-range with MD5`);
  const runs: Array<UploadRun & { round: number }> = [];
  for (let round = 0; round < LONGTASKS_RUNS; round++) {
    const run = await runMode('on');
    runs.push({ ...run, round: round + 1 });
    const tasks = (run.longTasks ?? []).filter((t) => t.duration >= LONG_MS);
    log(
      `  round ${round + 1} ${f1(mbps(file.size, run.ms)).padStart(7)} MB/s  ${tasks.length} long task(s)${tasks.length ? `, longest ${f1(Math.max(...tasks.map((t) => t.duration)))} ms` : ''}`,
    );
  }

  // One more upload, traced, not counted above (tracing slows the page): what each long task ran, and for how much CPU.
  const tracing = taskTracing(browser);
  const tracedRun = await runMode('on', tracing.hooks);
  const traced = tracing.result();
  const tracedCpu = traced.long.reduce((a, t) => a + t.cpuMs, 0);
  const tracedWall = traced.long.reduce((a, t) => a + t.wallMs, 0);
  log(
    `  traced   ${f1(mbps(file.size, tracedRun.ms)).padStart(7)} MB/s  ${traced.long.length} long task(s): ${f1(tracedWall)} ms wall, ${f1(tracedCpu)} ms on the CPU`,
  );

  const longOf = (run: UploadRun) => (run.longTasks ?? []).filter((t) => t.duration >= LONG_MS);
  const longest = (run: UploadRun): number => Math.max(0, ...longOf(run).map((t) => t.duration));
  const total = runs.reduce((n, run) => n + longOf(run).length, 0);
  const worst = Math.max(0, ...runs.map(longest));
  const summary = `${total} long task(s) (≥ ${LONG_MS} ms) in ${runs.length} upload(s) of ${file.size / MiB} MiB; the longest ${total ? `${f1(worst)} ms` : '–'}; median per upload ${median(runs.map((r) => longOf(r).length))}.`;
  log(`bench longtasks: ${summary}`);
  const perRun = runs.map((r) => {
    const tasks = longOf(r);
    const listed = tasks
      .slice(0, 10)
      .map((t) => `${f1(t.duration)} ms at ${f1(t.startTime / 1000)} s${t.cause ? ` (${t.cause.replace(/\|/g, '/')})` : ''}`)
      .join(', ');
    return `| ${r.round} | ${f1(mbps(file.size, r.ms))} | ${f1(r.ms)} | ${tasks.length} | ${tasks.length ? f1(longest(r)) : '–'} | ${tasks.length ? f1(tasks.reduce((a, t) => a + t.duration, 0)) : '–'} | ${listed}${tasks.length > 10 ? ', …' : ''} |`;
  });
  const m = machine();
  const elapsed = (performance.now() - began) / 1000;

  return `## ${sectionTitle('longtasks')}

Written by \`npm run bench\` (bench/longtasks.ts; \`BENCH_ONLY=longtasks\` runs only this section) on ${new Date().toISOString()}.

### Setup

- ${m.cpu}, ${m.cores} logical cores; Chromium ${browser.version()} (headless); pages built from ${source}.
- The element on the demo page as in the throughput section's "MD5 on" mode (content-range, \`chunk-size\` unset,
  \`no-resume\`), uploading one file of ${file.size / MiB} MiB (${file.size} bytes) of random bytes from disk; ${LONGTASKS_RUNS} upload(s), each
  verified on the server (complete record, size, the server's MD5 equal to Node's) before it counts.
- A \`PerformanceObserver\` for \`longtask\` (\`buffered: true\`) is installed before the page's own scripts (bench/page-probes.ts);
  the tasks counted are those that started after the moment just before \`setInputFiles\`, up to \`upload-success\`.
  Chromium reports every main-thread task of ${LONG_MS} ms or more; the md5 workers' tasks are not the page's and are not counted.

### Results

The issue's bar: no long task (≥ ${LONG_MS} ms) during a 512 MiB upload with MD5 (printed, not asserted).

${summary}

| upload | MB/s | ms | long tasks | longest (ms) | all long tasks (ms) | the first ones (duration, when: s after the file was given) |
| ---: | ---: | ---: | ---: | ---: | ---: | --- |
${perRun.join('\n')}

#### What the long tasks ran, and for how long they had a core

One more upload of the same file, not counted above, with Chromium's tracing on (categories \`toplevel\`,
\`devtools.timeline\`, \`v8\`; bench/task-trace.ts): for every main-thread task from the change event to
\`upload-success\`, its wall time and the CPU time the page's main thread really ran in it (the trace's thread time).
Tracing makes the page slower, so this upload shows where time goes, not how many long tasks an untraced one has.

In the traced upload (${f1(mbps(file.size, tracedRun.ms))} MB/s, ${f1(traced.spanMs / 1000)} s) the main thread ran ${traced.tasks} tasks: ${f1(traced.wallMs)} ms of wall time,
${f1(traced.cpuMs)} ms of it on the CPU (${f1((100 * traced.cpuMs) / Math.max(1, traced.wallMs))} %). ${traced.long.length} of them took ${LONG_MS} ms or more: ${f1(tracedWall)} ms of wall time, ${f1(tracedCpu)} ms on the CPU.
${
  traced.long.length
    ? `
| task | ms after the change event | wall (ms) | CPU (ms) | waiting for a core or a lock (ms) |
| --- | ---: | ---: | ---: | ---: |
${traced.long.map((t) => `| ${t.what} | ${f1(t.atMs)} | ${f1(t.wallMs)} | ${f1(t.cpuMs)} | ${f1(t.wallMs - t.cpuMs)} |`).join('\n')}
`
    : ''
}
A long task whose CPU time is a small part of its wall time did little work and waited: the thread was ready to
run while the ${m.cores} cores ran the reference server, the md5 workers and the browser's network and blob-reading
processes (the throughput section's CPU table). Such a task is long because this machine's cores are all busy
during the upload, not because of the work in it.

### Caveats

- Headless Chromium with the GPU off: rendering work (the progress bar, the list) is cheaper than on a desktop with a
  display, so a desktop may show more. Anything else running on this machine can lengthen a task.
- Total time of this section: ${f1(elapsed)} s.
`;
}
