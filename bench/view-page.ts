/// <reference lib="dom" />
/**
 * The view bench's page script (bench/view.html): the element, loaded as an app would load it
 * (src/index.ts, built by Vite), and the two functions bench/view.ts calls through
 * `page.evaluate`. Every time is taken here, in the page, with performance.now().
 *
 * `prepare(count, way)` builds the files (and, for `drop`, the DataTransfer) in one task;
 * `measure()` adds them in a later one, in one of two ways (ViewWay):
 *   drop      what a person does (a drop; the picker and a paste take the same path in pieces):
 *             `dragenter` and `dragover` on the drop zone, then t0, then the `drop`, as
 *             test/support/harness.ts `dropFiles` does. The element takes the files in pieces,
 *             one task each (src/ui/gestures.ts, src/ui/drop.ts).
 *   addFiles  the element's API: one synchronous `element.addFiles(files)` call, which returns
 *             the snapshots it took, so it adds every file in the task that calls it.
 *   t0        just before `element.addFiles(files)`, or just before dispatching the `drop`
 *   returned  that call returned (everything it does synchronously: for a drop, the handler's
 *             part before its first await, which captures every dropped entry)
 *   added     the last of the `count` upload-add events fired (waited for, not assumed: a drop
 *             fires them over many tasks)
 *   updated   after that, `await element.updateComplete` resolved true (no update pending)
 *   rendered  the end: the first animation frame after `updated` whose rendering is done
 *             (a message posted from inside its requestAnimationFrame callback is delivered
 *             after that frame's style, layout and paint on the main thread), at which the
 *             shadow root holds at least one `[part~=file]` row and no update is pending;
 *             later frames are waited for (at most MAX_FRAMES) if it does not yet.
 * Long tasks: a PerformanceObserver (`longtask`, `buffered: true`) made before t0; kept are the
 * entries that overlap t0 .. rendered + 500 ms (the task that runs addFiles, or the drop, included);
 * each says whether t0 lies in it and how many upload-add events fired inside it.
 * Pieces: runs of upload-add events with no microtask checkpoint between them, i.e. one engine
 * `add` call each (addFiles: one; a drop: one per piece of 250). The rows
 * and elements are counted after those 500 ms, once the observer is disconnected, so the
 * counting (a walk over the whole shadow tree) is not one of the tasks measured.
 */
import '../src/index.js';
import type { AssetUploader } from '../src/asset-uploader.js';
import { VIEW_WAYS, type ViewWay } from './view-ways.js';

export interface LongTask {
  /** Start relative to t0, and duration, ms. */
  readonly startMs: number;
  readonly durationMs: number;
  /** Whether t0 (the addFiles call, or the drop's dispatch) lies in this task. */
  readonly hasT0: boolean;
  /** upload-add events fired during this task. */
  readonly adds: number;
}

export interface ViewMeasurement {
  readonly way: ViewWay;
  readonly count: number;
  /** upload-add events seen, and `element.uploads.length`, at `rendered`. */
  readonly adds: number;
  readonly uploads: number;
  /** Uploads still `queued` after the window (all of them: `no-auto-start`), and requests the page made to the endpoint's API (none expected). */
  readonly queued: number;
  readonly endpointRequests: number;
  /** drop: whether the drop event's default was prevented (the element took it); addFiles: true. */
  readonly dropTaken: boolean;
  /** `element.dropInOnePiece` after the window (false: a drop is added in pieces). */
  readonly dropInOnePiece: boolean;
  /** From t0 (see above), ms. */
  readonly returnedMs: number;
  /** The first upload-add event. */
  readonly firstAddMs: number;
  readonly addedMs: number;
  readonly updatedMs: number;
  readonly renderedMs: number;
  /** Frames waited after `updated` (1 when the first frame already showed rows). */
  readonly frames: number;
  /** Engine add calls seen (runs of upload-add events, see the header), and the most files in one. */
  readonly pieces: number;
  readonly largestPiece: number;
  /** Long tasks overlapping t0 .. rendered + 500 ms. */
  readonly longTasks: LongTask[];
  /** `shadowRoot.querySelectorAll('[part~=file]').length` and `('*').length`, after the window. */
  readonly rows: number;
  readonly elements: number;
}

export interface ViewBenchApi {
  prepare(count: number, way: ViewWay): void;
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

let prepared: { way: ViewWay; files: File[]; transfer: DataTransfer | undefined } | undefined;

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
  prepare(count: number, way: ViewWay): void {
    if (!(VIEW_WAYS as readonly string[]).includes(way)) throw new Error(`view bench page: no way "${String(way)}"`);
    const files: File[] = [];
    for (let i = 0; i < count; i++) files.push(new File([`file ${i}\n`], `f-${i}.bin`, { type: 'application/octet-stream' }));
    let transfer: DataTransfer | undefined;
    if (way === 'drop') {
      transfer = new DataTransfer();
      for (const file of files) transfer.items.add(file);
      if (transfer.items.length !== count) throw new Error(`view bench page: the DataTransfer holds ${transfer.items.length} items, not ${count}`);
    }
    prepared = { way, files, transfer };
  },

  async measure(): Promise<ViewMeasurement> {
    if (!prepared) throw new Error('view bench page: prepare() first');
    const { way, files, transfer } = prepared;
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
    /** performance.now() of every upload-add, and the size of each piece (see the header). */
    const addTimes: number[] = [];
    const pieceSizes: number[] = [];
    let inPiece = false;
    let allAdded: () => void = () => undefined;
    let refused: (error: Error) => void = () => undefined;
    const added = new Promise<void>((resolve, reject) => {
      allAdded = resolve;
      refused = reject;
    });
    el.addEventListener('upload-add', () => {
      addTimes.push(performance.now());
      if (!inPiece) {
        // The next microtask checkpoint ends this piece: the engine fires one add call's events synchronously.
        inPiece = true;
        pieceSizes.push(0);
        queueMicrotask(() => {
          inPiece = false;
        });
      }
      pieceSizes[pieceSizes.length - 1]!++;
      if (++adds === count) {
        addedAt = performance.now();
        allAdded();
      }
    });
    // Every file must be taken: a refusal (a duplicate, a limit) would make it a different list.
    el.addEventListener('file-reject', (event) => refused(new Error(`view bench page: a file was refused: ${JSON.stringify(event.detail.file)}`)));

    let dropTaken = true;
    let t0: number;
    if (way === 'drop') {
      // As test/support/harness.ts dropFiles: over the drop zone, then the drop, all bubbling and composed.
      const zone = el.shadowRoot!.querySelector<HTMLElement>('[part=drop-zone]');
      if (!zone) throw new Error('view bench page: no [part=drop-zone]');
      const init: DragEventInit = { dataTransfer: transfer!, bubbles: true, cancelable: true, composed: true };
      zone.dispatchEvent(new DragEvent('dragenter', init));
      zone.dispatchEvent(new DragEvent('dragover', init));
      const drop = new DragEvent('drop', init);
      t0 = performance.now();
      zone.dispatchEvent(drop);
      dropTaken = drop.defaultPrevented;
    } else {
      t0 = performance.now();
      el.addFiles(files);
    }
    const returned = performance.now();
    if (!dropTaken) throw new Error('view bench page: the element did not take the drop (its default was not prevented)');
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
      .map((e): LongTask => {
        const from = e.startTime;
        const to = e.startTime + e.duration;
        return { startMs: from - t0, durationMs: e.duration, hasT0: from <= t0 && t0 < to, adds: addTimes.filter((t) => t >= from && t <= to).length };
      })
      .sort((a, b) => a.startMs - b.startMs);
    const root = el.shadowRoot!;
    // The endpoint's API, by its first path segment (`/content-range/` for `/content-range/videos/upload.json`).
    const api = `/${new URL(el.endpoint, location.href).pathname.split('/')[1]}/`;
    return {
      way,
      count,
      adds,
      uploads: el.uploads.length,
      queued: el.uploads.filter((u) => u.status === 'queued').length,
      endpointRequests: performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.startsWith(api)).length,
      dropTaken,
      dropInOnePiece: el.dropInOnePiece,
      returnedMs: returned - t0,
      firstAddMs: (addTimes[0] ?? t0) - t0,
      addedMs: addedAt - t0,
      updatedMs: updated - t0,
      renderedMs: rendered - t0,
      frames,
      pieces: pieceSizes.length,
      largestPiece: Math.max(0, ...pieceSizes),
      longTasks,
      rows: root.querySelectorAll('[part~=file]').length,
      elements: root.querySelectorAll('*').length,
    };
  },
};
