/** One upload's row: name, size, progress, rate, status, actions, and where it went. */
import { html, nothing, type TemplateResult } from 'lit';
import { formatSize } from '../engine/size.js';
import { UploadStatus, type UploadSnapshot } from '../engine/types.js';
import { fillIsolated, isolated } from './bidi.js';
import { fill, type UploaderI18n } from './i18n.js';
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

export function fileRow(upload: UploadSnapshot, i18n: UploaderI18n, actions: RowActions, state: RowState = {}, locale?: string): TemplateResult {
  const { id, status } = upload;
  // After a rename the server's name is the one to show.
  const name = upload.asset?.name ?? upload.name;
  const running = status === UploadStatus.Uploading || status === UploadStatus.Preparing || status === UploadStatus.Retrying || status === UploadStatus.Queued || status === UploadStatus.Elsewhere;
  const finished = status === UploadStatus.Success || status === UploadStatus.Aborted;
  const percent = Math.floor(upload.progress * 100);
  const assetHref = safeHref(upload.asset?.url);
  const button = (label: string, handler: (id: string) => void, part: string) =>
    html`<button type="button" class="action" part="action ${part}" aria-label="${label}: ${name}" @click=${() => handler(id)}>${label}</button>`;
  return html`<li part="file file-${status}" data-id=${id} data-status=${status}>
    <span part="file-name" title=${name}>${isolated(name)}</span>
    <span part="file-meta">
      <span part="file-size">${upload.bytesUploaded > 0 && status !== UploadStatus.Success ? `${formatSize(upload.bytesUploaded, locale)} / ` : ''}${formatSize(upload.size, locale)}</span>
      · <span part="file-status">${i18n.status[status]}${status === UploadStatus.Uploading ? ` ${percent}%` : ''}${status === UploadStatus.Processing && upload.serverStatus ? ` (${upload.serverStatus})` : ''}</span>
      ${status === UploadStatus.Uploading && upload.bytesPerSecond > 0 ? html`· <span part="file-speed">${fill(i18n.speed, { speed: formatSize(upload.bytesPerSecond, locale) })}</span>` : nothing}
      ${upload.resumedFrom > 0 ? html`· <span part="file-resumed">${fill(i18n.resumedFrom, { size: formatSize(upload.resumedFrom, locale) })}</span>` : nothing}
    </span>
    <progress part="progress" max="100" .value=${percent} aria-label=${fill(i18n.progressLabel, { name })}></progress>
    <span part="file-actions">
      ${running ? button(i18n.pause, actions.pause, 'pause-button') : nothing}
      ${status === UploadStatus.Paused ? button(i18n.resume, actions.resume, 'resume-button') : nothing}
      ${status === UploadStatus.Error ? button(i18n.retry, actions.retry, 'retry-button') : nothing}
      ${upload.assetActions.includes('rename') ? button(i18n.rename, () => actions.edit(id, 'rename'), 'rename-button') : nothing}
      ${upload.assetActions.includes('delete') ? button(i18n.deleteAsset, () => actions.edit(id, 'delete'), 'delete-button') : nothing}
      ${finished ? button(i18n.remove, actions.remove, 'remove-button') : button(i18n.cancel, actions.cancel, 'cancel-button')}
    </span>
    ${state.editing === 'rename' ? renameForm(id, name, i18n, actions) : nothing}
    ${state.editing === 'delete' ? deleteConfirm(id, name, i18n, actions) : nothing}
    ${upload.error ? html`<span part="file-error">${errorText(upload, i18n)}</span>` : nothing}
    ${state.note ? html`<span part="file-error" role="alert">${state.note}</span>` : nothing}
    ${upload.asset?.produced?.length
      ? html`<ul part="produced" aria-label=${fill(i18n.producedLabel, { name })}>
          ${upload.asset.produced.map((asset) => {
            const href = safeHref(asset.url);
            const label = isolated(asset.name ?? asset.url ?? asset.id);
            return html`<li>${href ? html`<a part="file-link" href=${href} target="_blank" rel="noopener noreferrer">${label}</a>` : label}</li>`;
          })}
        </ul>`
      : assetHref
        ? html`<a part="file-link" href=${assetHref} target="_blank" rel="noopener noreferrer">${i18n.openAsset}: <bdi>${assetHref}</bdi></a>`
        : nothing}
  </li>`;
}

function renameForm(id: string, name: string, i18n: UploaderI18n, actions: RowActions): TemplateResult {
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('name') as HTMLInputElement;
    if (input.value.trim()) actions.rename(id, input.value.trim());
  };
  return html`<form part="rename-form" @submit=${submit}>
    <label>${fillIsolated(i18n.renameLabel, { name })} <input part="rename-input" name="name" required .value=${name} /></label>
    <button type="submit" class="action" part="action save-button">${i18n.save}</button>
    <button type="button" class="action" part="action keep-button" @click=${() => actions.edit(id, undefined)}>${i18n.cancel}</button>
  </form>`;
}

function deleteConfirm(id: string, name: string, i18n: UploaderI18n, actions: RowActions): TemplateResult {
  const question = fill(i18n.deleteConfirm, { name });
  return html`<div part="delete-confirm" role="group" aria-label=${question}>
    <span>${fillIsolated(i18n.deleteConfirm, { name })}</span>
    <button type="button" class="action" part="action confirm-delete-button" @click=${() => actions.delete(id)}>${i18n.deleteAsset}</button>
    <button type="button" class="action" part="action keep-button" @click=${() => actions.edit(id, undefined)}>${i18n.keep}</button>
  </div>`;
}

export function errorText(upload: UploadSnapshot, i18n: UploaderI18n): string {
  const error = upload.error;
  if (!error) return '';
  const template = i18n.errors[error.code] ?? i18n.errors.default;
  return fill(template, { message: error.message, status: error.status, name: upload.name });
}
