/**
 * How files get in: a drop anywhere on the element (folders walked, in batches), the
 * file picker, a paste (while the element has focus, or anywhere on the page with
 * `paste-anywhere`), and a `<label for>` whose click opens the picker as it would for
 * `<input type=file>`.
 *
 * The drag highlight counts enter/leave pairs: moving over the element's own children
 * fires a `dragleave` for each, and the highlight must not flicker.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { FileToAdd } from '../engine/types.js';
import { DROP_BATCH_SIZE, dropBatches } from './drop.js';
import { nextTask } from '../engine/next-task.js';

/** Files per piece when a gesture brings many (the folder walk's batch size): well under a long task. */
const SLICE = DROP_BATCH_SIZE;

export interface GestureHost extends ReactiveControllerHost, HTMLElement {
  /** Whether files are taken now (the attribute or a disabled fieldset). */
  readonly effectivelyDisabled: boolean;
  readonly pasteAnywhere: boolean;
  readonly multiple: boolean;
  /**
   * Whether a drop must reach the engine in one piece: one file at most (the engine
   * refuses the rest by name), or an API that puts the files of one add in one server
   * session.
   */
  readonly dropInOnePiece: boolean;
  /** Opens a gesture: the files of its pieces are announced together when it ends. */
  beginGesture(): void;
  /** Takes one piece of the open gesture's files. */
  addGesture(files: ReadonlyArray<File | FileToAdd>): void;
  endGesture(): void;
  /** A folder walk left out folders nested too deep, or entries it could not read. */
  tooDeep(folders: number, unreadable: number): void;
  openPicker(): void;
  /** Files may be on their way (a pointer, the focus or a drag came in): get ready for them. */
  warm(): void;
}

/**
 * What comes before a person's files: the pointer over the element (the picker is a
 * click away), the focus in it (the keyboard's way to the picker, or a paste), a drag
 * entering it. Each starts what the first file needs (the md5 workers) while the person
 * is still choosing.
 */
const COMING = ['pointerenter', 'focusin', 'dragenter'] as const;

export class GestureController implements ReactiveController {
  readonly #host: GestureHost;
  readonly #internals: ElementInternals;
  #depth = 0;
  #dragging = false;
  #listening: EventTarget | undefined;

  constructor(host: GestureHost, internals: ElementInternals) {
    this.#host = host;
    this.#internals = internals;
    host.addController(this);
  }

  get dragging(): boolean {
    return this.#dragging;
  }

  hostConnected(): void {
    this.#host.addEventListener('click', this.#onHostClick);
    for (const type of COMING) this.#host.addEventListener(type, this.#onComing);
    this.#listenForPaste();
  }

  hostDisconnected(): void {
    this.#host.removeEventListener('click', this.#onHostClick);
    for (const type of COMING) this.#host.removeEventListener(type, this.#onComing);
    this.#listening?.removeEventListener('paste', this.#onPaste as EventListener);
    this.#listening = undefined;
  }

  hostUpdate(): void {
    this.#listenForPaste();
  }

  /** The element, or the whole document with `paste-anywhere`. */
  #listenForPaste(): void {
    if (!this.#host.isConnected) return;
    const target = this.#host.pasteAnywhere ? this.#host.ownerDocument : this.#host;
    if (target === this.#listening) return;
    this.#listening?.removeEventListener('paste', this.#onPaste as EventListener);
    target.addEventListener('paste', this.#onPaste as EventListener);
    this.#listening = target;
  }

  readonly #onComing = (): void => {
    if (!this.#host.effectivelyDisabled) this.#host.warm();
  };

  readonly onDragEnter = (event: DragEvent): void => {
    if (!this.#wants(event)) return;
    event.preventDefault();
    this.#depth++;
    this.#setDragging(true);
  };

  readonly onDragOver = (event: DragEvent): void => {
    if (!this.#wants(event)) return;
    event.preventDefault();
    event.dataTransfer!.dropEffect = 'copy';
    this.#setDragging(true);
  };

  readonly onDragLeave = (): void => {
    this.#depth = Math.max(0, this.#depth - 1);
    if (this.#depth === 0) this.#setDragging(false);
  };

  readonly onDrop = async (event: DragEvent): Promise<void> => {
    event.preventDefault();
    this.#depth = 0;
    this.#setDragging(false);
    if (!event.dataTransfer) return;
    if (this.#host.effectivelyDisabled) {
      // Dropped on a disabled element: the engine says why each file was not taken.
      await this.#take(Array.from(event.dataTransfer.files));
      return;
    }
    // Entries must be taken now: the DataTransfer is emptied when this handler returns.
    const batches = dropBatches(event.dataTransfer);
    this.#host.beginGesture();
    try {
      if (this.#host.dropInOnePiece) {
        const all: FileToAdd[] = [];
        for await (const batch of batches) all.push(...batch);
        this.#host.addGesture(all);
      } else {
        for await (const batch of batches) this.#host.addGesture(batch);
      }
    } finally {
      this.#host.endGesture();
    }
    if (batches.skippedTooDeep > 0 || batches.unreadable > 0) this.#host.tooDeep(batches.skippedTooDeep, batches.unreadable);
  };

  readonly onPicked = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    input.value = ''; // picking the same file again must fire change again
    void this.#take(files);
  };

  /** One gesture's files, in pieces of SLICE, one task each (one piece when the API needs them together). */
  async #take(files: ReadonlyArray<File | FileToAdd>): Promise<void> {
    if (files.length === 0) return;
    this.#host.beginGesture();
    try {
      if (this.#host.dropInOnePiece || files.length <= SLICE) {
        this.#host.addGesture(files);
        return;
      }
      for (let start = 0; start < files.length; start += SLICE) {
        if (start > 0) await nextTask();
        this.#host.addGesture(files.slice(start, start + SLICE));
      }
    } finally {
      this.#host.endGesture();
    }
  }

  #wants(event: DragEvent): boolean {
    return !this.#host.effectivelyDisabled && !!event.dataTransfer?.types.includes('Files');
  }

  #setDragging(on: boolean): void {
    if (on === this.#dragging) return;
    this.#dragging = on;
    try {
      if (on) this.#internals.states.add('dragover');
      else this.#internals.states.delete('dragover');
    } catch {
      // CustomStateSet without :state() support; the .dragover class still styles it.
    }
    this.#host.requestUpdate();
  }

  /** A `<label for>` click reaches the host itself (nothing inside it): open the picker, as for `<input type=file>`. */
  readonly #onHostClick = (event: MouseEvent): void => {
    if (event.composedPath()[0] !== this.#host || this.#host.effectivelyDisabled) return;
    this.#host.openPicker();
  };

  readonly #onPaste = (event: ClipboardEvent): void => {
    const files = event.clipboardData?.files;
    if (!files || files.length === 0 || event.defaultPrevented) return;
    // A paste meant for a text field (on the page, or the rename field inside) stays there.
    const target = event.composedPath()[0];
    if (target instanceof HTMLElement && (target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement)) return;
    event.preventDefault();
    void this.#take(Array.from(files));
  };
}
