/// <reference lib="dom" />
/**
 * `npm run bench` has these parts, each writing its own section of bench/RESULTS.md:
 *   sizes       bundle sizes, min+gzip, next to the peers (bench/sizes.ts)
 *   view        adding 1,000 and 10,000 files to the element, by a drop and by addFiles: time until the list is rendered,
 *               long tasks, rows and elements in its shadow DOM (bench/view.ts, bench/view-page.ts)
 *   throughput  upload throughput of <asset-uploader> against a plain XHR PUT (bench/throughput.ts, below),
 *               with the breakdown of the element's time (read, hash, send, wait, between requests; breakdown.ts)
 *   latency     the same modes on a 40 ms / 100 Mbit/s upload profile, Chromium's network emulation (latency.ts)
 *   pool        the md5 HashPool's hash rate with 1..N workers (pool.ts)
 *   longtasks   long tasks on the page during a 512 MiB upload with MD5 (longtasks.ts)
 *   memory      peak memory of the page and its workers during 256 MiB and 2 GiB uploads with MD5 (memory.ts)
 * `BENCH_ONLY=<part>` (or a comma list) runs some of them; unset, all run, in one process, in the
 * order above: the pages are built once (vite, bench/vite.config.ts), one reference server serves
 * them and one Chromium runs them; sizes and view need neither a big file nor Ceph; pool comes
 * after throughput, whose rates it compares with. Each part's section is written as soon as that
 * part is done, replacing only that section (between `<!-- bench:<name>:begin -->` and
 * `<!-- bench:<name>:end -->`, bench/results.ts); the other sections stay as they were. The
 * default run takes about a quarter of an hour on this 2-core machine.
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
 * Environment: BENCH_ONLY (`throughput`, `view`, `sizes`, `latency`, `pool`, `longtasks`, `memory`, or a comma list; default all),
 * BENCH_SIZE_MIB (default 256), BENCH_RUNS (default 5) and BENCH_MODES (the upload modes above,
 * comma-separated, `raw` always among them as every ratio is to it; default all; without
 * `sp-s3` Ceph is not started) for throughput,
 * BENCH_VIEW_SIZES (comma-separated numbers of files, default 1000,10000), BENCH_VIEW_WAYS
 * (`drop`, `addFiles`, or both comma-separated, in the order of the tables' columns; default
 * `drop,addFiles`) and BENCH_VIEW_RUNS (default 5) for view; BENCH_LATENCY_MIB (64), BENCH_LATENCY_RUNS (3),
 * BENCH_LATENCY_MS (40) and BENCH_LATENCY_MBIT (100) for latency (the modes are BENCH_MODES);
 * BENCH_POOL_MIB (BENCH_SIZE_MIB) and BENCH_POOL_RUNS (3) for pool; BENCH_LONGTASKS_MIB (512) and
 * BENCH_LONGTASKS_RUNS (3) for longtasks; BENCH_MEMORY_MIB (sizes, default 256,2048) and
 * BENCH_MEMORY_RUNS (2) for memory; CHROMIUM_PATH (default /usr/bin/chromium). The throughput and
 * latency parts need Ceph (ceph-mon, ceph-osd, radosgw) for sp-s3. Writes bench/RESULTS.md (commit
 * it only from a run of the default configuration).
 * A quick check of some modes: `BENCH_ONLY=throughput BENCH_SIZE_MIB=32 BENCH_RUNS=1 BENCH_MODES=raw,tus-js-8m,tus-js,tus-el npm run bench`;
 * of the newer parts: `BENCH_ONLY=latency,pool,longtasks,memory BENCH_MODES=raw,on BENCH_LATENCY_MIB=8 BENCH_LATENCY_RUNS=1
 * BENCH_POOL_MIB=32 BENCH_POOL_RUNS=1 BENCH_LONGTASKS_MIB=32 BENCH_LONGTASKS_RUNS=1 BENCH_MEMORY_MIB=16,64 BENCH_MEMORY_RUNS=1 npm run bench`.
 */

/*
 * This file only orchestrates. The parts: config.ts (constants, environment), processes.ts
 * (bounded children, cleanup), servers.ts (the reference servers, Ceph RGW, Chromium),
 * files.ts (the files uploaded), context.ts (what the parts share), modes.ts / element-mode.ts /
 * run-mode.ts (one upload per mode), page-probes.ts / request-timing.ts (what is watched in the
 * page), worker-run.ts (the md5 worker and pool alone), verify.ts (what the servers stored,
 * checked), cpu.ts / proc-memory.ts (CPU and memory accounting), report.ts / throughput-report.ts /
 * breakdown.ts / results.ts (tables, RESULTS.md), and one module per part.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { ONLY, RESULTS, ROOT, S3_BYTES, VIEW_RUNS, VIEW_SIZES, VIEW_WAYS_RUN } from './config.js';
import { createCommon } from './context.js';
import { cpuMeter } from './cpu.js';
import { check, cleanup, log, onCleanup, removeOnExit, runBounded, withTimeout } from './processes.js';
import { machine, sourceState } from './report.js';
import { sectionTitle, writeSections, type Section } from './results.js';
import { launch, startServer } from './servers.js';
import { sizesBench } from './sizes.js';
import { f1 } from './stats.js';
import { latencyBench } from './latency.js';
import { longTasksBench } from './longtasks.js';
import { memoryBench } from './memory.js';
import { poolBench } from './pool.js';
import { throughput } from './throughput.js';
import { viewBench } from './view.js';

/** The order the parts run in: sizes and view need neither a big file nor Ceph; pool compares with throughput. */
const RUN_ORDER: readonly Section[] = ['sizes', 'view', 'throughput', 'latency', 'pool', 'longtasks', 'memory'];

async function main(): Promise<void> {
  const began = performance.now();
  if (S3_BYTES > 0) {
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

  log(`bench: ${RUN_ORDER.filter((name) => ONLY.has(name)).join(', ')}; building the demo and bench pages (vite build --config bench/vite.config.ts) ...`);
  const source = sourceState();
  await runBounded(join(ROOT, 'node_modules/.bin/vite'), ['build', '--config', 'bench/vite.config.ts', '--outDir', publicDir, '--emptyOutDir'], 180_000);
  const buildSeconds = (performance.now() - began) / 1000;

  const server = await startServer(publicDir, dataDir);
  onCleanup(() => server.stop());
  log(`bench: reference server at ${server.origin}, DATA_DIR ${dataDir}`);
  const browser = await launch();
  onCleanup(() => browser.close());
  log(`bench: Chromium ${browser.version()}`);
  const common = createCommon({ work, publicDir, server, browser, source, buildSeconds });

  // Sizes need no server or browser; then the view part, which needs only those, before Ceph is started.
  const parts: Record<Section, () => Promise<string>> = {
    sizes: () => sizesBench({ root: ROOT, work, log, runBounded, title: sectionTitle('sizes'), source }),
    view: () => {
      const m = machine();
      return viewBench({
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
    },
    throughput: () => throughput(common),
    latency: () => latencyBench(common),
    // After throughput: it compares the element's rate with MD5 with the pool's.
    pool: () => poolBench(common),
    longtasks: () => longTasksBench(common),
    memory: () => memoryBench(common),
  };
  for (const name of RUN_ORDER) {
    if (!ONLY.has(name)) continue;
    const started = performance.now();
    const section = await parts[name]();
    await writeSections(RESULTS, { [name]: section });
    log(`bench: wrote the ${name} section of ${RESULTS} (${f1((performance.now() - started) / 1000)} s)`);
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
