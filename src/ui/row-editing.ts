/**
 * Per-row state the engine does not hold (an open rename form or delete question, a
 * message) and where keyboard focus goes when the rows change under it.
 *
 * Focus rules: opening an editor focuses its field; closing it returns to the button
 * that opened it; when the focused button disappears (its row removed, or replaced by a
 * different control), focus moves to the same kind of button in the same row, else to
 * that row's first button, else to the next (or previous) row, else to the drop zone.
 * Never to `<body>`, where a keyboard user would have to start over.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RowState } from './file-row.js';

export interface RowEditingHost extends ReactiveControllerHost, HTMLElement {
  readonly renderRoot: HTMLElement | DocumentFragment;
}

interface FocusMemory {
  readonly id: string;
  readonly part: string;
  readonly neighbours: readonly string[];
}

export class RowEditingController implements ReactiveController {
  readonly #host: RowEditingHost;
  #rows = new Map<string, RowState>();
  #focusNext: string | undefined;
  #memory: FocusMemory | undefined;

  constructor(host: RowEditingHost) {
    this.#host = host;
    host.addController(this);
  }

  state(id: string): RowState | undefined {
    return this.#rows.get(id);
  }

  set(id: string, state: RowState | undefined): void {
    if (state) this.#rows.set(id, state);
    else this.#rows.delete(id);
    this.#host.requestUpdate();
  }

  /** Opens (`rename`, `delete`) or closes (`undefined`) a row's editor, moving focus with it. */
  edit(id: string, mode: 'rename' | 'delete' | undefined): void {
    const previous = this.#rows.get(id)?.editing;
    this.set(id, mode ? { editing: mode } : undefined);
    const row = rowSelector(id);
    if (mode === 'rename') this.#focusNext = `${row} [part~=rename-input]`;
    else if (mode === 'delete') this.#focusNext = `${row} [part~=keep-button]`;
    else if (previous) this.#focusNext = `${row} [part~=${previous}-button]`;
  }

  /** Focus this selector after the next render. */
  focusAfterRender(selector: string): void {
    this.#focusNext = selector;
    this.#host.requestUpdate();
  }

  /** Forgets rows no longer in the list. */
  prune(exists: (id: string) => boolean): void {
    for (const id of this.#rows.keys()) if (!exists(id)) this.#rows.delete(id);
  }

  hostUpdate(): void {
    const root = this.#host.renderRoot as ShadowRoot;
    const active = root.activeElement as HTMLElement | null;
    const row = active?.closest<HTMLElement>('[data-id]');
    if (!active || !row) {
      this.#memory = undefined;
      return;
    }
    const rows = Array.from(root.querySelectorAll<HTMLElement>('[part~=file][data-id]'));
    const index = rows.indexOf(row);
    const after = rows.slice(index + 1).map((r) => r.dataset.id!);
    const before = rows
      .slice(0, Math.max(0, index))
      .reverse()
      .map((r) => r.dataset.id!);
    const part = (active.getAttribute('part') ?? '').split(/\s+/).find((p) => p.endsWith('-button')) ?? '';
    this.#memory = { id: row.dataset.id!, part, neighbours: [...after, ...before] };
  }

  hostUpdated(): void {
    const root = this.#host.renderRoot as ShadowRoot;
    if (this.#focusNext) {
      const target = root.querySelector<HTMLElement>(this.#focusNext);
      this.#focusNext = undefined;
      this.#memory = undefined;
      if (target) {
        target.focus();
        return;
      }
    }
    const memory = this.#memory;
    this.#memory = undefined;
    if (!memory) return;
    const active = root.activeElement;
    if (active?.isConnected) return;
    const focusable = (id: string) => {
      const row = root.querySelector<HTMLElement>(rowSelector(id));
      if (!row) return undefined;
      return (memory.part && row.querySelector<HTMLElement>(`[part~=${memory.part}]`)) || row.querySelector<HTMLElement>('button, a[href], input');
    };
    const target = focusable(memory.id) ?? memory.neighbours.map(focusable).find(Boolean) ?? root.querySelector<HTMLElement>('[part~=drop-zone]');
    target?.focus();
  }
}

export function rowSelector(id: string): string {
  return `[part~=file][data-id="${CSS.escape(id)}"]`;
}
