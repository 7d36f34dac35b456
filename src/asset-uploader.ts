import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styles } from './asset-uploader.styles.js';
import { parseSize, formatSize } from './engine/size.js';
import { activeStatuses, UploadStatus, type RejectedFile, type UploaderEventMap, type UploadSnapshot } from './engine/types.js';
import { Uploader, type UploaderOptions } from './engine/uploader.js';
import type { Asset } from './protocols/protocol.js';
import { fillIsolated } from './ui/bidi.js';
import { filesFromDataTransfer } from './ui/drop.js';
import { optionsFromAttributes } from './ui/attributes.js';
import { errorText, fileRow, type RowActions, type RowState } from './ui/file-row.js';
import { defaultI18n, fill, mergeI18n, type UploaderI18n, type UploaderI18nInput } from './ui/i18n.js';
import { UploaderController } from './uploader-controller.js';

/**
 * A form field that uploads files of any size, resumably and verifiably.
 *
 * @summary Drop, paste or pick files; each is sent in MD5-checked parts that survive
 * reloads and dropped networks. The field's value is what it uploaded.
 *
 * @attr endpoint - The API URL (`content-range`: the URL that creates an upload session; `tus`: the creation URL; `session`: the sessions collection; `phased` and `registry`: the assets collection; `signed-parts`: the uploads collection).
 * @attr protocol - Server API: `content-range` (default), `tus`, `session`, `phased`, `signed-parts` or `registry`.
 * @attr chunk-size - Part size: bytes or `8MB`, `5MiB`… Default 8 MiB.
 * @attr accept - Accepted types, as `<input type=file accept>`: `.pdf,image/*`.
 * @attr max-file-size - Largest file taken: bytes or `20GB`.
 * @attr max-files - Most files taken.
 * @attr multiple - Allow more than one file.
 * @attr concurrency - Files uploaded at once. Default 2.
 * @attr parallel-parts - Parts of one file sent at once, where the API's parts are independent (`signed-parts`). Default 3.
 * @attr no-auto-start - Wait for `start()` instead of starting on add.
 * @attr disabled - Take no files.
 * @attr transport - `auto` (default), `put` (streaming parts) or `form` (one multipart/form-data POST).
 * @attr no-checksum - Do not compute and send each part's MD5.
 * @attr no-resume - Do not keep resume state across reloads.
 * @attr with-credentials - Send cookies to the endpoint's origin.
 * @attr allowed-origins - Space-separated origins a server `Location` may move an upload to.
 * @attr retry-delays - Milliseconds to wait before each retry, space- or comma-separated. Default `0 1000 3000 5000`.
 * @attr stall-timeout - Milliseconds without progress after which a request counts as stalled: it is dropped, and the upload asks the server what it holds and goes on. Default 30000; 0 turns it off.
 * @attr storage-endpoint - `registry` only: the `signed-parts` uploads collection that stores the bytes before the asset is registered.
 * @attr fields - JSON object of members added to the record the API creates (`registry`: `{"user_id":"usr_ada"}` goes into `data`).
 * @attr name - Form field name; each uploaded asset adds one entry (its URL, or id).
 * @attr required - The form is invalid until a file is uploaded.
 * @attr token - Bearer token for the endpoint's origin (never stored); the `token` property is preferred.
 *
 * @fires upload-add - A file was taken into the queue. `detail: { id, upload }`.
 * @fires file-reject - A file was refused (size, type, count, duplicate). `detail: { file: { name, size, type, reason, message } }`.
 * @fires upload-start - An upload (re)started. `detail: { id, upload }`.
 * @fires upload-progress - Bytes moved. `detail: { id, upload }`.
 * @fires upload-retry - A recoverable failure; trying again after `delayMs`. `detail: { id, upload, error, attempt, delayMs }`.
 * @fires upload-pause - `detail: { id, upload }`.
 * @fires upload-resume - `detail: { id, upload }`.
 * @fires upload-wait - Another tab or element is uploading the same file to the same server upload; this one waits (status `elsewhere`) and takes over when that one stops. `detail: { id, upload }`.
 * @fires upload-success - The server confirmed the whole file. `detail: { id, upload, asset }`.
 * @fires upload-error - Failed for good (until `retry`). `detail: { id, upload, error }`.
 * @fires upload-abort - Cancelled. `detail: { id, upload }`.
 * @fires upload-complete - Nothing is queued or running any more. `detail: { successful, failed }`.
 * @fires asset-rename - An uploaded asset was renamed on the server. `detail: { id, upload, asset }`.
 * @fires asset-delete - An uploaded asset was deleted on the server. `detail: { id, upload }`.
 * @fires change - The form value changed.
 *
 * @slot label - Replaces the drop zone's label.
 *
 * @csspart base - The wrapper.
 * @csspart drop-zone - The button that takes drops and opens the file picker.
 * @csspart hint - The text under the label (accepted types, size limit).
 * @csspart file-list - The list of uploads.
 * @csspart file - One upload's row; also `file-<status>`.
 * @csspart file-name - A row's file name (text, never HTML).
 * @csspart file-meta - A row's size, status, rate and resume note.
 * @csspart file-size - Bytes sent and total.
 * @csspart file-status - The row's status text.
 * @csspart file-speed - The upload rate.
 * @csspart file-resumed - "continued from …" when the server already held part of the file.
 * @csspart progress - The `<progress>` of a row.
 * @csspart file-actions - The row's buttons; each is `action` plus `pause-button`, `resume-button`, `retry-button`, `cancel-button`, `remove-button`, `rename-button` or `delete-button`.
 * @csspart file-error - A row's error message.
 * @csspart rename-form - The inline form that renames an uploaded asset; `rename-input` is its field.
 * @csspart delete-confirm - The inline question before deleting an uploaded asset.
 * @csspart file-link - Where a finished upload went (one per asset the server made).
 * @csspart produced - The list of assets the server made of one file (a zip's entries).
 * @csspart rejections - The list of refused files.
 * @csspart rejection - One refused file's message.
 * @csspart notice - A message about the uploader as a whole (resume off, misconfiguration).
 *
 * @cssprop --asset-uploader-gap - Space between rows.
 * @cssprop --asset-uploader-radius - Corner radius.
 * @cssprop --asset-uploader-border-color - Drop zone and row borders.
 * @cssprop --asset-uploader-drop-background - Drop zone background.
 * @cssprop --asset-uploader-drop-active-background - Drop zone background while files are dragged over.
 * @cssprop --asset-uploader-focus-ring - Focus indicator (a box-shadow).
 * @cssprop --asset-uploader-progress-color - Progress bar colour.
 * @cssprop --asset-uploader-error-color - Error text colour.
 * @cssprop --asset-uploader-success-color - Link colour of finished uploads.
 *
 * @cssstate dragover - Files are being dragged over the element.
 */
export class AssetUploader extends LitElement {
  static override styles = styles;
  static formAssociated = true;
  static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: true };

  static override properties = {
    endpoint: { type: String },
    protocol: { type: String },
    chunkSize: { type: String, attribute: 'chunk-size' },
    accept: { type: String },
    maxFileSize: { type: String, attribute: 'max-file-size' },
    maxFiles: { type: Number, attribute: 'max-files' },
    multiple: { type: Boolean },
    concurrency: { type: Number },
    parallelParts: { type: Number, attribute: 'parallel-parts' },
    noAutoStart: { type: Boolean, attribute: 'no-auto-start' },
    disabled: { type: Boolean, reflect: true },
    transport: { type: String },
    noChecksum: { type: Boolean, attribute: 'no-checksum' },
    noResume: { type: Boolean, attribute: 'no-resume' },
    withCredentials: { type: Boolean, attribute: 'with-credentials' },
    allowedOrigins: { type: String, attribute: 'allowed-origins' },
    retryDelays: { type: String, attribute: 'retry-delays' },
    stallTimeout: { type: Number, attribute: 'stall-timeout' },
    storageEndpoint: { type: String, attribute: 'storage-endpoint' },
    fields: { type: String },
    name: { type: String },
    required: { type: Boolean },
    headers: { attribute: false },
    i18n: { attribute: false },
    _rejections: { state: true },
    _notice: { state: true },
    _announcement: { state: true },
    _dragging: { state: true },
    _rows: { state: true },
    token: { type: String },
  };

  declare endpoint: string;
  declare protocol: string;
  declare chunkSize: string;
  declare accept: string;
  declare maxFileSize: string;
  declare maxFiles: number | undefined;
  declare multiple: boolean;
  declare concurrency: number | undefined;
  declare parallelParts: number | undefined;
  declare noAutoStart: boolean;
  declare disabled: boolean;
  declare transport: 'auto' | 'put' | 'form';
  declare noChecksum: boolean;
  declare noResume: boolean;
  declare withCredentials: boolean;
  declare allowedOrigins: string;
  declare retryDelays: string;
  declare stallTimeout: number | undefined;
  declare storageEndpoint: string;
  declare fields: string;
  declare name: string;
  declare required: boolean;
  /** Extra request headers for the endpoint's origin only (an `Authorization`, say). Never stored. */
  declare headers: Readonly<Record<string, string>>;
  /** Texts, deep-merged over the English defaults. */
  declare i18n: UploaderI18nInput;
  declare _rejections: readonly RejectedFile[];
  declare _notice: string;
  declare _announcement: string;
  declare _dragging: boolean;
  declare _rows: ReadonlyMap<string, RowState>;
  /**
   * A bearer token for the endpoint (sent as `Authorization: Bearer …` to the endpoint's
   * origin only, never stored). Prefer setting the property from script; the attribute
   * exists for CMS templates.
   */
  declare token: string;

  readonly #internals: ElementInternals;
  readonly #controller = new UploaderController(this, (event) => this.#onEngineEvent(event));
  readonly #warned = new Set<string>();
  #texts: UploaderI18n = defaultI18n;
  /** Last announced quarter per upload, so progress is announced at 25/50/75 %, not every frame. */
  readonly #announcedQuarter = new Map<string, number>();
  #formValue = '';
  /** A selector to focus after the next render (keeps focus sensible as rows change). */
  #focusAfterRender: string | undefined;

  constructor() {
    super();
    this.endpoint = '';
    this.protocol = 'content-range';
    this.chunkSize = '';
    this.accept = '';
    this.maxFileSize = '';
    this.maxFiles = undefined;
    this.multiple = false;
    this.concurrency = undefined;
    this.parallelParts = undefined;
    this.noAutoStart = false;
    this.disabled = false;
    this.transport = 'auto';
    this.noChecksum = false;
    this.noResume = false;
    this.withCredentials = false;
    this.allowedOrigins = '';
    this.retryDelays = '';
    this.stallTimeout = undefined;
    this.storageEndpoint = '';
    this.fields = '';
    this.name = '';
    this.required = false;
    this.headers = {};
    this.i18n = {};
    this._rejections = [];
    this._notice = '';
    this._announcement = '';
    this._dragging = false;
    this._rows = new Map();
    this.token = '';
    this.#internals = this.attachInternals();
    this.addEventListener('paste', this.#onPaste);
  }

  /** The engine, for everything the attributes do not cover. Created on first use. */
  get uploader(): Uploader | undefined {
    return this.#controller.uploader;
  }

  /** Snapshots of every upload in the list. */
  get uploads(): readonly UploadSnapshot[] {
    return this.uploader?.uploads ?? [];
  }

  /** What was uploaded: the assets the server reported, in list order. */
  get value(): readonly Asset[] {
    return this.uploads.flatMap((upload) => (upload.asset ? [upload.asset] : []));
  }

  get form(): HTMLFormElement | null {
    return this.#internals.form;
  }
  get validity(): ValidityState {
    return this.#internals.validity;
  }
  get validationMessage(): string {
    return this.#internals.validationMessage;
  }
  checkValidity(): boolean {
    return this.#internals.checkValidity();
  }
  reportValidity(): boolean {
    return this.#internals.reportValidity();
  }

  /** Adds files as a drop would. Returns the uploads taken. */
  addFiles(files: Iterable<File> | ArrayLike<File>): UploadSnapshot[] {
    let list = Array.from(files as ArrayLike<File>);
    this._rejections = [];
    const uploader = this.#ensureUploader();
    if (!uploader) return [];
    if (this.disabled) {
      for (const file of list) this.#reject({ name: file.name, size: file.size, type: file.type, reason: 'disabled', message: 'The uploader is disabled.' });
      return [];
    }
    if (!this.multiple && list.length > 1) {
      for (const file of list.slice(1)) this.#reject({ name: file.name, size: file.size, type: file.type, reason: 'too_many_files', message: 'Only one file can be added.' });
      list = list.slice(0, 1);
    }
    const added = uploader.add(list);
    if (added.length > 0) this.#announce(fill(this.#texts.announce.added, { count: added.length }));
    void this.#checkResumeNotice(uploader);
    return added;
  }

  /** Opens the browser's file picker. */
  openPicker(): void {
    if (this.disabled) return;
    this.renderRoot.querySelector<HTMLInputElement>('input[type=file]')?.click();
  }

  /** Starts queued uploads (with `no-auto-start`). */
  start(): void {
    this.uploader?.start();
  }
  pauseUpload(id: string): void {
    this.uploader?.pause(id);
  }
  resumeUpload(id: string): void {
    this.uploader?.resume(id);
  }
  retryUpload(id: string): void {
    this.uploader?.retry(id);
  }
  cancelUpload(id: string): Promise<void> {
    return this.uploader?.cancel(id) ?? Promise.resolve();
  }
  removeUpload(id: string): Promise<void> {
    return (this.uploader?.remove(id) ?? Promise.resolve()).then(() => this.#syncForm());
  }

  formResetCallback(): void {
    for (const upload of this.uploads) void this.removeUpload(upload.id);
    this._rejections = [];
  }

  formDisabledCallback(disabled: boolean): void {
    this.disabled = disabled;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#syncForm();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('i18n')) this.#texts = mergeI18n(defaultI18n, this.i18n);
    const uploader = this.uploader;
    if (uploader && [...changed.keys()].some((key) => !String(key).startsWith('_') && key !== 'i18n' && key !== 'name' && key !== 'required')) {
      try {
        uploader.setOptions(this.#options());
        this._notice = '';
      } catch (error) {
        this._notice = fill(this.#texts.notices.misconfigured, { message: (error as Error).message });
      }
    }
    if (changed.has('required') || changed.has('name')) this.#syncForm();
  }

  protected override render() {
    const t = this.#texts;
    const hints = [t.dropHint];
    if (this.accept) hints.push(fill(t.dropHintAccept, { accept: this.accept }));
    const maxSize = parseSize(this.maxFileSize || undefined);
    if (maxSize !== undefined) hints.push(fill(t.dropHintMaxSize, { size: formatSize(maxSize) }));
    return html`<div part="base" class="base">
      <button
        type="button"
        part="drop-zone"
        class=${this._dragging ? 'dragover' : ''}
        ?disabled=${this.disabled}
        aria-describedby="hint"
        @click=${this.openPicker}
        @dragenter=${this.#onDragOver}
        @dragover=${this.#onDragOver}
        @dragleave=${this.#onDragLeave}
        @drop=${this.#onDrop}
      >
        <slot name="label">${this._dragging ? t.dropActive : t.dropLabel}</slot>
        <span id="hint" part="hint" class="hint">${hints.join(' ')}</span>
      </button>
      <input type="file" hidden tabindex="-1" aria-hidden="true" ?multiple=${this.multiple} accept=${this.accept || nothing} @change=${this.#onPicked} />
      ${this._notice ? html`<p part="notice" role="status">${this._notice}</p>` : nothing}
      ${this._rejections.length
        ? html`<ul part="rejections" aria-label="Files not added">
            ${this._rejections.map((r) => html`<li part="rejection" data-reason=${r.reason}>${this.#rejectionText(r)}</li>`)}
          </ul>`
        : nothing}
      ${this.uploads.length
        ? html`<ul part="file-list" aria-label="Uploads">
            ${repeat(this.uploads, (u) => u.id, (u) => fileRow(u, t, this.#rowActions, this._rows.get(u.id)))}
          </ul>`
        : nothing}
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this._announcement}</div>
    </div>`;
  }

  readonly #rowActions: RowActions = {
    pause: (id) => this.pauseUpload(id),
    resume: (id) => this.resumeUpload(id),
    cancel: (id) => void this.cancelUpload(id),
    retry: (id) => this.retryUpload(id),
    remove: (id) => void this.removeUpload(id),
    edit: (id, mode) => {
      const previous = this._rows.get(id)?.editing;
      this.#setRow(id, { editing: mode });
      // Focus follows: into the form or question, and back to the button that opened it.
      const row = `[data-id="${id}"]`;
      if (mode === 'rename') this.#focusAfterRender = `${row} [part=rename-input]`;
      else if (mode === 'delete') this.#focusAfterRender = `${row} [part~=keep-button]`;
      else if (previous) this.#focusAfterRender = `${row} [part~=${previous}-button]`;
    },
    rename: (id, name) => void this.renameAsset(id, name).catch(() => undefined),
    delete: (id) => void this.deleteAsset(id).catch(() => undefined),
  };

  /** Renames an uploaded asset on the server, where the protocol can. Failures show on the row. */
  async renameAsset(id: string, name: string): Promise<void> {
    const before = this.uploader?.get(id);
    try {
      await this.uploader?.renameAsset(id, name);
      this.#setRow(id, {});
      this.#announce(fill(this.#texts.announce.renamed, { name: before?.asset?.name ?? before?.name, to: name }));
      this.#focusAfterRender = `[data-id="${id}"] [part~=rename-button]`;
      this.#syncForm();
    } catch (error) {
      this.#setRow(id, { editing: 'rename', note: (error as Error).message });
      throw error;
    }
  }

  /** Deletes an uploaded asset on the server, where the protocol can, and drops its row. */
  async deleteAsset(id: string): Promise<void> {
    const before = this.uploader?.get(id);
    try {
      await this.uploader?.deleteAsset(id);
      this.#setRow(id, undefined);
      this.#announce(fill(this.#texts.announce.deleted, { name: before?.asset?.name ?? before?.name }));
      this.#focusAfterRender = '[part=drop-zone]';
      this.#syncForm();
    } catch (error) {
      this.#setRow(id, { editing: 'delete', note: (error as Error).message });
      throw error;
    }
  }

  #setRow(id: string, state: RowState | undefined): void {
    const rows = new Map(this._rows);
    if (state) rows.set(id, state);
    else rows.delete(id);
    this._rows = rows;
  }

  protected override updated(): void {
    if (!this.#focusAfterRender) return;
    const target = this.renderRoot.querySelector<HTMLElement>(this.#focusAfterRender);
    this.#focusAfterRender = undefined;
    target?.focus();
  }

  #ensureUploader(): Uploader | undefined {
    if (this.uploader) return this.uploader;
    try {
      const uploader = new Uploader(this.#options());
      this.#controller.attach(uploader);
      this._notice = '';
      return uploader;
    } catch (error) {
      this._notice = fill(this.#texts.notices.misconfigured, { message: (error as Error).message });
      this.#warn('options', (error as Error).message);
      return undefined;
    }
  }

  /** Attribute text -> engine options; bad values warn once and fall back to the default. */
  #options(): UploaderOptions {
    return optionsFromAttributes(this, (key, message) => this.#warn(key, message));
  }

  #warn(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    console.warn(message);
  }

  async #checkResumeNotice(uploader: Uploader): Promise<void> {
    if (uploader.transport === 'form') {
      this._notice = this.#texts.notices.formOnly;
    } else if (uploader.options.resume && !(await uploader.resumePersistent())) {
      this._notice = this.#texts.notices.resumeOff;
    }
  }

  #reject(file: RejectedFile): void {
    this._rejections = [...this._rejections, file];
    const event: UploaderEventMap['file-reject'] = new CustomEvent('file-reject', { detail: Object.freeze({ file }), bubbles: true, composed: true });
    this.dispatchEvent(event);
  }

  #rejectionText(rejection: RejectedFile): TemplateResult {
    return fillIsolated(this.#texts.rejections[rejection.reason], {
      name: rejection.name,
      size: formatSize(rejection.size),
      limit: formatSize(parseSize(this.maxFileSize) ?? 0),
      accept: this.accept,
      max: this.maxFiles,
    });
  }

  #onEngineEvent(event: CustomEvent): void {
    const t = this.#texts.announce;
    const detail = event.detail as { upload?: UploadSnapshot; file?: RejectedFile };
    const upload = detail.upload;
    switch (event.type) {
      case 'file-reject':
        if (detail.file) this._rejections = [...this._rejections, detail.file];
        break;
      case 'upload-success':
        this.#announce(fill(t.success, { name: upload?.name }));
        this.#syncForm();
        break;
      case 'upload-error':
        if (upload) this.#announce(fill(t.error, { name: upload.name, message: errorText(upload, this.#texts) }));
        this.#syncForm();
        break;
      case 'upload-pause':
        this.#announce(fill(t.paused, { name: upload?.name }));
        break;
      case 'upload-abort':
        this.#announce(fill(t.aborted, { name: upload?.name }));
        this.#syncForm();
        break;
      case 'upload-progress':
        if (upload) this.#announceProgress(upload);
        if (this.uploader?.hashingError && !this.noChecksum && !this._notice) this._notice = this.#texts.notices.checksumOff;
        break;
      case 'upload-add':
      case 'upload-complete':
        this.#syncForm();
        break;
    }
  }

  #announceProgress(upload: UploadSnapshot): void {
    const quarter = Math.floor(upload.progress * 4);
    if (quarter <= (this.#announcedQuarter.get(upload.id) ?? 0) || quarter >= 4) return;
    this.#announcedQuarter.set(upload.id, quarter);
    this.#announce(fill(this.#texts.announce.progress, { name: upload.name, percent: `${quarter * 25}%` }));
  }

  #announce(text: string): void {
    this._announcement = text;
  }

  /** Form value: one entry per uploaded asset; invalid while uploads run or when required and empty. */
  #syncForm(): void {
    const assets = this.value;
    // One entry per asset the server made: a zip's entries each count.
    const entries = assets.flatMap((asset) => (asset.produced?.length ? asset.produced : [asset]).map((a) => a.url ?? a.id));
    const serialised = JSON.stringify(entries);
    if (this.name) {
      const data = new FormData();
      for (const entry of entries) data.append(this.name, entry);
      this.#internals.setFormValue(entries.length ? data : null);
    } else {
      this.#internals.setFormValue(null);
    }
    const anchor = this.renderRoot?.querySelector?.<HTMLElement>('[part=drop-zone]') ?? undefined;
    const busy = this.uploads.some((u) => activeStatuses.has(u.status) || u.status === UploadStatus.Paused);
    if (busy) this.#internals.setValidity({ customError: true }, 'Wait until the uploads finish.', anchor);
    else if (this.required && entries.length === 0) this.#internals.setValidity({ valueMissing: true }, 'Please upload a file.', anchor);
    else this.#internals.setValidity({});
    if (serialised !== this.#formValue) {
      this.#formValue = serialised;
      this.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }

  #setDragState(on: boolean): void {
    this._dragging = on;
    try {
      if (on) this.#internals.states.add('dragover');
      else this.#internals.states.delete('dragover');
    } catch {
      // CustomStateSet without :state() support; the .dragover class still styles it.
    }
  }

  readonly #onDragOver = (event: DragEvent): void => {
    if (this.disabled || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    if (!this._dragging) this.#setDragState(true);
  };

  readonly #onDragLeave = (): void => {
    this.#setDragState(false);
  };

  readonly #onDrop = async (event: DragEvent): Promise<void> => {
    event.preventDefault();
    this.#setDragState(false);
    if (!event.dataTransfer) return;
    this.addFiles(await filesFromDataTransfer(event.dataTransfer));
  };

  readonly #onPicked = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    if (input.files) this.addFiles(input.files);
    input.value = ''; // picking the same file again must fire change again
  };

  readonly #onPaste = (event: ClipboardEvent): void => {
    const files = event.clipboardData?.files;
    if (!files || files.length === 0 || this.disabled) return;
    event.preventDefault();
    this.addFiles(files);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'asset-uploader': AssetUploader;
  }
  interface HTMLElementEventMap extends UploaderEventMap {}
}
