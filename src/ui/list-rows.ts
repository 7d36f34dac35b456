/**
 * The rows of the list: plain rows while it is short, virtualized from `VIRTUALIZE_FROM`
 * rows on (@lit-labs/virtualizer: only rows near the view are in the DOM).
 *
 * Shorter lists are plain rows: as fast, and free of the benign "ResizeObserver loop
 * completed with undelivered notifications" reports the virtualizer makes while it
 * measures new rows (lit/lit#3154), which reach a page's error tracking.
 *
 * The virtualizer is most of the list's code and most lists never need it, so it is
 * loaded (`import()`, a chunk beside the drop-in) the first time a list reaches that
 * size. Until it has loaded, the list shows its first `ROWS_WHILE_LOADING` rows as plain
 * rows: about what the virtualizer shows at the top of a list (the rows in view and a few
 * more). Not all of them: a 10,000-file drop must not render 10,000 rows in one task, and
 * not even 40: rendering 40 new rows in one frame made a task of 50-65 ms in the view
 * bench (drop of 10,000 files, Chromium), where 20 make none. If the virtualizer cannot
 * be loaded (a network failure), every row is rendered plainly: slower, nothing hidden.
 */
import type { ReactiveControllerHost, TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { UploadSnapshot } from '../engine/types.js';

export const VIRTUALIZE_FROM = 40;
/** Plain rows shown while the virtualizer loads. */
export const ROWS_WHILE_LOADING = 20;

type VirtualRows = typeof import('./virtual-rows.js').virtualRows;

let virtualRows: VirtualRows | undefined;
let loadStarted = false;
let failed = false;
/** Elements that rendered a long list before the virtualizer was there: they render again once it is. */
const waiting = new Set<ReactiveControllerHost>();

const key = (upload: UploadSnapshot) => upload.id;

function load(): Promise<void> {
  return import('./virtual-rows.js').then(
    (module) => {
      virtualRows = module.virtualRows;
    },
    (error: unknown) => {
      failed = true;
      console.warn(`<asset-uploader>: the virtualized list could not be loaded (${(error as Error)?.message ?? error}); every row is rendered instead.`);
    },
  );
}

export function listRows(host: ReactiveControllerHost, uploads: readonly UploadSnapshot[], row: (upload: UploadSnapshot) => TemplateResult): unknown {
  if (uploads.length < VIRTUALIZE_FROM || failed) return repeat(uploads, key, row);
  if (virtualRows) return virtualRows(uploads, row);
  waiting.add(host);
  if (!loadStarted) {
    loadStarted = true;
    void load().then(() => {
      for (const waiter of waiting) waiter.requestUpdate();
      waiting.clear();
    });
  }
  return repeat(uploads.slice(0, ROWS_WHILE_LOADING), key, row);
}
