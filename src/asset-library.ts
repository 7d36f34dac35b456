import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { initialState, Task, TaskStatus } from '@lit/task';
import { repeat } from 'lit/directives/repeat.js';
import { formatBytes, plural } from './ui/format.js';
import { UploadError } from './engine/upload-error.js';
import { LibraryApi, type LibraryAsset, type LibraryPage } from './library/library-api.js';
import { styles } from './asset-library.styles.js';
import { AnnouncerController } from './ui/announcer.js';
import { fillIsolated, isolated } from './ui/bidi.js';
import { fill, type PluralText } from './ui/i18n.js';
import { safeHref } from './ui/safe-url.js';

/** Every text `<asset-library>` shows; `library.i18n = {…}` overrides some of them. */
export interface LibraryI18n {
  label: string;
  filterLabel: string;
  filterAll: string;
  types: Record<'audio' | 'image' | 'video' | 'other', string>;
  refresh: string;
  loading: string;
  empty: string;
  emptyFiltered: string;
  retry: string;
  rename: string;
  renameLabel: string;
  save: string;
  cancel: string;
  delete: string;
  deleteConfirm: string;
  keep: string;
  previous: string;
  next: string;
  pageOf: string;
  /** `{total}` is the number of assets (plural forms chosen for it). */
  count: PluralText;
  renamed: string;
  deleted: string;
  loaded: PluralText;
  loadFailed: string;
  actionFailed: string;
  notConfigured: string;
}

export const defaultLibraryI18n: LibraryI18n = {
  label: 'Uploaded assets',
  filterLabel: 'Type',
  filterAll: 'All types',
  types: { audio: 'Audio', image: 'Images', video: 'Video', other: 'Other' },
  refresh: 'Refresh',
  loading: 'Loading assets…',
  empty: 'No assets yet.',
  emptyFiltered: 'No assets of this type.',
  retry: 'Try again',
  rename: 'Rename',
  renameLabel: 'New name for {name}',
  save: 'Save',
  cancel: 'Cancel',
  delete: 'Delete',
  deleteConfirm: 'Delete {name}? This cannot be undone.',
  keep: 'Keep',
  previous: 'Previous page',
  next: 'Next page',
  pageOf: 'Page {page} of {pages}',
  count: { one: '{total} asset', other: '{total} assets' },
  renamed: 'Renamed to {name}.',
  deleted: 'Deleted {name}.',
  loaded: { one: 'Page {page} of {pages}, {total} asset.', other: 'Page {page} of {pages}, {total} assets.' },
  loadFailed: 'The assets could not be loaded: {message}',
  actionFailed: 'That did not work: {message}',
  notConfigured: 'Set the endpoint attribute to an assets collection URL.',
};

export interface AssetLibraryEventDetail {
  readonly asset: LibraryAsset;
}

export interface LibraryEventMap {
  'library-rename': CustomEvent<AssetLibraryEventDetail>;
  'library-delete': CustomEvent<AssetLibraryEventDetail>;
}

const ASSET_TYPES = ['audio', 'image', 'video', 'other'] as const;

/**
 * A paginated, filterable list of the assets an API holds, with rename and delete.
 *
 * @summary Shows what is already uploaded (the `registry` API's assets), keeps itself
 * current as a followed `<asset-uploader>` finishes uploads, and lets a person rename
 * and delete assets with the keyboard alone.
 *
 * @attr endpoint - The assets collection URL (`/registry/v1/assets`, or nested under a workspace or production).
 * @attr token - Bearer token for the endpoint's origin (never stored); the `token` property is preferred.
 * @attr page-size - Assets per page (1 to 100). Default 20.
 * @attr asset-type - Show only `audio`, `image`, `video` or `other`; empty for all. The filter menu sets it.
 * @attr with-credentials - Send cookies to the endpoint (for APIs that authenticate by session cookie).
 * @attr for - The id of the `<asset-uploader>` whose uploads, renames and deletes refresh this list. Without it, any uploader with the same endpoint does.
 *
 * @fires library-rename - An asset was renamed here; `detail.asset` is the asset as the server now has it.
 * @fires library-delete - An asset was deleted here; `detail.asset` is what it was.
 *
 * @csspart base - The whole library.
 * @csspart toolbar - The filter and refresh controls.
 * @csspart filter - The type menu.
 * @csspart list - The list of assets.
 * @csspart item - One asset.
 * @csspart name - An asset's name (a download link where the server gives one).
 * @csspart meta - An asset's type, size and date.
 * @csspart actions - An asset's buttons.
 * @csspart button - Every button.
 * @csspart pagination - The page buttons and the page count.
 * @csspart status - The loading, empty and error messages.
 *
 * @cssprop --asset-library-gap - Space between the parts. Default 0.5rem.
 * @cssprop --asset-library-border-color - Lines between assets. Default #d1d5db.
 * @cssprop --asset-library-focus-ring - Focus outline of controls. Default a 3px indigo ring.
 * @cssprop --asset-library-error-color - Error text. Default #b91c1c.
 */
export class AssetLibrary extends LitElement {
  static override styles = styles;

  static override properties = {
    endpoint: { type: String },
    token: { type: String },
    pageSize: { type: Number, attribute: 'page-size' },
    assetType: { type: String, attribute: 'asset-type', reflect: true },
    for: { type: String },
    withCredentials: { type: Boolean, attribute: 'with-credentials' },
    i18n: { attribute: false },
    _page: { state: true },
    _renaming: { state: true },
    _confirming: { state: true },
    _busy: { state: true },
    _actionError: { state: true },
  };

  declare endpoint: string;
  declare token: string;
  declare pageSize: number;
  declare assetType: string;
  declare for: string;
  declare withCredentials: boolean;
  declare i18n: Partial<LibraryI18n>;
  declare _page: number;
  declare _renaming: string | undefined;
  declare _confirming: string | undefined;
  declare _busy: string | undefined;
  declare _actionError: string;

  #texts: LibraryI18n = defaultLibraryI18n;
  #lastPage: LibraryPage | undefined;
  #focusAfterRender: string | undefined;
  /** The page button a person pressed, until its page is shown (it may be disabled there). */
  #pagingFocus: '.previous' | '.next' | undefined;
  /** The load under way was asked for by the person (a page, the filter, Refresh): its outcome is announced. */
  #announceLoad = false;
  #actions = new AbortController();

  /** Renames and deletions, spoken once each (ui/announcer.ts, as the uploader's). */
  readonly #announcer = new AnnouncerController(this);
  readonly #list = new Task(this, {
    task: async ([endpoint, token, withCredentials, page, limit, assetType], { signal }) => {
      if (!endpoint) return initialState;
      const result = await new LibraryApi(endpoint, token, withCredentials).list({ page, limit, assetType }, signal);
      if (result.assets.length === 0 && result.page > result.totalPages) {
        // The last page emptied (deletes elsewhere): show the new last page instead.
        this._page = result.totalPages;
      }
      return result;
    },
    onComplete: (result) => this.#loaded(result),
    onError: () => {
      // The failure is an alert of its own.
      this.#announceLoad = false;
    },
    // Runs again whenever one of these changes (after willUpdate, which resets the page on a new filter).
    args: () =>
      [
        this.endpoint,
        this.token,
        this.withCredentials,
        this._page,
        this.#limit(),
        ASSET_TYPES.includes(this.assetType as (typeof ASSET_TYPES)[number]) ? this.assetType : '',
      ] as const,
  });

  constructor() {
    super();
    this.endpoint = '';
    this.token = '';
    this.pageSize = 20;
    this.assetType = '';
    this.for = '';
    this.withCredentials = false;
    this.i18n = {};
    this._page = 1;
    this._renaming = undefined;
    this._confirming = undefined;
    this._busy = undefined;
    this._actionError = '';
  }

  /** Loads the current page again. */
  refresh(): Promise<void> {
    if (!this.endpoint) return Promise.resolve();
    return this.#list.run();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#actions = new AbortController();
    const options = { signal: this.#actions.signal };
    for (const type of ['upload-success', 'asset-rename', 'asset-delete']) document.addEventListener(type, this.#onUploaderEvent, options);
  }

  override disconnectedCallback(): void {
    this.#actions.abort();
    super.disconnectedCallback();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('i18n')) this.#texts = mergeTexts(this.i18n);
    if (changed.has('assetType') && changed.get('assetType') !== undefined) this._page = 1;
  }

  protected override updated(): void {
    this.#keepPagingFocus();
    if (this.#focusAfterRender === undefined) return;
    const target = this.renderRoot.querySelector<HTMLElement>(this.#focusAfterRender);
    if (!target) return;
    this.#focusAfterRender = undefined;
    target.focus();
    // A name field opens with the name selected: typing replaces it, arrows edit it.
    if (target instanceof HTMLInputElement) target.select();
  }

  protected override render() {
    const t = this.#texts;
    if (this.#list.status === TaskStatus.COMPLETE) this.#lastPage = this.#list.value;
    const current = this.#lastPage;
    const pending = this.#list.status === TaskStatus.PENDING;
    const failed = this.#list.status === TaskStatus.ERROR;
    return html`<section part="base" class="base" aria-label=${t.label} aria-busy=${pending ? 'true' : 'false'}>
      <div part="toolbar" class="toolbar">
        <label class="filter">
          <span>${t.filterLabel}</span>
          <select part="filter" .value=${this.assetType} @change=${this.#onFilter}>
            <option value="" ?selected=${this.assetType === ''}>${t.filterAll}</option>
            ${ASSET_TYPES.map((type) => html`<option value=${type} ?selected=${this.assetType === type}>${t.types[type]}</option>`)}
          </select>
        </label>
        <button type="button" part="button refresh" class="refresh" @click=${this.#onRefresh}>${t.refresh}</button>
      </div>
      ${this.#announcer.region()}
      ${this.endpoint ? nothing : html`<p part="status" class="status">${t.notConfigured}</p>`}
      ${
        failed
          ? html`<div part="status" class="status error" role="alert">
            <span>${fill(t.loadFailed, { message: errorMessage(this.#list.error) })}</span>
            <button type="button" part="button" class="retry" @click=${this.#onRefresh}>${t.retry}</button>
          </div>`
          : nothing
      }
      ${this._actionError ? html`<p part="status" class="status error" role="alert">${this._actionError}</p>` : nothing}
      ${pending && current === undefined ? html`<p part="status" class="status loading">${t.loading}</p>` : nothing}
      ${current ? this.#renderPage(current, pending) : nothing}
    </section>`;
  }

  #renderPage(page: LibraryPage, pending: boolean) {
    const t = this.#texts;
    if (page.assets.length === 0) {
      // A page emptied here (its last asset deleted) says nothing until the new list says what there is.
      if (pending) return html`<p part="status" class="status loading">${t.loading}</p>`;
      return html`<p part="status" class="status empty">${this.assetType ? t.emptyFiltered : t.empty}</p>`;
    }
    // Keyed by id: when the list changes (an upload above, a delete), each asset keeps its
    // row, so an open rename keeps what is typed and a focused button keeps the focus.
    return html`<ul part="list" class="list">
        ${repeat(
          page.assets,
          (asset) => asset.id,
          (asset) => this.#renderAsset(asset),
        )}
      </ul>
      <nav part="pagination" class="pagination" aria-label=${fill(t.pageOf, { page: page.page, pages: page.totalPages })}>
        <button type="button" part="button" class="previous" ?disabled=${page.page <= 1} @click=${() => this.#goTo(page.page - 1, '.previous')}>${t.previous}</button>
        <span>${fill(t.pageOf, { page: page.page, pages: page.totalPages })} · ${this.#totalText(t.count, page, {})}</span>
        <button type="button" part="button" class="next" ?disabled=${page.page >= page.totalPages} @click=${() => this.#goTo(page.page + 1, '.next')}>${t.next}</button>
      </nav>`;
  }

  #renderAsset(asset: LibraryAsset) {
    const t = this.#texts;
    const busy = this._busy === asset.id;
    const key = cssId(asset.id);
    const href = safeHref(asset.url);
    let body: TemplateResult;
    if (this._renaming === asset.id) {
      body = html`<form class="rename" @submit=${(event: Event) => this.#submitRename(event, asset)} @keydown=${(event: KeyboardEvent) => this.#escape(event, asset)}>
        <label>
          <span class="visually-hidden">${fill(t.renameLabel, { name: asset.name })}</span>
          <input part="input" name="name" .value=${asset.name} required maxlength="255" autocomplete="off" ?readonly=${busy} aria-busy=${busy ? 'true' : nothing} @keydown=${this.#arm} />
        </label>
        <button type="submit" part="button" aria-disabled=${busy ? 'true' : nothing} @click=${(event: MouseEvent) => event.detail > 0 && this.#arm()}>${t.save}</button>
        <button type="button" part="button" class="cancel" aria-disabled=${busy ? 'true' : nothing} @click=${() => busy || this.#stopRenaming(asset)}>${t.cancel}</button>
      </form>`;
    } else if (this._confirming === asset.id) {
      body = html`<div class="confirm" role="group" aria-labelledby="confirm-${key}" @keydown=${(event: KeyboardEvent) => this.#escape(event, asset)}>
        <span id="confirm-${key}">${fillIsolated(t.deleteConfirm, { name: asset.name })}</span>
        <button type="button" part="button" class="keep" aria-disabled=${busy ? 'true' : nothing} @click=${() => busy || this.#stopConfirming(asset)}>${t.keep}</button>
        <button type="button" part="button" class="confirm-delete" aria-disabled=${busy ? 'true' : nothing} @click=${() => void this.#delete(asset)}>${t.delete}</button>
      </div>`;
    } else {
      body = html`<span part="actions" class="actions">
        <button type="button" part="button" class="rename-button" aria-label="${t.rename} ${asset.name}" @click=${() => this.#startRenaming(asset)}>${t.rename}</button>
        <button type="button" part="button" class="delete-button" aria-label="${t.delete} ${asset.name}" @click=${() => this.#startConfirming(asset)}>${t.delete}</button>
      </span>`;
    }
    return html`<li part="item" class="item" data-id=${key}>
      ${href ? html`<a part="name" class="name" href=${href} download=${asset.name} rel="noopener" title=${asset.name}>${isolated(asset.name)}</a>` : html`<span part="name" class="name" title=${asset.name}>${isolated(asset.name)}</span>`}
      <span part="meta" class="meta">${this.#texts.types[asset.type as keyof LibraryI18n['types']] ?? asset.type} · ${formatBytes(asset.size, this.#locale())}${asset.createdAt ? html` · <time datetime=${asset.createdAt}>${formatDate(asset.createdAt, this.#locale())}</time>` : nothing}</span>
      ${body}
    </li>`;
  }

  /** The page's language where the element is (`lang` on it or an ancestor). */
  #locale(): string | undefined {
    return this.closest('[lang]')?.getAttribute('lang') || undefined;
  }

  /** `text` in its plural form for the page's total, `{total}` the number. */
  #totalText(text: PluralText, page: LibraryPage, values: Record<string, number>): string {
    return fill(plural(text, page.total, this.#locale()), { ...values, total: page.total });
  }

  #limit(): number {
    const size = Math.floor(Number(this.pageSize));
    return Number.isFinite(size) && size >= 1 ? Math.min(size, 100) : 20;
  }

  #api(): LibraryApi {
    return new LibraryApi(this.endpoint, this.token, this.withCredentials);
  }

  #onFilter(event: Event): void {
    this.#announceLoad = true;
    this.assetType = (event.target as HTMLSelectElement).value;
  }

  readonly #onRefresh = (): void => {
    this.#announceLoad = true;
    void this.refresh();
  };

  #goTo(page: number, focus: '.previous' | '.next'): void {
    this.#announceLoad = true;
    this._page = page;
    this.#focusAfterRender = focus;
    this.#pagingFocus = focus;
  }

  /** A load finished: say what a person who asked for it now sees (the list itself is not a live region). */
  #loaded(page: LibraryPage): void {
    // A page past the end is followed by the new last page (see the task): that one is spoken.
    if (!this.#announceLoad || (page.assets.length === 0 && page.page > page.totalPages)) return;
    this.#announceLoad = false;
    const t = this.#texts;
    this.#announcer.announce(
      page.assets.length === 0 ? (this.assetType ? t.emptyFiltered : t.empty) : this.#totalText(t.loaded, page, { page: page.page, pages: page.totalPages }),
    );
  }

  /**
   * Once the page a person turned to is shown, the button they pressed may be disabled
   * there (Next on the last page), which drops the focus to the page's body: it goes to
   * the other page button instead.
   */
  #keepPagingFocus(): void {
    if (this.#pagingFocus === undefined || this.#list.status === TaskStatus.PENDING) return;
    const pressed = this.renderRoot.querySelector<HTMLButtonElement>(this.#pagingFocus);
    const other = this.renderRoot.querySelector<HTMLButtonElement>(this.#pagingFocus === '.next' ? '.previous' : '.next');
    this.#pagingFocus = undefined;
    const active = (this.renderRoot as ShadowRoot).activeElement;
    const lost = active === null ? document.activeElement === null || document.activeElement === document.body : active === pressed;
    if (pressed?.disabled && lost && other && !other.disabled) other.focus();
  }

  /**
   * Whether the person acted in the open rename form (a key in the field, a click on
   * Save). The Enter that opened the form can reach the new field and submit it at once
   * in some engines; an unchanged name submitted before that is not a decision.
   */
  #armed = false;

  readonly #arm = (): void => {
    this.#armed = true;
  };

  #startRenaming(asset: LibraryAsset): void {
    this.#armed = false;
    this._confirming = undefined;
    this._actionError = '';
    this._renaming = asset.id;
    this.#focusAfterRender = `[data-id="${cssId(asset.id)}"] input`;
  }

  #stopRenaming(asset: LibraryAsset): void {
    this._renaming = undefined;
    this.#focusAfterRender = `[data-id="${cssId(asset.id)}"] .rename-button`;
  }

  #startConfirming(asset: LibraryAsset): void {
    this._renaming = undefined;
    this._actionError = '';
    this._confirming = asset.id;
    // The safe choice has the focus: Enter keeps the asset.
    this.#focusAfterRender = `[data-id="${cssId(asset.id)}"] .keep`;
  }

  #stopConfirming(asset: LibraryAsset): void {
    this._confirming = undefined;
    this.#focusAfterRender = `[data-id="${cssId(asset.id)}"] .delete-button`;
  }

  #escape(event: KeyboardEvent, asset: LibraryAsset): void {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    // What is being saved or deleted is shown until the server answers.
    if (this._busy === asset.id) return;
    if (this._renaming === asset.id) this.#stopRenaming(asset);
    else this.#stopConfirming(asset);
  }

  async #submitRename(event: Event, asset: LibraryAsset): Promise<void> {
    event.preventDefault();
    // One action at a time: a second Enter or click while the server answers sends nothing.
    if (this._busy !== undefined) return;
    const input = (event.target as HTMLFormElement).querySelector('input');
    const name = input?.value.trim() ?? '';
    if (!name || name === asset.name) {
      if (this.#armed) this.#stopRenaming(asset);
      return;
    }
    this._busy = asset.id;
    // The last failure goes while this one is tried: the same words failing again are a
    // new alert, which a screen reader speaks (the same text left in place is not).
    this._actionError = '';
    try {
      const renamed = await this.#api().rename(asset, name, this.#actions.signal);
      this._renaming = undefined;
      this.#announcer.announce(fill(this.#texts.renamed, { name: renamed.name }));
      this.#focusAfterRender = `[data-id="${cssId(asset.id)}"] .rename-button`;
      this.#emit('library-rename', renamed);
      await this.refresh();
    } catch (error) {
      this._actionError = fill(this.#texts.actionFailed, { message: errorMessage(error) });
      this.#focusAfterRender = `[data-id="${cssId(asset.id)}"] input`;
    } finally {
      this._busy = undefined;
    }
  }

  async #delete(asset: LibraryAsset): Promise<void> {
    // One action at a time: a second click (a double-click) while the server answers sends nothing.
    if (this._busy !== undefined) return;
    this._busy = asset.id;
    const shown = this.#lastPage?.assets ?? [];
    const index = shown.findIndex((item) => item.id === asset.id);
    const neighbour = shown[index + 1] ?? shown[index - 1];
    this._actionError = '';
    try {
      await this.#api().remove(asset, this.#actions.signal);
      this._confirming = undefined;
      const reloading = this.refresh();
      // It is gone: not shown (with live buttons) while the new list comes.
      const page = this.#lastPage;
      if (page) this.#lastPage = { ...page, assets: page.assets.filter((item) => item.id !== asset.id), total: Math.max(0, page.total - 1) };
      this.#announcer.announce(fill(this.#texts.deleted, { name: asset.name }));
      // The focus goes to the next asset (or the previous one), else to the filter.
      this.#focusAfterRender = neighbour ? `[data-id="${cssId(neighbour.id)}"] .rename-button` : '[part="filter"]';
      this.#emit('library-delete', asset);
      await reloading;
    } catch (error) {
      this._actionError = fill(this.#texts.actionFailed, { message: errorMessage(error) });
      this.#focusAfterRender = `[data-id="${cssId(asset.id)}"] .keep`;
    } finally {
      this._busy = undefined;
    }
  }

  #emit(type: keyof LibraryEventMap, asset: LibraryAsset): void {
    this.dispatchEvent(new CustomEvent<AssetLibraryEventDetail>(type, { detail: Object.freeze({ asset }), bubbles: true, composed: true }));
  }

  /** An uploader finished, renamed or deleted something: refresh when it is the one followed. */
  readonly #onUploaderEvent = (event: Event): void => {
    const source = event.composedPath()[0];
    if (!(source instanceof HTMLElement) || source.localName !== 'asset-uploader') return;
    if (this.for ? source.id !== this.for : !sameUrl((source as HTMLElement & { endpoint?: string }).endpoint, this.endpoint)) return;
    void this.refresh();
  };
}

function mergeTexts(input: Partial<LibraryI18n>): LibraryI18n {
  return { ...defaultLibraryI18n, ...input, types: { ...defaultLibraryI18n.types, ...(input.types ?? {}) } };
}

/** The server's own sentence and status when it gave one (it says best what went wrong), else the error's. */
function errorMessage(error: unknown): string {
  if (error instanceof UploadError && error.serverMessage) return `${error.serverMessage} (${error.status})`;
  return error instanceof Error ? error.message : String(error);
}

/** A server's date as a person reads it in `locale` (date and time); what cannot be read as a date is shown as sent. */
function formatDate(value: string, locale: string | undefined): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };
  try {
    return new Intl.DateTimeFormat(locale, options).format(date);
  } catch {
    // An unknown language tag in `lang`: the browser's own locale.
    return new Intl.DateTimeFormat(undefined, options).format(date);
  }
}

function sameUrl(a: string | undefined, b: string): boolean {
  if (!a || !b) return false;
  try {
    return new URL(a, location.href).href === new URL(b, location.href).href;
  } catch {
    return false;
  }
}

/** An id safe inside an attribute selector and an id attribute. */
function cssId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}

declare global {
  interface HTMLElementTagNameMap {
    'asset-library': AssetLibrary;
  }
  interface HTMLElementEventMap extends LibraryEventMap {}
}
