/**
 * The bar over a list of two or more files: total progress in bytes, overall speed and
 * time left, counts, and the actions on every file at once. `summarize` is one pass over
 * the snapshots (O(n) per frame at most: the element renders once per animation frame).
 */
import { html, nothing, type TemplateResult } from 'lit';
import { activeStatuses, UploadStatus, type UploadSnapshot } from '../engine/types.js';
import { fillCount, formatBytes, formatDuration, formatSpeed, secondsLeft } from './format.js';
import { fill, type PluralText, type UploaderI18n } from './i18n.js';
import { icon } from './icons.js';

export interface Summary {
  readonly total: number;
  readonly bytes: number;
  readonly bytesUploaded: number;
  readonly bytesPerSecond: number;
  readonly done: number;
  readonly failed: number;
  /** Not finished: queued, running, paused. */
  readonly remaining: number;
  readonly queued: number;
  /** Queued files waiting for Upload (`no-auto-start`), not only for a free slot. */
  readonly held: number;
  readonly running: number;
  readonly paused: number;
  /** Success or cancelled: what "Clear finished" takes away. */
  readonly finished: number;
  /**
   * Bytes still to send by the uploads this tab is sending (preparing, uploading, retrying)
   * or will send as slots come free: the time left counts these, and no paused, failed,
   * held or other tab's upload.
   */
  readonly bytesLeft: number;
}

export function summarize(uploads: readonly UploadSnapshot[]): Summary {
  let bytes = 0;
  let bytesUploaded = 0;
  let bytesPerSecond = 0;
  let done = 0;
  let failed = 0;
  let queued = 0;
  let running = 0;
  let paused = 0;
  let aborted = 0;
  let held = 0;
  let bytesLeft = 0;
  for (const u of uploads) {
    if (u.status === UploadStatus.Aborted) {
      aborted++;
      continue;
    }
    bytes += u.size;
    bytesUploaded += u.status === UploadStatus.Success ? u.size : u.bytesUploaded;
    if (u.status === UploadStatus.Uploading) bytesPerSecond += u.bytesPerSecond;
    if (u.status === UploadStatus.Success) done++;
    else if (u.status === UploadStatus.Error) failed++;
    else if (u.status === UploadStatus.Paused) paused++;
    else if (u.status === UploadStatus.Queued) {
      queued++;
      if (u.held) held++;
    }
    if (
      (u.status === UploadStatus.Queued && !u.held) ||
      u.status === UploadStatus.Preparing ||
      u.status === UploadStatus.Uploading ||
      u.status === UploadStatus.Retrying
    ) {
      bytesLeft += u.size - u.bytesUploaded;
    }
    if (activeStatuses.has(u.status) && u.status !== UploadStatus.Queued) running++;
  }
  return {
    total: uploads.length,
    bytes,
    bytesUploaded,
    bytesPerSecond,
    done,
    failed,
    remaining: queued + running + paused,
    queued,
    held,
    running,
    paused,
    finished: done + aborted,
    bytesLeft,
  };
}

export interface SummaryActions {
  start(): void;
  pauseAll(): void;
  resumeAll(): void;
  cancelAll(): void;
  retryFailed(): void;
  clearFinished(): void;
}

/** `disabled`: the element is; so are the bar's buttons, as a disabled fieldset's are. */
export function summaryBar(s: Summary, t: UploaderI18n, locale: string | undefined, actions: SummaryActions, disabled = false): TemplateResult {
  const count = (text: PluralText, n: number) => fillCount(text, n, locale);
  const counts = [count(t.summary.done, s.done), ...(s.failed ? [count(t.summary.failed, s.failed)] : []), count(t.summary.remaining, s.remaining)];
  const pieces = [fill(t.progressOf, { done: formatBytes(s.bytesUploaded, locale), total: formatBytes(s.bytes, locale) })];
  if (s.running > 0 && s.bytesPerSecond > 0) {
    pieces.push(formatSpeed(s.bytesPerSecond, locale));
    const left = secondsLeft(s.bytesLeft, s.bytesPerSecond);
    if (left !== undefined) pieces.push(fill(t.eta, { time: formatDuration(left, locale) }));
  }
  // By bytes; when every file is empty (0 bytes, nothing to count by), by files done.
  const [whole, done] = s.bytes > 0 ? [s.bytes, s.bytesUploaded] : [s.done + s.failed + s.remaining, s.done];
  const button = (part: string, text: string, handler: () => void, name: Parameters<typeof icon>[0], extra = '') =>
    html`<button type="button" class="action text-button ${extra}" part="action ${part}" ?disabled=${disabled} @click=${handler}>${icon(name)}<span>${text}</span></button>`;
  // Pause all and Resume all share one position, so focus stays on the button when it flips.
  const toggle =
    s.running > 0 || s.queued > s.held
      ? button('pause-all-button', t.summary.pauseAll, actions.pauseAll, 'pause')
      : s.paused > 0
        ? button('resume-all-button', t.summary.resumeAll, actions.resumeAll, 'resume')
        : nothing;
  return html`<div part="summary" class="summary" role="group" aria-label=${t.summary.label}>
    <div class="summary-text">
      <bdi part="summary-counts">${counts.join(' · ')}</bdi>
      <bdi part="summary-bytes">${pieces.join(' · ')}</bdi>
    </div>
    <progress part="total-progress" class="bar total" max=${Math.max(1, whole)} .value=${done} aria-label=${t.summary.totalProgressLabel}></progress>
    <div class="summary-actions">
      ${s.held > 0 ? button('start-button', count(t.summary.start, s.held), actions.start, 'upload', 'primary') : nothing}
      ${toggle}
      ${s.failed > 0 ? button('retry-all-button', t.summary.retryFailed, actions.retryFailed, 'retry') : nothing}
      ${s.remaining > 0 ? button('cancel-all-button', t.summary.cancelAll, actions.cancelAll, 'cancel') : nothing}
      ${s.finished > 0 ? button('clear-button', t.summary.clearFinished, actions.clearFinished, 'clear') : nothing}
    </div>
  </div>`;
}
