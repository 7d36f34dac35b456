/**
 * Bridges the engine to the element: re-dispatches every engine event on the host as a
 * bubbling, composed DOM event, and asks the host to render at most once per animation
 * frame however many progress events arrive.
 *
 * When the host leaves the document, running uploads pause (their server state stays,
 * so they resume later or after a reload); when it comes back, they resume.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Uploader } from './engine/uploader.js';
import { uploaderEventTypes } from './ui/events.js';

export class UploaderController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #onEvent: (event: CustomEvent) => void;
  #uploader: Uploader | undefined;
  #frame: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pausedByDisconnect: string[] = [];

  constructor(host: ReactiveControllerHost & HTMLElement, onEvent: (event: CustomEvent) => void) {
    this.#host = host;
    this.#onEvent = onEvent;
    host.addController(this);
  }

  get uploader(): Uploader | undefined {
    return this.#uploader;
  }

  attach(uploader: Uploader): void {
    this.#uploader = uploader;
    for (const type of uploaderEventTypes) uploader.addEventListener(type, this.#forward);
  }

  hostConnected(): void {
    const ids = this.#pausedByDisconnect;
    this.#pausedByDisconnect = [];
    this.#uploader?.resumeAll(ids);
  }

  hostDisconnected(): void {
    // No workers left behind by an element that is gone for good.
    if (this.#uploader) this.#pausedByDisconnect.push(...this.#uploader.suspend());
    if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
    clearTimeout(this.#timer);
    this.#frame = undefined;
    this.#timer = undefined;
  }

  readonly #forward = (event: Event): void => {
    const { type, detail } = event as CustomEvent;
    this.#onEvent(event as CustomEvent);
    this.#host.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    this.#scheduleRender();
  };

  #scheduleRender(): void {
    if (this.#frame !== undefined || this.#timer !== undefined) return;
    const render = () => {
      if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
      clearTimeout(this.#timer);
      this.#frame = undefined;
      this.#timer = undefined;
      this.#host.requestUpdate();
    };
    // One render per frame; the timer covers pages that get no frames (background tabs),
    // so what the list shows is never more than a quarter second behind.
    if (typeof requestAnimationFrame === 'function') this.#frame = requestAnimationFrame(render);
    this.#timer = setTimeout(render, 250);
  }
}
