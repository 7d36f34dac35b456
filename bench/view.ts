/**
 * The "view" part of `npm run bench` (`BENCH_ONLY=view` runs only it): how the element copes
 * with a long list. `<asset-uploader no-auto-start multiple endpoint=...>` alone on a page
 * (bench/view.html, built with the other bench pages), 1,000 and 10,000 files added in two
 * ways (BENCH_VIEW_WAYS, default both): `drop`, a synthetic drop on the drop zone, which is what
 * a person does and which the element takes in pieces of 250 files, one task each; and
 * `addFiles`, one synchronous call of the element's API. Each run on a fresh browser context and
 * page load. What is timed, and where the timing stops, is defined in bench/view-page.ts (the
 * page's side) and written into RESULTS.md.
 *
 * Targets from the issue, printed next to the figures and never asserted: no task of 100 ms or
 * more, and fewer than 1,000 row elements in the shadow DOM at 10,000 files.
 *
 * bench/run.ts builds the pages, starts the reference server and the browser, and passes them
 * in (ViewContext); this module runs the pages and returns the RESULTS.md section's text.
 */
import os from 'node:os';
import type { Browser } from 'playwright';
import { freshPage } from './pages.js';
import type { LongTask, ViewMeasurement } from './view-page.js';
import type { ViewWay } from './view-ways.js';

export interface ViewContext {
  readonly browser: Browser;
  /** The reference server, serving the built pages (PUBLIC_DIR) and the endpoint. */
  readonly origin: string;
  /** Numbers of files, in the order of the first round. */
  readonly sizes: readonly number[];
  /** How files are added (BENCH_VIEW_WAYS), in the order of the tables' columns. */
  readonly ways: readonly ViewWay[];
  readonly runs: number;
  readonly log: (line: string) => void;
  readonly withTimeout: <T>(promise: Promise<T>, ms: number, what: string) => Promise<T>;
  /** Starts measuring CPU use; the returned function ends it (undefined where /proc is missing). */
  readonly cpuMeter: () => () => { busy: number; seconds: { outside: number } } | undefined;
  /** The heading of RESULTS.md's section. */
  readonly title: string;
  /** For the section's "Machine" and "Setup" lines. */
  readonly facts: { cpu: string; cores: number; ramGiB: string; kernel: string; node: string; source: string };
}

/** The element's endpoint on the page (bench/view.html); with no-auto-start nothing is sent there. */
const ENDPOINT = '/content-range/videos/upload.json';
const PAGE = '/bench/view.html';
const WARM_UP_FILES = 100;
const LONG_MS = 100;
const ROW_TARGET = 1000;
const ROW_TARGET_AT = 10_000;

interface ViewRun {
  readonly round: number;
  readonly way: ViewWay;
  readonly files: number;
  readonly m: ViewMeasurement;
  /** CPU seconds used by processes other than the bench's during the run, and the machine's busy share. */
  readonly otherCpu?: number;
  readonly busy?: number;
}

const f0 = (n: number): string => (Math.round(n) || 0).toLocaleString('en-US');
const f1 = (n: number): string => n.toFixed(1);
const count = (n: number): string => n.toLocaleString('en-US');

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`view bench check failed: ${message}`);
}

const longest = (m: ViewMeasurement): number => Math.max(0, ...m.longTasks.map((t) => t.durationMs));
const longCount = (m: ViewMeasurement): number => m.longTasks.filter((t) => t.durationMs >= LONG_MS).length;

/** A bound on one measured add: generous for a list that costs O(n²) today. */
const timeoutFor = (files: number): number => 60_000 + Math.ceil((files / 10_000) ** 2 * 60_000);

async function oneRun(ctx: ViewContext, way: ViewWay, files: number): Promise<{ m: ViewMeasurement; cpu: ReturnType<ReturnType<ViewContext['cpuMeter']>> }> {
  const { context, page, problems } = await freshPage(ctx.browser);
  try {
    await page.goto(`${ctx.origin}${PAGE}`);
    await page.waitForFunction(
      () => 'assetUploaderViewBench' in window && !!document.querySelector('asset-uploader')?.shadowRoot?.querySelector('[part=drop-zone]'),
    );
    const attributes = await page.evaluate(() => {
      const el = document.querySelector('asset-uploader')!;
      return {
        noAutoStart: el.hasAttribute('no-auto-start'),
        multiple: el.hasAttribute('multiple'),
        endpoint: el.getAttribute('endpoint'),
        uploads: el.uploads.length,
      };
    });
    check(
      attributes.noAutoStart && attributes.multiple && attributes.endpoint === ENDPOINT && attributes.uploads === 0,
      `the page's element is not the one described: ${JSON.stringify(attributes)}`,
    );
    await ctx.withTimeout(
      page.evaluate(([n, w]) => window.assetUploaderViewBench.prepare(n, w), [files, way] as const),
      60_000,
      `view: building ${files} files (${way})`,
    );
    const cpu = ctx.cpuMeter();
    const m = await ctx.withTimeout(
      page.evaluate(() => window.assetUploaderViewBench.measure()),
      timeoutFor(files),
      `view: adding ${files} files (${way})`,
    );
    const use = cpu();
    const what = `view, ${way}, ${files} files`;
    check(m.way === way, `${what}: the page measured the ${m.way} way`);
    if (way === 'drop') {
      check(m.dropTaken, `${what}: the element did not take the drop`);
      check(!m.dropInOnePiece, `${what}: the element takes drops in one piece here (dropInOnePiece), not in pieces as described`);
    }
    check(problems.length === 0, `${what}: the page reported ${problems.join('; ')}`);
    check(m.count === files && m.adds === files && m.uploads === files, `${what}: ${m.adds} upload-add events and ${m.uploads} uploads for ${files} files`);
    check(m.queued === files, `${what}: ${files - m.queued} uploads are not queued (no-auto-start)`);
    check(m.endpointRequests === 0, `${what}: the page sent ${m.endpointRequests} requests to the endpoint's API`);
    check(m.rows > 0, `${what}: no row in the shadow root`);
    return { m, cpu: use };
  } finally {
    await context.close();
  }
}

/** How each way is named in the tables. */
const WAY_LABEL: Record<ViewWay, string> = {
  drop: 'drop (a person: drop, picker, paste)',
  addFiles: 'addFiles (one synchronous call)',
};

/** One long task, for the "every run" table: duration @start from t0, and what ran in it. */
function describeTask(t: LongTask): string {
  const inside = [...(t.hasT0 ? ['t0'] : []), `${count(t.adds)} adds`].join(', ');
  return `${f0(t.durationMs)} @${f0(t.startMs)} [${inside}]`;
}

/** Runs the view bench; returns the RESULTS.md section (markdown, starting with its `##` heading). */
export async function viewBench(ctx: ViewContext): Promise<string> {
  const began = performance.now();
  const loadBefore = os.loadavg();
  const { log, ways } = ctx;
  log(`bench view: ${ctx.runs} runs each of ${ctx.sizes.map(count).join(' and ')} files, ways ${ways.join(', ')}, ${ctx.origin}${PAGE}`);
  // Not recorded: the browser's first pages with this code compile it (each way has code of its own).
  for (const way of ways) await oneRun(ctx, way, WARM_UP_FILES);
  const combos = ctx.sizes.flatMap((files) => ways.map((way) => ({ files, way })));
  const runs: ViewRun[] = [];
  for (let round = 0; round < ctx.runs; round++) {
    // The order rotates, so no combination always runs right after the same other one.
    const order = combos.map((_, i) => combos[(i + round) % combos.length]!);
    for (const { files, way } of order) {
      const { m, cpu } = await oneRun(ctx, way, files);
      runs.push({ round: round + 1, way, files, m, ...(cpu ? { otherCpu: cpu.seconds.outside, busy: cpu.busy } : {}) });
      log(
        `  round ${round + 1} ${way.padEnd(8)} ${count(files).padStart(7)} files: rendered ${f1(m.renderedMs).padStart(8)} ms (call returned ${f1(m.returnedMs)}, first add ${f1(m.firstAddMs)}, all added ${f1(m.addedMs)}, updateComplete ${f1(m.updatedMs)}, ${m.frames} frame${m.frames === 1 ? '' : 's'}; ${m.pieces} add call${m.pieces === 1 ? '' : 's'}); ` +
          `longest task ${f1(longest(m))} ms, ${longCount(m)} of ${m.longTasks.length} long tasks >= ${LONG_MS} ms [${m.longTasks.map(describeTask).join('; ')}]; ${count(m.rows)} rows, ${count(m.elements)} elements` +
          (cpu ? `; other CPU ${cpu.seconds.outside.toFixed(2)} s` : ''),
      );
    }
  }
  const loadAfter = os.loadavg();
  const elapsed = (performance.now() - began) / 1000;

  const of = (files: number, way: ViewWay): ViewMeasurement[] => runs.filter((r) => r.files === files && r.way === way).map((r) => r.m);
  const stat = (values: number[], format: (n: number) => string): string =>
    `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;
  const summary: string[] = [
    `| files | measure | target (issue) | ${ways.map((w) => `${WAY_LABEL[w]}: median (min–max) | ${w}: runs meeting the target`).join(' | ')} |`,
    `| ---: | --- | --- | ${ways.map(() => '---: | ---:').join(' | ')} |`,
  ];
  for (const files of ctx.sizes) {
    const n = count(files);
    const rowTarget = files === ROW_TARGET_AT;
    const line = (
      measure: string,
      target: string,
      pick: (m: ViewMeasurement) => number,
      format: (n: number) => string,
      ok?: (m: ViewMeasurement) => boolean,
    ): string =>
      `| ${n} | ${measure} | ${target} | ${ways
        .map((w) => {
          const ms = of(files, w);
          return `${stat(ms.map(pick), format)} | ${ok ? `${ms.filter(ok).length} of ${ms.length}` : ''}`;
        })
        .join(' | ')} |`;
    summary.push(
      line('add → rendered, ms', '', (m) => m.renderedMs, f1),
      line('longest task, ms', `< ${LONG_MS} ms`, longest, f1, (m) => longest(m) < LONG_MS),
      line(`long tasks ≥ ${LONG_MS} ms`, '0', longCount, count, (m) => longCount(m) === 0),
      line(
        'row elements (`[part~=file]`)',
        rowTarget ? `< ${count(ROW_TARGET)}` : '',
        (m) => m.rows,
        count,
        rowTarget ? (m) => m.rows < ROW_TARGET : undefined,
      ),
      line('shadow DOM elements (`*`)', '', (m) => m.elements, count),
      line('engine add calls (pieces)', '', (m) => m.pieces, count),
    );
  }
  const phases: string[] = [
    '| files | way | call returned | first upload-add | all upload-add fired | updateComplete | rendered | frames waited | add calls | largest add call (files) | long tasks (≥ 50 ms) | sum of long tasks |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const files of ctx.sizes) {
    for (const way of ways) {
      const ms = of(files, way);
      const med = (pick: (m: ViewMeasurement) => number, format = f1): string => format(median(ms.map(pick)));
      phases.push(
        `| ${count(files)} | ${way} | ${med((m) => m.returnedMs)} | ${med((m) => m.firstAddMs)} | ${med((m) => m.addedMs)} | ${med((m) => m.updatedMs)} | ${med((m) => m.renderedMs)} | ${med((m) => m.frames, count)} | ${med((m) => m.pieces, count)} | ${med((m) => m.largestPiece, count)} | ${med((m) => m.longTasks.length, count)} | ${med((m) => m.longTasks.reduce((a, t) => a + t.durationMs, 0))} |`,
      );
    }
  }
  // Which task is the longest, per way and size: the one that holds t0 (the call, or the drop's handler), or a later one.
  const longestTasks: string[] = [];
  for (const files of ctx.sizes) {
    for (const way of ways) {
      const ms = of(files, way);
      const tops = ms.flatMap((m) => (m.longTasks.length ? [m.longTasks.reduce((a, t) => (t.durationMs > a.durationMs ? t : a))] : []));
      if (tops.length === 0) {
        longestTasks.push(`- ${way}, ${count(files)} files: no task of 50 ms or more in any run.`);
        continue;
      }
      const atT0 = tops.filter((t) => t.hasT0).length;
      longestTasks.push(
        `- ${way}, ${count(files)} files: the longest task (median ${f0(median(tops.map((t) => t.durationMs)))} ms) held t0 in ${atT0} of ${tops.length} runs` +
          ` and fired a median of ${count(median(tops.map((t) => t.adds)))} upload-add events; it started ${f0(median(tops.map((t) => t.startMs)))} ms from t0 (median).`,
      );
    }
  }
  const every: string[] = [
    `| round | way | files | rendered ms | longest task ms | long tasks ≥ ${LONG_MS} ms | long tasks: ms @start from t0 [t0 in it, upload-add events in it] | add calls | rows | elements | other CPU s |`,
    '| ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (r) =>
        `| ${r.round} | ${r.way} | ${count(r.files)} | ${f1(r.m.renderedMs)} | ${f1(longest(r.m))} | ${longCount(r.m)} | ${r.m.longTasks.map(describeTask).join(', ') || '–'} | ${count(r.m.pieces)} | ${count(r.m.rows)} | ${count(r.m.elements)} | ${r.otherCpu === undefined ? '–' : r.otherCpu.toFixed(2)} |`,
    ),
  ];
  const withCpu = runs.filter((r) => r.otherCpu !== undefined);
  const disturbed = withCpu.filter((r) => r.otherCpu! > (0.1 * (r.m.renderedMs + 500)) / 1000);
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' / ');
  const { facts } = ctx;
  const sizes = ctx.sizes.map(count).join(' and ');
  const has = (way: ViewWay): boolean => ways.includes(way);

  log('');
  log(summary.join('\n'));
  log('');
  log(phases.join('\n'));
  log('');
  log(longestTasks.join('\n'));
  log('');

  return `## ${ctx.title}

Written by \`npm run bench\` (bench/run.ts, bench/view.ts; \`BENCH_ONLY=view\` runs only this section) on ${new Date().toISOString()}.

Targets from the issue, next to the figures below and not asserted: no task of ${LONG_MS} ms or more while files
are added, and fewer than ${count(ROW_TARGET)} row elements in the DOM at ${count(ROW_TARGET_AT)} files.

Files are added in ${ways.length === 1 ? 'one way' : `${ways.length} ways`} (\`BENCH_VIEW_WAYS\`, default \`drop,addFiles\`; this run: \`${ways.join(',')}\`):
${
  has('drop')
    ? `
- **drop** is what a person does: files dropped on the element. The element takes a drop, a pick from the file
  picker and a paste in pieces of 250 files, one task each (src/ui/gestures.ts, src/ui/drop.ts), so this is the way
  the "no long task" target is about.`
    : ''
}${
  has('addFiles')
    ? `
- **addFiles** is the element's API, \`element.addFiles(files)\`: one synchronous call by design (it returns the
  snapshots of the uploads it took), so it adds every file in the task that calls it, and its longest task is the
  whole add: its figures show what one call costs, not what a person sees.`
    : ''
}

### Machine

- CPU: ${facts.cpu}, ${facts.cores} logical cores; RAM ${facts.ramGiB} GiB; ${facts.kernel}; Node ${facts.node}
- Browser: Chromium ${ctx.browser.version()} (headless, GPU off, driven by Playwright), default 1280×720 viewport
- Load average (1 / 5 / 15 min) before: ${load(loadBefore)}; after: ${load(loadAfter)}.
- ${
    withCpu.length === 0
      ? 'Other processes: not measured (needs Linux /proc).'
      : `Other processes (not the bench, its server or its browser) used ${withCpu.reduce((a, r) => a + r.otherCpu!, 0).toFixed(1)} CPU s during the measured runs; ` +
        (
          disturbed.length === 0
            ? 'no run had them use more than 10% of one core.'
            : `${disturbed.length} of ${withCpu.length} runs had them use more than 10% of one core (see "other CPU s" under "Every run"): those runs are slower than on a quiet machine.`
        )
  }

### Setup

- Element built from the working tree: ${facts.source}. Page \`${PAGE}\` (bench/view.html and bench/view-page.ts, built by
  Vite with the other bench pages, served by the reference server under its strict Content-Security-Policy):
  \`<asset-uploader no-auto-start multiple endpoint="${ENDPOINT}">\` and nothing else (no event log, no other listener).
  Nothing is uploaded (\`no-auto-start\`); each run checks that every upload is still \`queued\` and that the page
  sent no request to the endpoint's API.
- Files built in the page, in a task before the measured one: \`new File(['file <i>\\n'], 'f-<i>.bin')\`, distinct names.
  Each run checks that all were taken (one \`upload-add\` each, no \`file-reject\`).
  - drop: in that same earlier task, a \`new DataTransfer()\` with \`transfer.items.add(file)\` for each file. Measured:
    \`dragenter\` and \`dragover\` on the drop zone (\`[part=drop-zone]\` in the shadow root), then t0, then \`drop\`, all
    \`DragEvent\`s \`{ dataTransfer, bubbles: true, cancelable: true, composed: true }\` (as test/support/harness.ts
    \`dropFiles\`). Each run checks that the element took the drop (its default was prevented) and that it takes
    drops in pieces (\`dropInOnePiece\` false: \`multiple\`, and the endpoint's protocol has no server batch).
  - addFiles: t0, then one \`element.addFiles(files)\` call.
- ${sizes} files, ${ways.length === 1 ? 'one way' : `each way`}, ${ctx.runs} runs each, in an order that rotates from round to round; each run on a fresh browser
  context and page load. One unrecorded run of ${WARM_UP_FILES} files per way first. Figures: median, min and max of the ${ctx.runs} runs.
- **add → rendered**: from t0 to the end of the first animation frame after
  (1) all \`upload-add\` events have fired and (2) \`await element.updateComplete\` has resolved \`true\` (no update
  pending). "End of the frame" is when a message posted from inside that frame's \`requestAnimationFrame\` callback
  is delivered: after the frame's style, layout and paint on the main thread, so the list's layout is included. If
  that frame's shadow root held no \`[part~=file]\` row, or an update was pending again, the next frame is waited for
  (at most 600; "frames waited" below). All times are \`performance.now()\` in the page.
- **Long tasks**: a \`PerformanceObserver\` for \`longtask\` entries (\`buffered: true\`, so Chromium's ≥ 50 ms tasks),
  made before t0; counted are the entries that overlap t0 … rendered + 500 ms, so the task that runs \`addFiles\` (or
  the drop's handler) counts, and so do the later pieces and rendering tasks. "Longest task" is the longest of them
  (0 when none). For each, "Every run" says whether t0 lies in it and how many \`upload-add\` events fired during it.
- **Engine add calls (pieces)**: runs of \`upload-add\` events with no microtask checkpoint between them; the engine fires
  one \`add\` call's events synchronously, so each run is one call (addFiles: 1; a drop: one per piece).
- **Rows / elements**: \`shadowRoot.querySelectorAll('[part~=file]').length\` and
  \`shadowRoot.querySelectorAll('*').length\` (elements of the element's own shadow tree, not text nodes), counted
  after those 500 ms, once the observer has been disconnected.

### Results

${summary.join('\n')}

#### Where the time goes (medians, ms from t0)

"Call returned" is the synchronous part: all of \`addFiles\`, or, for a drop, the \`drop\` event's dispatch (the
handler up to its first \`await\`: it takes every dropped entry from the \`DataTransfer\` at once, as it must while the
event is handled). "updateComplete" is when Lit's update (render and commit of the list into the shadow DOM) has
finished after the last add; "rendered" adds the browser's style, layout and paint of that frame.

${phases.join('\n')}

#### The longest task

${longestTasks.join('\n')}

#### Every run

${every.join('\n')}

### Caveats

- Headless Chromium, GPU off, on ${facts.cores} shared cores: the times depend on the machine (a desktop browser on a
  faster one will be quicker), the numbers of rows and elements do not.
- The drop is synthetic: its \`DataTransfer\` is made by the page, and its items are files (no folders), so no
  folder is walked; a real drop of a folder reads its entries asynchronously, in the browser's own chunks, as well.
  The picker and a paste skip the entry capture and cut the file list into the same pieces.
- Only adding is measured: no upload runs, no row changes state, no scrolling. A virtualized list should also be measured
  while scrolling and while many uploads report progress.
- Total time of this section: ${f1(elapsed)} s.
`;
}
