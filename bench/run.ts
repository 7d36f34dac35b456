/// <reference lib="dom" />
/**
 * `npm run bench` has two parts, each writing its own section of bench/RESULTS.md:
 *   throughput  upload throughput of <asset-uploader> against a plain XHR PUT (bench/throughput.ts, below)
 *   view        adding 1,000 and 10,000 files to the element, by a drop and by addFiles: time until the list is rendered,
 *               long tasks, rows and elements in its shadow DOM (bench/view.ts, bench/view-page.ts)
 * `BENCH_ONLY=view` or `BENCH_ONLY=throughput` runs one of them; unset, both run, in one
 * process: the pages are built once (vite, bench/vite.config.ts), one reference server serves
 * them and one Chromium runs them, view first (it needs neither the big file nor Ceph), then
 * throughput. Each part's section is written as soon as that part is done, replacing only that
 * section (between `<!-- bench:<name>:begin -->` and `<!-- bench:<name>:end -->`, bench/results.ts);
 * the other section stays as it was.
 *
 * Throughput: upload throughput of <asset-uploader> against a plain XHR PUT of the
 * same file, in Chromium, on loopback, against the reference server (demo/server).
 *
 * Per round, in an order that rotates from round to round:
 *   raw          one XHR PUT of the whole file without Content-Range (bench page)
 *   parts        XHR PUTs of 8 MiB parts with Content-Range, no element (bench page)
 *   off          the element, `no-checksum`, its default part size (demo page; every element mode
 *                leaves `chunk-size` unset, as users do)
 *   on           the element with MD5 (demo page)
 *   sp-embedded  the element with `protocol="signed-parts"` (S3-style numbered parts, each
 *                PUT to a signed URL, `parallel-parts` 3 at a time, MD5 on),
 *                the reference server being the object store too (demo page)
 *   sp-s3        the same element settings against a second reference server in S3 mode,
 *                the parts going from the browser straight to a Ceph RADOS Gateway
 *                (test/support/radosgw.mjs: one mon, one memstore OSD, on this machine)
 *   tus-js-8m    tus-js-client (bench page) against the reference server's `@tus/server`
 *                route `/tus/files`, `chunkSize` 8 MiB
 *   tus-js       the same with tus-js-client's default chunk size (Infinity: one PATCH)
 *   tus-el       the element with `protocol="tus"`, `endpoint="/tus/files"`; that
 *                route announces no checksum extension, so the element sends (and computes) no MD5
 * then, on the bench page, the md5 worker alone (the project's HashPool, one worker,
 * 8 MiB parts in sequence), plain slice reads in a worker, and spark-md5 over memory.
 *
 * Every upload is checked where it was stored (content-range: record complete, stored size,
 * MD5 against the one computed in Node; signed-parts: the object's parts on disk, or the
 * object read back from RGW, hashed and compared with Node's MD5; tus: the file store's
 * `DATA_DIR/tus/<id>` and its `.json`, hashed and compared with Node's MD5) and then deleted, so disk
 * use stays at about one file. RGW's memstore keeps its data in RAM and frees deleted
 * objects only after its garbage-collection wait (2 h), so it is sized for every sp-s3 run.
 *
 * Environment: BENCH_ONLY (`throughput`, `view`, `sizes`, or a comma list; default all),
 * BENCH_SIZE_MIB (default 256), BENCH_RUNS (default 5) and BENCH_MODES (the upload modes above,
 * comma-separated, `raw` always among them as every ratio is to it; default all; without
 * `sp-s3` Ceph is not started) for throughput,
 * BENCH_VIEW_SIZES (comma-separated numbers of files, default 1000,10000), BENCH_VIEW_WAYS
 * (`drop`, `addFiles`, or both comma-separated, in the order of the tables' columns; default
 * `drop,addFiles`) and BENCH_VIEW_RUNS (default 5) for view, CHROMIUM_PATH (default /usr/bin/chromium). The throughput part needs
 * Ceph (ceph-mon, ceph-osd, radosgw) for sp-s3. Writes bench/RESULTS.md (commit it only from a
 * run of the default configuration).
 * A quick check of some modes: `BENCH_ONLY=throughput BENCH_SIZE_MIB=32 BENCH_RUNS=1 BENCH_MODES=raw,tus-js-8m,tus-js,tus-el npm run bench`.
 */

/*
 * This file only orchestrates. The parts: config.ts (constants, environment), processes.ts
 * (bounded children, cleanup), servers.ts (the reference servers, Ceph RGW, Chromium),
 * files.ts (the files uploaded), modes.ts / element-mode.ts / run-mode.ts (one upload per mode),
 * worker-run.ts (the md5 worker alone), verify.ts (what the servers stored, checked), cpu.ts
 * (CPU accounting), report.ts / throughput-report.ts / results.ts (tables, RESULTS.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { ONLY, RESULTS, ROOT, S3_BYTES, VIEW_RUNS, VIEW_SIZES, VIEW_WAYS_RUN } from './config.js';
import type { Common } from './context.js';
import { cpuMeter } from './cpu.js';
import { check, cleanup, log, onCleanup, removeOnExit, runBounded, withTimeout } from './processes.js';
import { machine, sourceState } from './report.js';
import { sectionTitle, writeSections } from './results.js';
import { launch, startServer } from './servers.js';
import { sizesBench } from './sizes.js';
import { f1 } from './stats.js';
import { throughput } from './throughput.js';
import { viewBench } from './view.js';

async function main(): Promise<void> {
  const began = performance.now();
  if (ONLY.has('throughput')) {
    check(
      S3_BYTES * 1.5 < os.freemem() * 0.6,
      `the sp-s3 runs would keep about ${f1((S3_BYTES * 1.5) / 1024 ** 3)} GiB in RGW's memstore (RAM), more than 60% of the ${f1(os.freemem() / 1024 ** 3)} GiB available; lower BENCH_SIZE_MIB or BENCH_RUNS`,
    );
  }
  // The AWS SDK (here and in the S3-mode server) would warn about Node 20 on every start.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
  const work = await mkdtemp(join(os.tmpdir(), 'asset-uploader-bench-'));
  removeOnExit(work);
  onCleanup(() => rm(work, { recursive: true, force: true }));
  const publicDir = join(work, 'public');
  const dataDir = join(work, 'data');

  log(`bench: ${ONLY.has('view') && ONLY.has('throughput') ? 'view, then throughput' : [...ONLY].join('')}; building the demo and bench pages (vite build --config bench/vite.config.ts) ...`);
  const source = sourceState();
  await runBounded(join(ROOT, 'node_modules/.bin/vite'), ['build', '--config', 'bench/vite.config.ts', '--outDir', publicDir, '--emptyOutDir'], 180_000);
  const buildSeconds = (performance.now() - began) / 1000;

  const server = await startServer(publicDir, dataDir);
  onCleanup(() => server.stop());
  log(`bench: reference server at ${server.origin}, DATA_DIR ${dataDir}`);
  const browser = await launch();
  onCleanup(() => browser.close());
  log(`bench: Chromium ${browser.version()}`);
  const common: Common = { work, publicDir, server, browser, source, buildSeconds };

  // Sizes need no server or browser; then the view part, which needs only those, before Ceph is started.
  if (ONLY.has('sizes')) {
    const section = await sizesBench({ root: ROOT, work, log, runBounded, title: sectionTitle('sizes'), source });
    await writeSections(RESULTS, { sizes: section });
    log(`bench: wrote the sizes section of ${RESULTS}`);
  }
  // The view part first: it needs only the server and the browser, and runs before Ceph is started.
  if (ONLY.has('view')) {
    const m = machine();
    const section = await viewBench({
      browser,
      origin: server.origin,
      sizes: VIEW_SIZES,
      ways: VIEW_WAYS_RUN,
      runs: VIEW_RUNS,
      log,
      withTimeout,
      cpuMeter,
      title: sectionTitle('view'),
      facts: { cpu: m.cpu, cores: m.cores, ramGiB: m.ramGiB, kernel: m.kernel, node: m.node, source },
    });
    await writeSections(RESULTS, { view: section });
    log(`bench: wrote the view section of ${RESULTS}`);
  }
  if (ONLY.has('throughput')) {
    const section = await throughput(common);
    await writeSections(RESULTS, { throughput: section });
    log(`bench: wrote the throughput section of ${RESULTS}`);
  }
  log(`bench: done in ${f1((performance.now() - began) / 1000)} s`);
}

main()
  .then(
    () => cleanup(),
    async (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exitCode = 1;
      await cleanup();
    },
  )
  .finally(() => {
    // Everything started here has been stopped; do not wait for stray handles.
    process.exit(process.exitCode ?? 0);
  });
