/**
 * One upload's row, compact (about 60 px): a preview or file-type icon; the name on one
 * line with the ellipsis in the middle (the extension stays visible; the whole name is in
 * `title` and in the text a screen reader reads); a status line (state · `x of y` · speed
 * · time left); a slim progress bar; icon buttons named after the file.
 *
 * The buttons that replace each other (pause → resume → retry, cancel → remove) share one
 * template position, so Lit updates the same `<button>` in place and keyboard focus stays
 * on it when the upload changes state.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { UploadStatus, type UploadSnapshot } from '../engine/types.js';
import { displayName, fillIsolated } from './bidi.js';
import { formatBytes, formatDuration, formatPercent, formatSpeed, secondsLeft } from './format.js';
import { fill, type UploaderI18n } from './i18n.js';
import { fileKind, icon, type IconName } from './icons.js';
import { drawBitmap } from './previews.js';
import { safeHref } from './safe-url.js';

export interface RowActions {
  pause(id: string): void;
  resume(id: string): void;
  cancel(id: string): void;
  retry(id: string): void;
  remove(id: string): void;
  edit(id: string, mode: 'rename' | 'delete' | undefined): void;
  rename(id: string, name: string): void;
  delete(id: string): void;
}

/** What the row is doing beyond its upload: an open rename form or delete confirmation, a message. */
export interface RowState {
  readonly editing?: 'rename' | 'delete' | undefined;
  readonly note?: string | undefined;
}

export interface RowContext {
  readonly i18n: UploaderI18n;
  readonly actions: RowActions;
  readonly locale: string | undefined;
  readonly state?: RowState | undefined;
  /** A decoded thumbnail, for image files whose preview is ready. */
  readonly preview?: ImageBitmap | undefined;
  /** The element is disabled: its buttons are too, as a disabled fieldset's are (links stay). */
  readonly disabled?: boolean | undefined;
}

const RUNNING: ReadonlySet<UploadStatus> = new Set([
  UploadStatus.Queued,
  UploadStatus.Preparing,
  UploadStatus.Uploading,
  UploadStatus.Retrying,
  UploadStatus.Elsewhere,
]);

export function fileRow(upload: UploadSnapshot, context: RowContext): TemplateResult {
  const { i18n: t, actions, state = {}, disabled = false } = context;
  const { id, status } = upload;
  // After a rename the server's name is the one to show.
  const name = upload.asset?.name ?? upload.name;
  const label = upload.relativePath || name;
  const finished = status === UploadStatus.Success || status === UploadStatus.Aborted;
  const button = (action: IconName, text: string, handler: () => void, part: string) =>
    html`<button type="button" class="action icon-button" part="action ${part}" aria-label=${fill(t.actionLabel, { action: text, name: label })} title=${text} ?disabled=${disabled} @click=${handler}>${icon(action)}</button>`;
  let primary: TemplateResult | typeof nothing = nothing;
  if (RUNNING.has(status)) primary = button('pause', t.pause, () => actions.pause(id), 'pause-button');
  else if (status === UploadStatus.Paused) primary = button('resume', t.resume, () => actions.resume(id), 'resume-button');
  else if (status === UploadStatus.Error) primary = button('retry', t.retry, () => actions.retry(id), 'retry-button');
  // Remove (off the list) is an ×, as Cancel is; the bin is only for Delete (from the server).
  const last =
    finished || status === UploadStatus.Error
      ? button('cancel', t.remove, () => actions.remove(id), 'remove-button')
      : button('cancel', t.cancel, () => actions.cancel(id), 'cancel-button');
  return html`<li part="file file-${status}" class="row" data-id=${id} data-status=${status}>
    ${thumbnail(upload, context)}
    <span class="name-line">${nameText(upload.relativePath, name)}</span>
    <span part="file-meta" class="meta">${statusLine(upload, context, name)}</span>
    <span part="file-actions" class="actions">
      ${primary}
      ${upload.assetActions.includes('rename') ? button('rename', t.rename, () => actions.edit(id, 'rename'), 'rename-button') : nothing}
      ${upload.assetActions.includes('delete') ? button('delete', t.deleteAsset, () => actions.edit(id, 'delete'), 'delete-button') : nothing}
      ${last}
    </span>
    <progress part="progress" class="bar" max="100" .value=${Math.floor(upload.progress * 100)} aria-label=${fill(t.progressLabel, { name: label })}></progress>
    ${state.editing === 'rename' ? renameForm(id, name, t, actions, disabled) : nothing}
    ${state.editing === 'delete' ? deleteConfirm(id, name, t, actions, disabled) : nothing}
    ${state.note ? html`<span part="file-error" class="note" role="alert">${state.note}</span>` : nothing}
    ${produced(upload, t, name)}
  </li>`;
}

function thumbnail(upload: UploadSnapshot, { preview, i18n }: RowContext): TemplateResult {
  if (preview) {
    return html`<canvas part="file-preview" class="thumb" aria-hidden="true" ${drawBitmap(preview)}></canvas>`;
  }
  const kind = fileKind(upload.type, upload.name);
  return html`<span part="file-icon" class="thumb icon-${kind}" data-kind=${kind} title=${i18n.kinds[kind]} aria-hidden="true">${icon(kind)}</span>`;
}

/**
 * The name with the ellipsis in the middle: the start shrinks, the last characters (the
 * extension) stay. A folder path comes first, dimmed, and shrinks before the name does.
 *
 * A name with any right-to-left character is shown whole, with the ellipsis at its end:
 * cut in two, each part would be laid out in its own bidi paragraph and a mixed name's
 * words could come out in an order the whole name never has.
 */
function nameText(relativePath: string, name: string): TemplateResult {
  const slash = relativePath.lastIndexOf('/');
  const folder = slash > 0 ? relativePath.slice(0, slash + 1) : '';
  const shown = displayName(name);
  const [start, end] = RIGHT_TO_LEFT.test(shown) ? [shown, ''] : splitTail(shown, 8);
  // The exact name (bidi controls and all) stays in the tooltip; the screen shows it made safe.
  return html`${folder ? html`<bdi part="file-path" class="path" dir="auto">${displayName(folder)}</bdi>` : nothing}<span part="file-name" class="name" title=${relativePath || name}
      ><bdi dir="auto" class="name-bdi"><span class="name-start">${start}</span>${end ? html`<span class="name-end">${end}</span>` : nothing}</bdi></span
    >`;
}

/**
 * Letters of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko and their
 * neighbours, the presentation forms, and the historic and Adlam blocks beyond the BMP).
 */
const RIGHT_TO_LEFT = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFE\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;

/** Made once: rows render every frame while bytes move. */
let segmenter: Intl.Segmenter | undefined;

/**
 * Splits off about the last `count` user-perceived characters (a grapheme is never cut in
 * two). The two parts are flex items, and a flex item's leading and trailing spaces
 * collapse away, so the cut moves (towards the start, keeping more of the end) to lie
 * between two characters that are not white space; with no such place near, the name
 * stays whole.
 */
function splitTail(text: string, count: number): [string, string] {
  if (typeof Intl.Segmenter === 'function') segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const graphemes = segmenter ? Array.from(segmenter.segment(text), (s) => s.segment) : Array.from(text);
  if (graphemes.length <= count * 2) return [text, ''];
  const blank = (g: string | undefined) => g === undefined || /^\s+$/u.test(g);
  let cut = graphemes.length - count;
  const lowest = graphemes.length - count * 2;
  while (cut > lowest && (blank(graphemes[cut - 1]) || blank(graphemes[cut]))) cut--;
  if (blank(graphemes[cut - 1]) || blank(graphemes[cut])) return [text, ''];
  return [graphemes.slice(0, cut).join(''), graphemes.slice(cut).join('')];
}

function statusLine(upload: UploadSnapshot, { i18n: t, locale }: RowContext, name: string): TemplateResult {
  const { status } = upload;
  const pieces: TemplateResult[] = [];
  // Each piece isolated in its own <bdi>, inside a span that carries the separator (drawn by
  // CSS before it, outside the isolate, so in RTL it still sits between the pieces).
  const piece = (part: string, content: unknown) => html`<span class="piece"><bdi part=${part}>${content}</bdi></span>`;
  let state = t.status[status];
  if (status === UploadStatus.Uploading) state = `${state} ${formatPercent(upload.progress, locale)}`;
  if (status === UploadStatus.Processing && upload.serverStatus) state = `${state} (${upload.serverStatus})`;
  pieces.push(piece('file-status', state));
  if (status === UploadStatus.Error) {
    pieces.push(html`<span class="piece"><span part="file-error" class="error">${errorText(upload, t)}</span></span>`);
  } else if (status === UploadStatus.Success || upload.bytesUploaded === 0 || upload.bytesUploaded >= upload.size) {
    pieces.push(piece('file-size', formatBytes(upload.size, locale)));
  } else {
    pieces.push(piece('file-size', fill(t.progressOf, { done: formatBytes(upload.bytesUploaded, locale), total: formatBytes(upload.size, locale) })));
  }
  if (status === UploadStatus.Uploading && upload.bytesPerSecond > 0) {
    pieces.push(piece('file-speed', fill(t.speed, { speed: formatSpeed(upload.bytesPerSecond, locale) })));
    const left = secondsLeft(upload.size - upload.bytesUploaded, upload.bytesPerSecond);
    if (left !== undefined) pieces.push(piece('file-eta', fill(t.eta, { time: formatDuration(left, locale) })));
  }
  if (upload.resumedFrom > 0) pieces.push(piece('file-resumed', fill(t.resumedFrom, { size: formatBytes(upload.resumedFrom, locale) })));
  const href = safeHref(upload.asset?.url);
  if (href && !upload.asset?.produced?.length) {
    // In a piece of its own, so the separator drawn before it is not part of the link.
    pieces.push(
      html`<span class="piece"><a part="file-link" class="link" href=${href} target="_blank" rel="noopener noreferrer" aria-label=${fill(t.openAssetLabel, { name: displayName(name) })}>${t.openAsset}</a></span>`,
    );
  }
  // Separators are drawn by CSS (::before), so a piece hidden on narrow screens takes its own with it.
  return html`${pieces}`;
}

function produced(upload: UploadSnapshot, t: UploaderI18n, name: string): TemplateResult | typeof nothing {
  const assets = upload.asset?.produced;
  if (!assets?.length) return nothing;
  return html`<ul part="produced" class="produced" aria-label=${fill(t.producedLabel, { name: displayName(name) })}>
    ${assets.map((asset) => {
      const href = safeHref(asset.url);
      const text = html`<bdi>${displayName(asset.name ?? asset.url ?? asset.id)}</bdi>`;
      return html`<li>${href ? html`<a part="file-link" href=${href} target="_blank" rel="noopener noreferrer">${text}</a>` : text}</li>`;
    })}
  </ul>`;
}

function renameForm(id: string, name: string, i18n: UploaderI18n, actions: RowActions, disabled: boolean): TemplateResult {
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('name') as HTMLInputElement;
    if (input.value.trim()) actions.rename(id, input.value.trim());
  };
  const keydown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') actions.edit(id, undefined);
  };
  return html`<form part="rename-form" class="editor" @submit=${submit} @keydown=${keydown}>
    <label class="editor-label">${fillIsolated(i18n.renameLabel, { name })} <input part="rename-input" name="name" required ?disabled=${disabled} .value=${name} /></label>
    <span class="editor-buttons">
      <button type="submit" class="action text-button" part="action save-button" ?disabled=${disabled}>${i18n.save}</button>
      <button type="button" class="action text-button" part="action keep-button" ?disabled=${disabled} @click=${() => actions.edit(id, undefined)}>${i18n.cancel}</button>
    </span>
  </form>`;
}

function deleteConfirm(id: string, name: string, i18n: UploaderI18n, actions: RowActions, disabled: boolean): TemplateResult {
  const question = fill(i18n.deleteConfirm, { name: displayName(name) });
  return html`<div part="delete-confirm" class="editor" role="group" aria-label=${question}>
    <span class="editor-label">${fillIsolated(i18n.deleteConfirm, { name })}</span>
    <span class="editor-buttons">
      <button type="button" class="action text-button danger" part="action confirm-delete-button" ?disabled=${disabled} @click=${() => actions.delete(id)}>${i18n.deleteAsset}</button>
      <button type="button" class="action text-button" part="action keep-button" ?disabled=${disabled} @click=${() => actions.edit(id, undefined)}>${i18n.keep}</button>
    </span>
  </div>`;
}

export function errorText(upload: UploadSnapshot, i18n: UploaderI18n): string {
  const error = upload.error;
  if (!error) return '';
  const template = i18n.errors[error.code] ?? i18n.errors.default;
  return fill(template, { message: error.message, status: error.status, name: upload.name });
}
