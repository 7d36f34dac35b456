/**
 * What a screen reader hears: outcomes (added, not added and why, failed, done, all
 * done), each once, in one polite live region. Progress is not announced: the progress
 * bars say it to whoever asks, and a live region that talks every second is noise.
 *
 * Messages that arrive together (a drop of 50 files, three uploads finishing in the same
 * frame) are spoken as one update after a short pause, instead of each replacing the
 * last before it is read. Each update replaces the region's text node (`keyed`), so the
 * same text again (a second "a.bin uploaded." for another file of that name, soon after)
 * is a change a screen reader notices, not a render that leaves the DOM as it was; and
 * the region is emptied after a while.
 */
import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';

const GATHER_MS = 150;
const CLEAR_MS = 7000;
/** At most this many messages per update; the rest follow in the next one. */
const MOST_PER_UPDATE = 4;

export class AnnouncerController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #pending: string[] = [];
  #text = '';
  /** Counts updates: the key of the region's content. */
  #serial = 0;
  #gather: ReturnType<typeof setTimeout> | undefined;
  #clear: ReturnType<typeof setTimeout> | undefined;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  /** The live region's text now. */
  get text(): string {
    return this.#text;
  }

  /** The live region, for the host's template (visually hidden by the host's `.visually-hidden`). */
  region(): TemplateResult {
    return html`<div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${keyed(this.#serial, this.#text)}</div>`;
  }

  announce(message: string): void {
    if (!message || this.#pending.includes(message)) return;
    this.#pending.push(message);
    this.#gather ??= setTimeout(() => this.#flush(), GATHER_MS);
  }

  hostDisconnected(): void {
    clearTimeout(this.#gather);
    clearTimeout(this.#clear);
    this.#gather = undefined;
    this.#pending = [];
  }

  #flush(): void {
    this.#gather = undefined;
    const messages = this.#pending.splice(0, MOST_PER_UPDATE);
    if (this.#pending.length) this.#gather = setTimeout(() => this.#flush(), GATHER_MS * 4);
    this.#text = messages.join(' ');
    this.#serial++;
    this.#host.requestUpdate();
    clearTimeout(this.#clear);
    this.#clear = setTimeout(() => {
      this.#text = '';
      this.#serial++;
      this.#host.requestUpdate();
    }, CLEAR_MS);
  }
}
