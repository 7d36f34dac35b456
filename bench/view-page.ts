/// <reference lib="dom" />
/**
 * The view bench's page script (bench/view.html): the element, loaded as an app would load it
 * (src/index.ts, built by Vite), and the two functions bench/view.ts calls through
 * `page.evaluate`. Every time is taken here, in the page, with performance.now().
 *
 * `prepare(count)` builds the files in one task; `measure()` adds them in a later one:
 *   t0        just before `element.addFiles(files)`
 *   returned  addFiles returned (everything it does synchronously)
 *   added     the last of the `count` upload-add events fired (today inside addFiles; a rewrite
 *             may spread them over later tasks, so this is waited for, not assumed)
 *   updated   after that, `await element.updateComplete` resolved true (no update pending)
 *   rendered  the end: the first animation frame after `updated` whose rendering is done
 *             (a message posted from inside its requestAnimationFrame callback is delivered
 *             after that frame's style, layout and paint on the main thread), at which the
 *             shadow root holds at least one `[part~=file]` row and no update is pending;
 *             later frames are waited for (at most MAX_FRAMES) if it does not yet.
 * Long tasks: a PerformanceObserver (`longtask`, `buffered: true`) made before t0; kept are the
 * entries that overlap t0 .. rendered + 500 ms (the task that runs addFiles included). The rows
 * and elements are counted after those 500 ms, once the observer is disconnected, so the
 * counting (a walk over the whole shadow tree) is not one of the tasks measured.
 */
import '../src/index.js';
import type { AssetUploader } from '../src/asset-uploader.js';

export interface ViewMeasurement {
  readonly count: number;
  /** upload-add events seen, and `element.uploads.length`, at `rendered`. */
  readonly adds: number;
  readonly uploads: number;
  /** Uploads still `queued` after the window (all of them: `no-auto-start`), and requests the page made to the endpoint's API (none expected). */
  readonly queued: number;
  readonly endpointRequests: number;
  /** From t0 (see above), ms. */
  readonly returnedMs: number;
  readonly addedMs: number;
  readonly updatedMs: number;
  readonly renderedMs: number;
  /** Frames waited after `updated` (1 when the first frame already showed rows). */
  readonly frames: number;
  /** Long tasks overlapping t0 .. rendered + 500 ms: start relative to t0, duration. */
  readonly longTasks: Array<{ startMs: number; durationMs: number }>;
  /** `shadowRoot.querySelectorAll('[part~=file]').length` and `('*').length`, after the window. */
  readonly rows: number;
  readonly elements: number;
}

export interface ViewBenchApi {
  prepare(count: number): void;
  measure(): Promise<ViewMeasurement>;
}

declare global {
  interface Window {
    assetUploaderViewBench: ViewBenchApi;
  }
}

/** After `rendered`, how long long tasks are still collected. */
const SETTLE_MS = 500;
/** Frames waited for rows to appear after `updated` (about 10 s at 60 Hz). */
const MAX_FRAMES = 600;

let prepared: File[] | undefined;

/** Resolves after the next frame's rendering (see the header). */
function afterNextFrame(): Promise<void> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(0);
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function element(): AssetUploader {
  const found = document.querySelector('asset-uploader');
  if (!found?.shadowRoot) throw new Error('view bench page: no rendered <asset-uploader>');
  return found;
}

/** Waits until no update is pending (updateComplete resolves false while another one is queued). */
async function settled(el: AssetUploader): Promise<void> {
  while (!(await el.updateComplete)) {
    // another update was requested during the last one
  }
}

window.assetUploaderViewBench = {
  prepare(count: number): void {
    const files: File[] = [];
    for (let i = 0; i < count; i++) files.push(new File([`file ${i}\n`], `f-${i}.bin`, { type: 'application/octet-stream' }));
    prepared = files;
  },

  async measure(): Promise<ViewMeasurement> {
    const files = prepared;
    if (!files) throw new Error('view bench page: prepare() first');
    prepared = undefined;
    if (!PerformanceObserver.supportedEntryTypes.includes('longtask')) throw new Error('view bench page: this browser has no longtask entries');
    const el = element();
    const count = files.length;
    await settled(el);
    // t0 starts a task of its own: whatever prepare() left behind has been rendered.
    await afterNextFrame();

    const entries: PerformanceEntry[] = [];
    const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
    observer.observe({ type: 'longtask', buffered: true });
    let adds = 0;
    let addedAt = 0;
    let allAdded: () => void = () => undefined;
    let refused: (error: Error) => void = () => undefined;
    const added = new Promise<void>((resolve, reject) => {
      allAdded = resolve;
      refused = reject;
    });
    el.addEventListener('upload-add', () => {
      if (++adds === count) {
        addedAt = performance.now();
        allAdded();
      }
    });
    // Every file must be taken: a refusal (a duplicate, a limit) would make it a different list.
    el.addEventListener('file-reject', (event) => refused(new Error(`view bench page: a file was refused: ${JSON.stringify(event.detail.file)}`)));

    const t0 = performance.now();
    el.addFiles(files);
    const returned = performance.now();
    await added;
    await settled(el);
    const updated = performance.now();
    let frames = 0;
    for (;;) {
      await afterNextFrame();
      frames++;
      if (el.shadowRoot!.querySelector('[part~=file]') && !el.isUpdatePending) break;
      if (frames >= MAX_FRAMES) throw new Error(`view bench page: no row in the shadow root ${frames} frames after updateComplete`);
    }
    const rendered = performance.now();

    await sleep(SETTLE_MS);
    entries.push(...observer.takeRecords());
    observer.disconnect();
    const end = rendered + SETTLE_MS;
    const longTasks = entries
      .filter((e) => e.startTime + e.duration > t0 && e.startTime < end)
      .map((e) => ({ startMs: e.startTime - t0, durationMs: e.duration }))
      .sort((a, b) => a.startMs - b.startMs);
    const root = el.shadowRoot!;
    // The endpoint's API, by its first path segment (`/content-range/` for `/content-range/videos/upload.json`).
    const api = `/${new URL(el.endpoint, location.href).pathname.split('/')[1]}/`;
    return {
      count,
      adds,
      uploads: el.uploads.length,
      queued: el.uploads.filter((u) => u.status === 'queued').length,
      endpointRequests: performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.startsWith(api)).length,
      returnedMs: returned - t0,
      addedMs: addedAt - t0,
      updatedMs: updated - t0,
      renderedMs: rendered - t0,
      frames,
      longTasks,
      rows: root.querySelectorAll('[part~=file]').length,
      elements: root.querySelectorAll('*').length,
    };
  },
};
