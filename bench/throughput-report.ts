/**
 * The throughput section of RESULTS.md: the rate table, where the time goes, CPU by process,
 * every run, and the text saying what was measured and how. The summary table is also printed.
 */
import { ENDPOINT, MB, MiB, RUNS, SIZE_MIB, SP_ENDPOINT, SP_PARALLEL, SP_TOKEN, TUS_ENDPOINT, TUS_JS_VERSION, type UploadMode } from './config.js';
import { BREAKDOWN_TEXT, breakdownTable } from './breakdown.js';
import { CPU_GROUP_LABEL, CPU_GROUPS } from './cpu.js';
import { POINTER_REST_MS } from './element-mode.js';
import type { BenchFile } from './files.js';
import { MODE_LABEL, type UploadRun } from './modes.js';
import { log } from './processes.js';
import { machine, table, type Row } from './report.js';
import { sectionTitle } from './results.js';
import { dash, f1, f2, mbps, median, sum } from './stats.js';
import type { WorkerRun } from './worker-run.js';

export interface ThroughputData {
  readonly file: BenchFile;
  readonly modes: readonly UploadMode[];
  readonly uploads: ReadonlyArray<UploadRun & { round: number }>;
  readonly workers: readonly WorkerRun[];
  /** Whether the object store (Ceph) ran, its version line, and its memstore size. */
  readonly s3: boolean;
  readonly ceph: string;
  readonly memstoreBytes: number;
  readonly browserVersion: string;
  /** sourceState() when the pages were built. */
  readonly source: string;
  readonly loadBefore: number[];
  readonly loadAfter: number[];
  /** Seconds: the build, the file and the rounds. */
  readonly elapsed: number;
}

/** Prints the summary table and returns the section's text. */
export function throughputReport(data: ThroughputData): string {
  const { file, modes, uploads, workers, s3, ceph, memstoreBytes, browserVersion, source, loadBefore, loadAfter, elapsed } = data;
  const runsOf = (mode: UploadMode): UploadRun[] => uploads.filter((u) => u.mode === mode);
  const ratesOf = (mode: UploadMode): number[] => runsOf(mode).map((u) => mbps(file.size, u.ms));
  const medianRate = (mode: UploadMode): number => median(ratesOf(mode));
  const rawMedian = medianRate('raw');
  const workerRates = {
    md5: workers.map((w) => mbps(file.size, w.md5Ms)),
    read: workers.map((w) => mbps(file.size, w.readMs)),
    compute: workers.map((w) => mbps(file.size, w.computeMs)),
  };
  const rows: Row[] = [
    ...modes.map((mode) => ({ label: MODE_LABEL[mode], rates: ratesOf(mode), ratio: medianRate(mode) / rawMedian })),
    { label: 'md5 worker alone (HashPool, 1 worker, 8 MiB parts)', rates: workerRates.md5 },
    { label: 'slice reads alone in a worker (4 MiB reads, no hashing)', rates: workerRates.read },
    { label: 'spark-md5 alone in a worker (buffer in memory, no reads)', rates: workerRates.compute },
  ];
  const summary = table(rows);
  log('');
  log(summary);
  log('');

  const m = machine();
  const runBusy = (u: UploadRun): number => (u.cpu ? sum(CPU_GROUPS.map((g) => u.cpu!.seconds[g])) : 0);
  const outsideShare = (u: UploadRun): number => (u.cpu && runBusy(u) > 0 ? u.cpu.seconds.outside / runBusy(u) : 0);
  const outsideCpu = sum(uploads.map((u) => u.cpu?.seconds.outside ?? 0));
  const busyCpu = sum(uploads.map(runBusy));
  const disturbed = uploads.filter((u) => outsideShare(u) > 0.1);
  const interference =
    busyCpu === 0
      ? 'Other processes: not measured (needs Linux /proc).'
      : `Other processes (not the bench, its servers, Ceph or its browser) used ${f1(outsideCpu)} CPU s during the measured uploads, ${Math.round((outsideCpu / busyCpu) * 100)}% of all busy CPU time. ` +
        (disturbed.length === 0
          ? 'No run had more than 10% of its busy CPU time taken by them.'
          : `${disturbed.length} of ${uploads.length} runs had more than 10% taken by them (${disturbed.map((u) => `round ${u.round} ${MODE_LABEL[u.mode]}`).join('; ')}); those runs are slower than they would be on a quiet machine, see the "other CPU s" column under "Every run".`);
  if (disturbed.length > 0)
    log(`bench: warning: ${disturbed.length} of ${uploads.length} runs shared the CPU with other processes (>10% of busy time); see RESULTS.md`);
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' / ');
  const breakdown = modes.map((mode) => {
    const runs = runsOf(mode);
    const split = runs[0]!.putMs.length > 1;
    const cell = (pick: (u: UploadRun) => number | undefined): string => {
      const values = runs.map(pick).filter((v): v is number => v !== undefined);
      return values.length ? f1(median(values)) : dash;
    };
    // PUTs in flight on average between the first PUT's start and the last one's end: 1 when one at a time.
    const inFlight = f2(median(runs.map((u) => sum(u.putMs) / (u.putSpanMs ?? u.ms))));
    return `| ${MODE_LABEL[mode]} | ${cell((u) => u.ms)} | ${cell((u) => u.beforeFirstPutMs)} | ${cell((u) => sum(u.putMs))} | ${split ? cell((u) => median(u.putMs.slice(0, -1))) : dash} | ${split ? cell((u) => u.putMs.at(-1)) : dash} | ${split ? cell((u) => u.betweenPutsMs) : dash} | ${cell((u) => u.afterLastPutMs)} | ${inFlight} |`;
  });
  const withCpu = uploads.filter((u) => u.cpu !== undefined);
  const cpuTable = withCpu.length
    ? [
        `| mode | wall s | CPU busy | ${CPU_GROUPS.map((g) => CPU_GROUP_LABEL[g]).join(' | ')} |`,
        `| --- | ---: | ---: | ${CPU_GROUPS.map(() => '---:').join(' | ')} |`,
        ...modes.map((mode) => {
          const runs = withCpu.filter((u) => u.mode === mode);
          if (!runs.length) return `| ${MODE_LABEL[mode]} | | | ${CPU_GROUPS.map(() => '').join(' | ')} |`;
          return `| ${MODE_LABEL[mode]} | ${f2(median(runs.map((u) => u.ms)) / 1000)} | ${Math.round(median(runs.map((u) => u.cpu!.busy)) * 100)}% | ${CPU_GROUPS.map((g) => f2(median(runs.map((u) => u.cpu!.seconds[g])))).join(' | ')} |`;
        }),
      ].join('\n')
    : 'Not measured (needs Linux /proc).';
  // What the cores allow: each mode's own CPU seconds per MB (the bench's driver and other jobs left out),
  // so a mode that is CPU-bound has its ceiling named; a ceiling far above the rate says something else waits.
  const ownCpuPerMb = (mode: UploadMode): number | undefined => {
    const runs = withCpu.filter((u) => u.mode === mode);
    if (!runs.length) return undefined;
    return median(runs.map((u) => sum(CPU_GROUPS.filter((g) => g !== 'bench' && g !== 'outside').map((g) => u.cpu!.seconds[g])) / (file.size / MB)));
  };
  const ceilings = modes
    .map((mode) => ({ mode, perMb: ownCpuPerMb(mode) }))
    .filter((c): c is { mode: UploadMode; perMb: number } => c.perMb !== undefined && c.perMb > 0)
    .map(({ mode, perMb }) => `| ${MODE_LABEL[mode]} | ${f1(perMb * 1000)} | ${f1(m.cores / perMb)} | ${f1(medianRate(mode))} |`);
  const ceilingTable = ceilings.length
    ? [
        `| mode | CPU ms per MB (all its processes) | what ${m.cores} cores allow at that cost, MB/s | measured, MB/s |`,
        '| --- | ---: | ---: | ---: |',
        ...ceilings,
      ].join('\n')
    : '';
  const perRun = uploads.map(
    (u) => `| ${u.round} | ${MODE_LABEL[u.mode]} | ${f1(u.ms)} | ${f1(mbps(file.size, u.ms))} | ${u.cpu ? f2(u.cpu.seconds.outside) : dash} |`,
  );
  const perWorker = workers.map(
    (w, i) => `| ${i + 1} | ${f1(mbps(file.size, w.md5Ms))} | ${f1(mbps(file.size, w.readMs))} | ${f1(mbps(file.size, w.computeMs))} |`,
  );
  /** A ratio of two modes' medians, or a dash when either was not run (BENCH_MODES). */
  const ratio = (a: UploadMode, b: UploadMode): string => (modes.includes(a) && modes.includes(b) ? f2(medianRate(a) / medianRate(b)) : dash);
  /** The part requests each element mode made, as the element chose them. */
  const mib = (bytes: number): string => (bytes / MiB).toFixed(1);
  const elementModes = modes.filter((mode) => runsOf(mode).some((u) => u.partBytes !== undefined));
  const partSizes = elementModes.length
    ? `${elementModes
        .map((mode) => {
          const runs = runsOf(mode).filter((u) => u.partBytes?.length);
          return `${mode} ${median(runs.map((u) => u.partBytes!.length))} part(s) of up to ${mib(median(runs.map((u) => Math.max(...u.partBytes!))))} MiB`;
        })
        .join(', ')} (medians of the runs)`
    : 'no element mode was run';
  const partsPut = median(runsOf('parts').map((u) => median(u.putMs.slice(0, -1))));
  const partsLast = median(runsOf('parts').map((u) => u.putMs.at(-1)!));

  return `## ${sectionTitle('throughput')}

Written by \`npm run bench\` (bench/run.ts; \`BENCH_ONLY=throughput\` runs only this section) on ${new Date().toISOString()}.

### Machine

- CPU: ${m.cpu}, ${m.cores} logical cores
- RAM: ${m.ramGiB} GiB
- OS: ${m.kernel}
- Node: ${m.node}
- Browser: Chromium ${browserVersion} (headless, driven by Playwright)
- Server data (DATA_DIR, a temporary folder): ${m.dataFs}
- Object store of sp-s3: ${
    s3
      ? `${ceph} RADOS Gateway (radosgw, beast frontend) with one mon and one OSD on
  memstore (in RAM, device size ${f1(memstoreBytes / 1024 ** 3)} GiB), all on 127.0.0.1 (test/support/radosgw.mjs)`
      : ceph
  }
- Load average (1 / 5 / 15 min) before this part of the bench: ${load(loadBefore)}; after: ${load(loadAfter)}.
  The bench itself keeps the cores busy; anything else running at the same time lowers the numbers.
- ${interference}

### Setup

- Element and pages built from the working tree: ${source}.
- One file of ${SIZE_MIB} MiB (${file.size} bytes) of random bytes, on disk, given to each page with \`setInputFiles\`.
- ${RUNS} rounds; each round runs the ${modes.length} uploads (${modes.join(', ')}) once, in an order that rotates from round to round,
  then the worker measurements. Figures are the median of the ${RUNS} runs, with min and max.
- MB/s means 10^6 bytes per second (${file.size} bytes = ${f1(file.size / MB)} MB).
- Raw XHR PUT (the baseline): \`POST ${ENDPOINT}\`, then one \`XMLHttpRequest\` \`PUT\` of the whole \`File\`
  without \`Content-Range\`, \`Content-Type: application/octet-stream\`; timed from \`send()\` to \`load\`
  (the POST, median ${f1(median(runsOf('raw').map((u) => u.createMs ?? 0)))} ms, is not included).
- Raw XHR PUT with a progress listener: the same PUT with an \`xhr.upload.onprogress\` listener (counting its
  events, checked to be more than 0), as every uploader with a progress bar sends it; the plain raw PUT has none.
- Raw XHR PUTs in 8 MiB parts (a second baseline, not asked for by the issue): the same, but as
  consecutive \`Content-Range\` PUTs of 8 MiB slices, one at a time, without the element; timed from the first
  \`send()\` to the last \`load\`. It separates what parts cost on this server from what the element adds.
- Element: the demo page with \`?protocol=content-range&endpoint=${ENDPOINT}&no-resume=\`
  (and \`&no-checksum=\` for MD5 off; the attributes are checked after each run), a fresh
  browser context and page load per run. \`chunk-size\` is left unset (the demo page's own \`chunk-size="8MiB"\` is
  removed before the file is given), so every element mode uses the element's default part size, what its users get:
  ${partSizes}. \`no-resume\` is set so that no IndexedDB state, resume lookup or
  fingerprint hashing plays a part. Before the file is given, the pointer moves over the element and rests there
  ${POINTER_REST_MS} ms, as a person's does on the way to the picker or with a drag: that is when the element starts
  the md5 workers its first file needs (\`Uploader.warm\`), so a worker's start is not inside the time. Timed in the page from the file input's \`change\` event (a capturing listener
  on the element's shadow root, which runs before the element's own handler) to the \`upload-success\` event, so it
  includes creating the upload session and everything else the element does, but not the time Playwright's
  \`setInputFiles\` takes to hand the file to the page (the raw PUT is timed from its \`send()\`, tus-js-client from its \`start()\`).
- Element with signed-parts (the same page, timing and checks): \`?protocol=signed-parts&endpoint=${SP_ENDPOINT}&parallel-parts=${SP_PARALLEL}&no-resume=\`
  and the element's \`token\` property set to the token the bench gives the reference server (\`${SP_TOKEN}\`). MD5 is on
  (the protocol requires each part's MD5: every part's signature covers it). Per part the element asks
  \`GET ${SP_ENDPOINT}/<id>/parts?part_number=N&md5sum=...\` for a signed URL, then PUTs the part there,
  up to ${SP_PARALLEL} parts at a time; \`PATCH ${SP_ENDPOINT}/<id>\` \`{"state":"finished"}\` ends the upload.
  - embedded store: the same reference server as the other modes keeps the parts
    (\`PUT /signed-parts/store/<id>/<N>\`, each part hashed and fsynced with its record) and, on the PATCH,
    joins them into one file (reading every part again, hashing it, fsyncing the file).
  - S3 (Ceph RGW): a second reference server, started with \`S3_ENDPOINT\`, \`S3_BUCKET\`, \`S3_REGION\`,
    \`S3_ACCESS_KEY\`, \`S3_SECRET_KEY\` of the RADOS Gateway, serves the page and the API; it presigns each
    part (UploadPart, covering Content-MD5) and the browser PUTs the parts straight to RGW, another
    origin, so each PUT is preceded by a CORS preflight (\`OPTIONS\`: every part has its own URL, so no
    preflight is reused). On the PATCH the server lists the parts, completes the multipart upload and
    reads the object's size back (ListParts, CompleteMultipartUpload, HeadObject). In the S3 mode the
    reference server's Content-Security-Policy names the S3 endpoint in \`connect-src\`, so the page
    runs under its strict policy like every other mode.
    Before the first round one 1-byte multipart object is written and deleted, so that RGW has created its
    pools before anything is timed.
- tus, all against the reference server's plain \`@tus/server\` route \`${TUS_ENDPOINT}\` (demo/server/tus/routes.ts, its
  file store in \`DATA_DIR/tus\`), which announces no checksum extension:
  - tus-js-client ${TUS_JS_VERSION} on the bench page, \`new Upload(file, { endpoint: '${TUS_ENDPOINT}', chunkSize, retryDelays: null,
    storeFingerprintForResuming: false, removeFingerprintOnSuccess: true, metadata: { filename, filetype } })\`, with
    \`chunkSize\` 8 MiB (the element's parts before its default became its own choice) or left at its default (Infinity: the whole file in one PATCH);
    timed from \`start()\` to \`onSuccess\`, so, like the element, it includes the creating POST. Its PATCH
    times are taken in \`onBeforeRequest\` / \`onAfterResponse\`. The number of PATCHes is checked (no retries).
  - the element: the demo page with \`?protocol=tus&endpoint=${TUS_ENDPOINT}&no-resume=\` (timing and
    checks as for content-range; no \`no-checksum\`: the element's default, and it computes no MD5 there, as
    the server takes none, which is checked: no md5 worker may start). Its \`OPTIONS\` discovery request
    is inside the time.
  - Checked on disk: the upload URL's id, the file store's \`<id>.json\` declaring the file's size, and
    \`DATA_DIR/tus/<id>\` of that size, read back and hashed (MD5 equal to Node's). Then a tus \`DELETE\`
    (termination) must answer 204 and remove both files.
- Every content-range upload (the raw baselines, and the element with MD5 off and on) is checked on the
  server before it counts: the record is complete, the stored file has
  the full size, and the server's MD5 (in the completion JSON and in the record) equals the file's MD5
  computed in Node. The upload is then deleted with \`DELETE\`. All element runs also check
  \`element.uploads[0]\` (status success, all bytes), that the part requests (seen by a probe of
  \`XMLHttpRequest\` in the page, bench/page-probes.ts) carried exactly the file's size in all, each answered 2xx
  (no retries, no part sent twice), one resource timing entry per part request, and that md5
  workers ran only with MD5 on.
- The signed-parts runs are checked where the bytes are: the \`upload-success\` event's \`detail.asset.raw\`
  (the PATCH's answer) must name the bucket (\`embedded\`, or RGW's bucket) and \`object_key\`
  \`signed-parts/<upload id>\`, the server's record must be finished with the parts' MD5s equal to Node's,
  the parts must be numbered from 1 and cover the file, and every part must have been signed once and PUT once (no retries). Embedded: the object, its parts
  \`DATA_DIR/signed-parts/<id>/<N>.part\` read in order, is hashed as one stream (size and MD5 equal to the
  file's; the answer's \`etag\` is the multipart ETag of the parts), then the parts and the \`.json\` are
  removed (the API has no DELETE).
  S3: the answer's \`etag\` must be the multipart ETag of the file's parts (MD5 of their MD5s, \`-N\`); the
  object is read back with GetObject (size, ETag, and the MD5 of the streamed bytes equal to the file's),
  then removed with DeleteObject (a HeadObject must then answer 404). RGW frees deleted objects only after
  its garbage-collection wait, so its memstore holds every sp-s3 upload until the bench ends.
- md5 worker alone: the project's \`HashPool\` (src/engine/hash-pool.ts) with one worker, the file's
  8 MiB parts hashed one after another with \`digest(file, start, end, signal)\`; the worker is started
  by a 1-byte digest before timing. Each part's digest is compared with Node's.
- Slice reads alone / spark-md5 alone split that worker's cost: the same 4 MiB \`Blob.slice().arrayBuffer()\`
  reads without hashing, and spark-md5 over a 4 MiB buffer already in memory, without reading.

### Results

${summary}

#### Where the time goes (medians, ms)

From the page's resource timing (element) or send/load times (raw). A PUT's time runs from its start to
the end of its answer: sending the body, the server storing and fsyncing it, and the answer coming back.
"Between PUTs" is the time from the first PUT's start to the last PUT's end during which no PUT was in
flight; "PUTs in flight" is the sum of the PUTs' times divided by that span (1 when one at a time).
For the signed-parts modes, whose PUTs overlap (up to ${SP_PARALLEL}), "last PUT" is the one started last and
"sum of PUTs" can exceed the span; "before 1st PUT" includes the first part's MD5 and its signing request,
and "last PUT to event" the PATCH that finishes the upload (embedded: a size check of each part on disk, as the object is its parts; S3:
ListParts, CompleteMultipartUpload and HeadObject on RGW). In S3 mode a PUT's time includes its preflight.
For the tus modes a "PUT" is a PATCH; tus-js-client's are timed from its \`onBeforeRequest\` to its
\`onAfterResponse\`, and its "before 1st PUT" is the creating POST (the element's also has the OPTIONS discovery).

| mode | total | before 1st PUT | sum of PUTs | one PUT (not the last) | last PUT | between PUTs | last PUT to event | PUTs in flight |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${breakdown.join('\n')}

#### Breakdown of the element's time: read, hash, send, wait for answer, between requests

${BREAKDOWN_TEXT}

${breakdownTable(modes, runsOf) ?? '(No element mode was run.)'}

The issue's bars, as ratios of medians: element with MD5 off / raw PUT = ${ratio('off', 'raw')} (≥ 0.95; the raw PUT's time leaves out
its creating POST, which the element's includes: with it, ${modes.includes('off') && modes.includes('raw') ? f2(medianRate('off') / median(runsOf('raw').map((u) => mbps(file.size, u.ms + (u.createMs ?? 0))))) : dash});
element with tus / tus-js-client's fastest configuration = ${modes.includes('tus-el') && (modes.includes('tus-js') || modes.includes('tus-js-8m')) ? f2(medianRate('tus-el') / Math.max(...(['tus-js', 'tus-js-8m'] as const).filter((m) => modes.includes(m)).map(medianRate))) : dash} (≥ 0.95).

Ratios of medians: raw PUT with a progress listener / raw PUT = ${ratio('raw-progress', 'raw')};
element with MD5 off / raw PUT with a progress listener = ${ratio('off', 'raw-progress')};
element with tus / raw PUT with a progress listener = ${ratio('tus-el', 'raw-progress')};
parts without the element / raw PUT = ${ratio('parts', 'raw')};
element with MD5 off / parts without the element = ${ratio('off', 'parts')};
element with MD5 on / MD5 off = ${ratio('on', 'off')};
element with MD5 on / md5 worker alone = ${modes.includes('on') ? f2(medianRate('on') / median(workerRates.md5)) : dash}.
Signed-parts: element with signed-parts, embedded store / element (content-range) with MD5 on = ${ratio('sp-embedded', 'on')};
signed-parts to S3 (Ceph RGW) / signed-parts, embedded store = ${ratio('sp-s3', 'sp-embedded')}.
tus: tus-js-client with 8 MiB chunks / its default (one PATCH) = ${ratio('tus-js-8m', 'tus-js')};
element with tus / tus-js-client with 8 MiB chunks = ${ratio('tus-el', 'tus-js-8m')};
element with tus / element with content-range, MD5 off (both the element's default parts, no MD5) = ${ratio('tus-el', 'off')}.
${
  modes.includes('parts')
    ? `In the parts baseline the last PUT takes ${f1(partsLast)} ms against ${f1(partsPut)} ms for the others: the
content-range server carries the whole file's MD5 along from part to part (demo/server/content-range/store.ts,
\`writePart\`), so the last part does not read the stored file again, and every part is fsynced with its
record.`
    : '(The parts baseline was not run.)'
} The signed-parts embedded store does read everything again: its PATCH joins the parts into one
file and hashes it, which is its "last PUT to event" column.

#### CPU seconds by process during a run (medians)

Read from /proc before and after each measured upload (${m.cores} cores, so at most ${m.cores} CPU seconds per
wall-clock second). "CPU busy" is the share of all cores that was busy; "everything else" is busy time not
used by the bench's own processes (another job running at the same time shows up there). The reference
server column adds up both servers (embedded, and S3 mode); the Ceph column is the RADOS Gateway, the OSD and
the mon, which also run, mostly idle, during the other modes.

${cpuTable}

What the cores allow: a mode's CPU seconds per MB (every process of the upload: server, Ceph, the browser's;
not the bench's driver or other jobs), and the rate at which that cost would keep all ${m.cores} cores busy. A mode
measured close to its ceiling is bound by the CPU of this machine, not by waiting: the page, the server and the
hashing share the same cores.

${ceilingTable}

#### Every run

| round | mode | ms | MB/s | other CPU s |
| --- | --- | ---: | ---: | ---: |
${perRun.join('\n')}

| round | md5 worker MB/s | slice reads alone MB/s | spark-md5 alone MB/s |
| --- | ---: | ---: | ---: |
${perWorker.join('\n')}

### What this measures, and caveats

- Loopback only: browser and reference server run on the same machine and share its ${m.cores} cores, so
  the server's work (Node reading each request, hashing every byte with MD5, writing and fsyncing to
  disk) competes with the browser's (sending, and with MD5 on, hashing in a worker). There is no real
  network latency or bandwidth limit. On a link slower than these rates the network would usually be
  the limit instead, but then each part also waits one round trip for its answer, which a single PUT
  does not. These numbers are the upload path's own ceiling on this machine, not a network test.
- The reference server is part of every number: it hashes and fsyncs each part and its record, and in
  the signed-parts embedded mode it copies and hashes the whole file once more when the upload is finished.
  A production server would spend its time differently.
- sp-s3 measures RGW on this machine, not a cloud S3: its OSD keeps the data in RAM (memstore, no disk,
  no replication), on loopback, sharing the same ${m.cores} cores with the browser. In that mode the reference
  server only signs and records; the bytes go from the browser to RGW.
- The file is read from the OS page cache (it was just written and fits in RAM many times over), so
  these are warm-cache figures; a cold read from a slow disk would lower every mode.
- With content-range the element sends one part at a time (of the size it chose, above), each a request that waits for the server's answer;
  with MD5 on, it hashes parts in its md5 workers ahead of the one being sent (how far ahead, and with
  how many workers, is the element's business: src/engine/upload-job.ts and uploader.ts). The md5
  worker alone row uses one worker, so it is a per-worker rate, not the element's hashing ceiling.
  With signed-parts it sends up to ${SP_PARALLEL} parts at a time (\`parallel-parts\`), but a part is signed, and so
  sent, only once its MD5 is known.
- The tus modes measure \`@tus/server\` with \`@tus/file-store\` (a server this project did not write, behind
  the reference server's CORS and lock layer, demo/server/tus/routes.ts): it appends each PATCH to the file without
  hashing it, unlike the content-range route, so tus and content-range rows differ by server work too. tus-js-client
  with 8 MiB chunks sends one 8 MiB part at a time there, the element parts of its own size; with its default chunk size tus-js-client
  sends the whole file in one PATCH, the tus counterpart of the raw PUT.
- Headless Chromium with the GPU off; a desktop browser may differ. Medians of ${RUNS} runs; the spread
  (min/max, and every run above) shows how noisy the machine was.
- Total bench time: ${f1(elapsed)} s (build, file, ${RUNS} rounds).
`;
}
