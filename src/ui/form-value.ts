/**
 * The element as a form field: its value (one entry per asset the server made, under
 * `name`), its validity (invalid while uploads run, and when `required` and empty) and
 * the native `change` event when the value changes.
 *
 * `sync()` is cheap to call on every engine event: the work runs once per microtask, so
 * adding 10,000 files recomputes the value once, not 10,000 times.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { activeStatuses, UploadStatus, type UploadSnapshot } from '../engine/types.js';

export interface FormValueHost extends ReactiveControllerHost, HTMLElement {
  readonly uploads: readonly UploadSnapshot[];
  readonly name: string;
  readonly required: boolean;
}

export interface FormTexts {
  readonly held: string;
  readonly busy: string;
  readonly paused: string;
  readonly failed: string;
  readonly required: string;
}

export class FormValueController implements ReactiveController {
  readonly #host: FormValueHost;
  readonly #internals: ElementInternals;
  readonly #texts: () => FormTexts;
  readonly #anchor: () => HTMLElement | undefined;
  #serialised = '[]';
  #scheduled = false;

  constructor(host: FormValueHost, internals: ElementInternals, texts: () => FormTexts, anchor: () => HTMLElement | undefined) {
    this.#host = host;
    this.#internals = internals;
    this.#texts = texts;
    this.#anchor = anchor;
    host.addController(this);
  }

  hostConnected(): void {
    this.syncNow();
  }

  /** Recomputes value and validity at the end of this task. */
  sync(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.syncNow();
    });
  }

  syncNow(): void {
    const uploads = this.#host.uploads;
    // One entry per asset the server made: a zip's entries each count.
    const entries = uploads.flatMap((u) => (u.asset ? (u.asset.produced?.length ? u.asset.produced : [u.asset]) : [])).map((a) => a.url ?? a.id);
    if (this.#host.name && entries.length) {
      const data = new FormData();
      for (const entry of entries) data.append(this.#host.name, entry);
      this.#internals.setFormValue(data);
    } else {
      this.#internals.setFormValue(null);
    }
    const problem = this.#problem(uploads);
    if (problem) this.#internals.setValidity({ customError: true }, problem, this.#anchor());
    else if (this.#host.required && entries.length === 0) this.#internals.setValidity({ valueMissing: true }, this.#texts().required, this.#anchor());
    else this.#internals.setValidity({});
    const serialised = JSON.stringify(entries);
    if (serialised !== this.#serialised) {
      this.#serialised = serialised;
      this.#host.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }

  /**
   * Why the value is not yet what the person picked, in the words of what they can do
   * about it, most urgent first; '' when nothing stands in the way. A failed file blocks
   * too: submitting without it would lose it without a word.
   */
  #problem(uploads: readonly UploadSnapshot[]): string {
    let held = false;
    let running = false;
    let paused = false;
    let failed = false;
    for (const u of uploads) {
      if (u.status === UploadStatus.Queued && u.held) held = true;
      else if (activeStatuses.has(u.status)) running = true;
      else if (u.status === UploadStatus.Paused) paused = true;
      else if (u.status === UploadStatus.Error) failed = true;
    }
    const texts = this.#texts();
    return held ? texts.held : running ? texts.busy : paused ? texts.paused : failed ? texts.failed : '';
  }
}
