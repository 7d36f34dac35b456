/**
 * What a screen reader hears: outcomes (added, not added and why, failed, done, all
 * done), each once, in one polite live region. Progress is not announced: the progress
 * bars say it to whoever asks, and a live region that talks every second is noise.
 *
 * Messages that arrive together (a drop of 50 files, three uploads finishing in the same
 * frame) are spoken as one update after a short pause, instead of each replacing the
 * last before it is read. The region is emptied after a while, so the same text spoken
 * again later is a new change a screen reader notices.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

const GATHER_MS = 150;
const CLEAR_MS = 7000;
/** At most this many messages per update; the rest follow in the next one. */
const MOST_PER_UPDATE = 4;

export class AnnouncerController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #pending: string[] = [];
  #text = '';
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
    this.#host.requestUpdate();
    clearTimeout(this.#clear);
    this.#clear = setTimeout(() => {
      this.#text = '';
      this.#host.requestUpdate();
    }, CLEAR_MS);
  }
}
