import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { styles } from './asset-uploader.styles.js';
import { UploadStatus, type FileToAdd, type RejectedFile, type UploaderEventMap, type UploadSnapshot } from './engine/types.js';
import { Uploader, type UploaderOptions } from './engine/uploader.js';
import type { Asset } from './engine/protocol.js';
import { loadProtocol, protocolPending } from './engine/protocol-registry.js';
import { AnnouncerController } from './ui/announcer.js';
import { optionsFromAttributes } from './ui/attributes.js';
import { fileRow, type RowActions } from './ui/file-row.js';
import { rejectionList, rejectionMessage } from './ui/rejections.js';
import { GestureTally, outcomeOf } from './ui/announcements.js';
import { dropArea } from './ui/drop-area.js';
import { FormValueController } from './ui/form-value.js';
import { fillCount } from './ui/format.js';
import { GestureController } from './ui/gestures.js';
import { listRows } from './ui/list-rows.js';
import { defaultI18n, fill, mergeI18n, type UploaderI18n, type UploaderI18nInput } from './ui/i18n.js';
import { PreviewController } from './ui/previews.js';
import { defaultOf, litProperties, propertyTable, restoreDefaults, type UploaderPropertyValues } from './ui/properties.js';
import { RowEditingController, rowSelector } from './ui/row-editing.js';
import { summarize, summaryBar, type SummaryActions } from './ui/summary.js';
import { UploaderController } from './uploader-controller.js';

export interface AssetUploader extends UploaderPropertyValues {}

/**
 * A form field that uploads files of any size, resumably and verifiably.
 *
 * Attributes, properties and events are declared in `src/ui/properties.ts` and
 * `src/ui/events.ts`; the manifest plugin documents them from there and from their texts
 * in `src/ui/property-docs.ts` and `src/ui/event-docs.ts`.
 *
 * @summary Drop, paste or pick files; each is sent in MD5-checked parts that survive
 * reloads and dropped networks. The field's value is what it uploaded.
 *
 * @slot label - Replaces the drop zone's label.
 *
 * @csspart base - The wrapper.
 * @csspart drop-area - The dashed box that holds the drop zone's button and hint (the whole element takes drops).
 * @csspart drop-zone - The button that opens the file picker (and takes drops).
 * @csspart hint - The text under the button (accepted types, size and count limits); the button's description.
 * @csspart summary - The bar over two or more files: totals and the buttons for every file.
 * @csspart summary-counts - Files done, failed and remaining.
 * @csspart summary-bytes - Bytes sent of all, overall speed and time left.
 * @csspart total-progress - The `<progress>` of all files' bytes.
 * @csspart start-button - Starts queued uploads (`no-auto-start`).
 * @csspart pause-all-button - Pauses every running upload.
 * @csspart resume-all-button - Resumes every paused upload.
 * @csspart cancel-all-button - Cancels every upload not finished.
 * @csspart retry-all-button - Retries every failed upload.
 * @csspart clear-button - Removes finished and cancelled uploads from the list.
 * @csspart file-list - The list of uploads (virtualized: only rows near the view are in the DOM).
 * @csspart file - One upload's row; also `file-<status>`.
 * @csspart file-preview - A row's thumbnail (a `<canvas>`), image files only.
 * @csspart file-icon - A row's file-type icon, when there is no thumbnail; `data-kind` says which.
 * @csspart file-path - The folder a file came from in a dropped folder (`2024/`).
 * @csspart file-name - A row's file name (text, never HTML).
 * @csspart file-meta - A row's status line.
 * @csspart file-status - The row's status text.
 * @csspart file-size - Bytes sent and total.
 * @csspart file-speed - The upload rate.
 * @csspart file-eta - Time left.
 * @csspart file-resumed - "continued from …" when the server already held part of the file.
 * @csspart progress - The `<progress>` of a row.
 * @csspart file-actions - The row's buttons; each is `action` plus `pause-button`, `resume-button`, `retry-button`, `cancel-button`, `remove-button`, `rename-button` or `delete-button`.
 * @csspart file-error - A row's error message.
 * @csspart rename-form - The inline form that renames an uploaded asset; `rename-input` is its field.
 * @csspart delete-confirm - The inline question before deleting an uploaded asset.
 * @csspart file-link - The "Open" link of a finished upload (one per asset the server made).
 * @csspart produced - The list of assets the server made of one file (a zip's entries).
 * @csspart rejections - The list of refused files.
 * @csspart rejection - One refused file's message.
 * @csspart notice - A message about the uploader as a whole (resume off, misconfiguration).
 *
 * @cssprop --asset-uploader-accent - The accent: progress, focus ring, primary button. Default a blue that reads in both schemes.
 * @cssprop --asset-uploader-background - Rows', notices' and the summary's background. Default a faint tint of the text colour over the page's own background.
 * @cssprop --asset-uploader-text-color - Text colour. Default inherited from the page.
 * @cssprop --asset-uploader-muted-color - Secondary text: status lines, hints, folder paths.
 * @cssprop --asset-uploader-gap - Space between rows.
 * @cssprop --asset-uploader-radius - Corner radius.
 * @cssprop --asset-uploader-border-color - Drop zone and row borders.
 * @cssprop --asset-uploader-drop-background - Drop zone background.
 * @cssprop --asset-uploader-drop-active-background - Drop zone background while files are dragged over.
 * @cssprop --asset-uploader-focus-ring - Focus indicator (a box-shadow).
 * @cssprop --asset-uploader-progress-color - Progress bar colour (default: the accent).
 * @cssprop --asset-uploader-track-color - The empty part of progress bars.
 * @cssprop --asset-uploader-error-color - Failure markers: failed rows' dot and bar, the rejections' stripe (messages stay in the text colour, for contrast).
 * @cssprop --asset-uploader-success-color - Finished rows' dot and bar.
 * @cssprop --asset-uploader-list-max-height - Height past which the list scrolls. Default `min(70vh, 36rem)`.
 *
 * @cssstate dragover - Files are being dragged over the element.
 */
export class AssetUploader extends LitElement {
  static override styles = styles;
  static formAssociated = true;
  static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: true };

  static override properties = {
    ...litProperties(),
    _rejections: { state: true },
    _notice: { state: true },
    _formDisabled: { state: true },
  };

  /** Texts, deep-merged over the English defaults. */
  declare i18n: UploaderI18nInput;
  declare _rejections: readonly RejectedFile[];
  declare _notice: string;
  declare _formDisabled: boolean;

  readonly #internals: ElementInternals;
  readonly #controller = new UploaderController(this, (event) => this.#onEngineEvent(event));
  readonly #form: FormValueController;
  readonly #announcer = new AnnouncerController(this);
  readonly #gestures: GestureController;
  readonly #rows = new RowEditingController(this);
  readonly #previews = new PreviewController(this, (id) => this.uploader?.fileOf(id));
  readonly #warned = new Set<string>();
  #texts: UploaderI18n = defaultI18n;
  /** The gesture being taken (a drop may add its files in several batches). */
  #gesture: GestureTally | undefined;

  constructor() {
    super();
    for (const key of Object.keys(propertyTable) as Array<keyof typeof propertyTable>) (this as Record<string, unknown>)[key] = defaultOf(key);
    this._rejections = [];
    this._notice = '';
    this._formDisabled = false;
    this.#internals = this.attachInternals();
    this.#form = new FormValueController(
      this,
      this.#internals,
      () => this.#texts.validation,
      () => this.#dropZone(),
    );
    this.#gestures = new GestureController(this, this.#internals);
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

  /** @internal See GestureHost. */
  get dropInOnePiece(): boolean {
    return !this.multiple || !!this.#ensureUploader()?.options.protocol.createBatch;
  }

  /** Disabled by its own attribute or by a disabled `<fieldset>` around it. */
  get effectivelyDisabled(): boolean {
    return this.disabled || this._formDisabled;
  }

  /** The form the element belongs to. */
  get form(): HTMLFormElement | null {
    return this.#internals.form;
  }
  /** The `<label>` elements that name the element (`<label for>`, or a wrapping label). */
  get labels(): NodeList {
    return this.#internals.labels;
  }
  /** Its validity: `customError` while uploads run or are paused, `valueMissing` when `required` and nothing is uploaded. */
  get validity(): ValidityState {
    return this.#internals.validity;
  }
  /** What the browser shows when the form is submitted while invalid. */
  get validationMessage(): string {
    return this.#internals.validationMessage;
  }
  /** As on native fields: false (and an `invalid` event) while invalid. */
  checkValidity(): boolean {
    return this.#internals.checkValidity();
  }
  /** As on native fields: shows the validation message at the drop zone while invalid. */
  reportValidity(): boolean {
    return this.#internals.reportValidity();
  }

  /**
   * Adds files at once, as one gesture (one announcement); returns the uploads taken.
   * Drops, the picker and pastes add large sets in pieces instead, one task each.
   */
  addFiles(files: Iterable<File | FileToAdd> | ArrayLike<File | FileToAdd>): UploadSnapshot[] {
    this.beginGesture();
    try {
      return this.addGesture(Array.from(files as ArrayLike<File | FileToAdd>));
    } finally {
      this.endGesture();
    }
  }

  /** @internal Opens a gesture (see GestureHost). */
  beginGesture(): void {
    this.#gesture = new GestureTally();
    this._rejections = [];
  }

  /** @internal One piece of the open gesture's files. */
  addGesture(files: ReadonlyArray<File | FileToAdd>): UploadSnapshot[] {
    if (!this.#gesture) this.beginGesture();
    const uploader = this.#ensureUploader();
    const added = uploader ? uploader.add(files) : [];
    this.#gesture!.added += added.length;
    if (uploader) void this.#checkResumeNotice(uploader);
    return added;
  }

  /** @internal Closes the gesture and announces what it took and refused. */
  endGesture(): void {
    for (const message of this.#gesture?.messages(this.#texts, this.#locale()) ?? []) this.#announcer.announce(message);
    this.#gesture = undefined;
  }

  /** @internal A folder walk left out folders nested too deep, or entries it could not read. */
  tooDeep(folders: number, unreadable: number): void {
    const locale = this.#locale();
    const notices = this.#texts.notices;
    const texts = [
      ...(folders ? [fillCount(notices.tooDeep, folders, locale)] : []),
      ...(unreadable ? [fillCount(notices.unreadable, unreadable, locale)] : []),
    ];
    this._notice = texts.join(' ');
  }

  /** Opens the browser's file picker. */
  openPicker(): void {
    if (this.effectivelyDisabled) return;
    this.renderRoot.querySelector<HTMLInputElement>('input[type=file]')?.click();
  }

  /** @internal Files may be on their way: starts the md5 workers they will need (see GestureHost). */
  warm(): void {
    this.#ensureUploader()?.warm();
  }

  /** Starts queued uploads (with `no-auto-start`). */
  start(): void {
    this.uploader?.start();
  }
  /** Pauses an upload; the server keeps what it has. */
  pauseUpload(id: string): void {
    this.uploader?.pause(id);
  }
  /** Resumes a paused upload from what the server holds. */
  resumeUpload(id: string): void {
    this.uploader?.resume(id);
  }
  /** Tries a failed upload again: it asks the server what it holds and sends the rest. */
  retryUpload(id: string): void {
    this.uploader?.retry(id);
  }
  /** Cancels an upload: stops sending, deletes the server upload where the API can, forgets its resume state. The row stays (Cancelled) until removed. */
  cancelUpload(id: string): Promise<void> {
    return this.uploader?.cancel(id) ?? Promise.resolve();
  }
  /** Takes an upload off the list (cancelling it first if it is not finished). The row goes at once. */
  async removeUpload(id: string): Promise<void> {
    const uploader = this.uploader;
    if (!uploader?.get(id)) return;
    const failed = uploader.get(id)?.status === UploadStatus.Error;
    // A failed upload still has its server session and resume record: cancel drops both.
    // Either way the row goes now; the server is told in the background.
    const cancelling = failed ? uploader.cancel(id) : undefined;
    const removing = uploader.remove(id);
    this.requestUpdate();
    await Promise.all([cancelling, removing]);
    this.#afterListChange();
  }
  /** Pauses every running or waiting upload. */
  pauseAll(): void {
    for (const u of this.uploads) if (u.status !== UploadStatus.Paused) this.uploader?.pause(u.id);
  }
  /** Resumes every paused upload. */
  resumeAll(): void {
    this.uploader?.resumeAll(this.uploads.filter((u) => u.status === UploadStatus.Paused).map((u) => u.id));
  }
  /** Cancels every upload not finished. */
  async cancelAll(): Promise<void> {
    const open = this.uploads.filter((u) => u.status !== UploadStatus.Success && u.status !== UploadStatus.Aborted);
    await Promise.all(open.map((u) => this.cancelUpload(u.id)));
  }
  /** Retries every failed upload. */
  retryFailed(): void {
    for (const u of this.uploads) if (u.status === UploadStatus.Error) this.uploader?.retry(u.id);
  }
  /** Removes finished and cancelled uploads from the list. */
  async clearFinished(): Promise<void> {
    const done = this.uploads.filter((u) => u.status === UploadStatus.Success || u.status === UploadStatus.Aborted);
    await Promise.all(done.map((u) => this.uploader?.remove(u.id)));
    this.#afterListChange();
  }

  /** Renames an uploaded asset on the server, where the protocol can. Failures show on the row. */
  async renameAsset(id: string, name: string): Promise<void> {
    const before = this.uploader?.get(id);
    try {
      await this.uploader?.renameAsset(id, name);
      this.#rows.set(id, undefined);
      this.#announcer.announce(fill(this.#texts.announce.renamed, { name: before?.asset?.name ?? before?.name, to: name }));
      this.#rows.focusAfterRender(`${rowSelector(id)} [part~=rename-button]`);
      this.#form.sync();
    } catch (error) {
      this.#rows.set(id, { editing: 'rename', note: (error as Error).message });
      throw error;
    }
  }

  /** Deletes an uploaded asset on the server, where the protocol can, and drops its row. */
  async deleteAsset(id: string): Promise<void> {
    const before = this.uploader?.get(id);
    try {
      await this.uploader?.deleteAsset(id);
      this.#rows.set(id, undefined);
      this.#announcer.announce(fill(this.#texts.announce.deleted, { name: before?.asset?.name ?? before?.name }));
      this.#afterListChange();
    } catch (error) {
      this.#rows.set(id, { editing: 'delete', note: (error as Error).message });
      throw error;
    }
  }

  formResetCallback(): void {
    for (const upload of this.uploads) void this.removeUpload(upload.id);
    this._rejections = [];
    // The rows are gone now (their server uploads are cancelled in the background): so is the value, at once, as for native fields.
    this.#form.syncNow();
  }

  /** The browser's word on whether the field is disabled: its own attribute or a disabled fieldset. Never written back to `disabled`. */
  formDisabledCallback(disabled: boolean): void {
    this._formDisabled = disabled;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    restoreDefaults(this as unknown as Record<string, unknown>, changed.keys());
    if (changed.has('i18n')) this.#texts = mergeI18n(defaultI18n, this.i18n);
    const uploader = this.uploader;
    const engineKeys = [...changed.keys()].some(
      (key) => key === '_formDisabled' || (key in propertyTable && key !== 'i18n' && key !== 'name' && key !== 'required' && key !== 'pasteAnywhere'),
    );
    if (uploader && engineKeys) {
      try {
        uploader.setOptions(this.#options());
        this._notice = '';
      } catch (error) {
        this._notice = fill(this.#texts.notices.misconfigured, { message: (error as Error).message });
      }
    }
    if (changed.has('required') || changed.has('name') || changed.has('i18n')) this.#form.sync();
    // An adapter registered by a loader is fetched now, before the first file comes.
    const protocol = this.protocol || 'content-range';
    if (changed.has('protocol') && protocolPending(protocol)) void loadProtocol(protocol).catch(() => undefined);
  }

  protected override render() {
    const t = this.#texts;
    const locale = this.#locale();
    const uploads = this.uploads;
    const summary = summarize(uploads);
    const showSummary = uploads.length >= 2 || summary.held > 0;
    const disabled = this.effectivelyDisabled;
    const row = (u: UploadSnapshot) =>
      fileRow(u, { i18n: t, actions: this.#rowActions, locale, state: this.#rows.state(u.id), preview: this.#previews.get(u.id), disabled });
    return html`<div
      part="base"
      class="base ${uploads.length ? 'has-files' : ''} ${this.#gestures.dragging ? 'dragover' : ''}"
      @dragenter=${this.#gestures.onDragEnter}
      @dragover=${this.#gestures.onDragOver}
      @dragleave=${this.#gestures.onDragLeave}
      @drop=${this.#gestures.onDrop}
    >
      ${dropArea(
        {
          texts: t,
          locale,
          disabled,
          dragging: this.#gestures.dragging,
          multiple: this.multiple,
          accept: this.accept,
          maxFileSize: this.maxFileSize,
          maxFiles: this.maxFiles,
          labels: Array.from(this.#internals.labels ?? [], (label) => label.textContent?.trim() ?? '').filter(Boolean),
          slotted: this.querySelector('[slot=label]')?.textContent?.trim(),
        },
        this.#dropAreaHandlers,
      )}
      <input type="file" hidden tabindex="-1" aria-hidden="true" ?multiple=${this.multiple} accept=${this.accept || nothing} @change=${this.#gestures.onPicked} />
      ${this._notice ? html`<p part="notice" class="notice" role="status">${this._notice}</p>` : nothing}
      ${rejectionList(this._rejections, t, locale, this.#dismissRejections)}
      ${showSummary ? summaryBar(summary, t, locale, this.#summaryActions, disabled) : nothing}
      ${
        uploads.length
          ? html`<div class="scroller">
            <ul part="file-list" class="list" role="list" aria-label=${t.listLabel}>
              ${listRows(this, uploads, row)}
            </ul>
          </div>`
          : nothing
      }
      ${this.#announcer.region()}
    </div>`;
  }

  protected override updated(): void {
    this.#previews.prune();
    this.#rows.prune((id) => !!this.uploader?.get(id));
  }

  readonly #rowActions: RowActions = {
    pause: (id) => this.pauseUpload(id),
    resume: (id) => this.resumeUpload(id),
    cancel: (id) => void this.cancelUpload(id),
    retry: (id) => this.retryUpload(id),
    remove: (id) => void this.removeUpload(id),
    edit: (id, mode) => this.#rows.edit(id, mode),
    rename: (id, name) => void this.renameAsset(id, name).catch(() => undefined),
    delete: (id) => void this.deleteAsset(id).catch(() => undefined),
  };

  readonly #summaryActions: SummaryActions = {
    start: () => this.start(),
    pauseAll: () => this.pauseAll(),
    resumeAll: () => this.resumeAll(),
    cancelAll: () => void this.cancelAll(),
    retryFailed: () => this.retryFailed(),
    clearFinished: () => void this.clearFinished(),
  };

  #dropZone(): HTMLElement | undefined {
    return this.renderRoot?.querySelector?.<HTMLElement>('[part=drop-zone]') ?? undefined;
  }

  /** The language of the texts' numbers: the element's `lang`, an ancestor's, or the document's. */
  #locale(): string | undefined {
    return this.closest('[lang]')?.getAttribute('lang') || undefined;
  }

  readonly #dropAreaHandlers = {
    openPicker: () => this.openPicker(),
    slotChanged: () => this.requestUpdate(),
  };

  readonly #dismissRejections = (): void => {
    this._rejections = [];
    this.#rows.focusAfterRender('[part=drop-zone]');
  };

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
    return { ...optionsFromAttributes(this, (key, message) => this.#warn(key, message)), multiple: this.multiple, disabled: this.effectivelyDisabled };
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

  /** Why parts go without MD5, naming the real cause: a worker from another origin, or what the worker said. */
  #checksumNotice(uploader: Uploader): string {
    const origin = uploader.workerOrigin;
    if (origin !== location.origin) return fill(this.#texts.notices.checksumWorkerOrigin, { origin });
    return fill(this.#texts.notices.checksumOff, { message: uploader.hashingError?.message ?? '' });
  }

  #afterListChange(): void {
    this.requestUpdate();
    this.#form.sync();
  }

  #onEngineEvent(event: CustomEvent): void {
    const outcome = outcomeOf(event, this.#texts, this.#locale());
    if (outcome) this.#announcer.announce(outcome);
    const file = (event.detail as { file?: RejectedFile }).file;
    if (event.type === 'file-reject' && file) {
      this._rejections = [...this._rejections, file];
      // Within a gesture, refusals are summed up when it ends; alone (a change of options), each is said.
      if (this.#gesture) this.#gesture.refused(file);
      else this.#announcer.announce(rejectionMessage(file, this.#texts, this.#locale()));
    }
    if (event.type === 'upload-progress' && this.uploader?.hashingError && !this.noChecksum && !this._notice)
      this._notice = this.#checksumNotice(this.uploader);
    if (event.type !== 'upload-progress' && event.type !== 'upload-retry' && event.type !== 'file-reject') this.#form.sync();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'asset-uploader': AssetUploader;
  }
  interface HTMLElementEventMap extends UploaderEventMap {}
}
