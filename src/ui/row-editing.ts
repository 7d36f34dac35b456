/**
 * Per-row state the engine does not hold (an open rename form or delete question, a
 * message) and where keyboard focus goes when the rows change under it.
 *
 * Focus rules: opening an editor focuses its field; closing it returns to the button
 * that opened it; when the focused button disappears (its row removed, or replaced by a
 * different control), focus moves to the same kind of button in the same row, else to
 * that row's first button, else to the next (or previous) row, else to the drop zone.
 * A control outside the rows (the summary bar's actions, which come and go with the
 * counts) hands focus to the control now in its place among its siblings, else to the
 * one before it, else (its whole group gone) to the first row's first control, else to
 * the drop zone. Never to `<body>`, where a keyboard user would have to start over.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RowState } from './file-row.js';

export interface RowEditingHost extends ReactiveControllerHost, HTMLElement {
  readonly renderRoot: HTMLElement | DocumentFragment;
}

/** Where focus was before a render: in a row, or among the controls of some other group. */
type FocusMemory = RowFocus | GroupFocus;

interface RowFocus {
  readonly element: HTMLElement;
  readonly id: string;
  readonly part: string;
  readonly neighbours: readonly string[];
}

interface GroupFocus {
  readonly element: HTMLElement;
  readonly group: ParentNode & Node;
  readonly index: number;
}

/** What can take focus (the hidden file input cannot). */
const CONTROLS = 'button:not(:disabled), a[href], input:not(:disabled):not([hidden])';

export class RowEditingController implements ReactiveController {
  readonly #host: RowEditingHost;
  #rows = new Map<string, RowState>();
  #focusNext: string | undefined;
  #memory: FocusMemory | undefined;
  /** A focused row still on screen after a render: `prune` learns whether it left the list. */
  #pending: RowFocus | undefined;

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

  /**
   * Forgets rows no longer in the list. Called by the host after each render, with the
   * list as it now is.
   *
   * A virtualized list takes a row out of the DOM later than the render that dropped it
   * from the list (@lit-labs/virtualizer re-renders on its own `rangeChanged`), so the
   * focused button is still connected when `hostUpdated` looks. If that row has left the
   * list, focus moves on now, as the plain list does; a row that only scrolled out of view
   * is still in the list and keeps focus (moving it would scroll the list back).
   */
  prune(exists: (id: string) => boolean): void {
    for (const id of this.#rows.keys()) if (!exists(id)) this.#rows.delete(id);
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending || exists(pending.id)) return;
    const root = this.#host.renderRoot as ShadowRoot;
    if (root.activeElement !== pending.element) return;
    this.#restore({ ...pending, neighbours: pending.neighbours.filter(exists) }, false);
  }

  hostUpdate(): void {
    const root = this.#host.renderRoot as ShadowRoot;
    const active = root.activeElement as HTMLElement | null;
    this.#pending = undefined;
    if (!active) {
      this.#memory = undefined;
      return;
    }
    const row = active.closest<HTMLElement>('[data-id]');
    if (!row) {
      // Outside the rows (the summary bar): remember the place among the siblings, since
      // the controls there appear and disappear with the counts.
      const group = active.parentElement ?? root;
      this.#memory = { element: active, group, index: Array.from(group.querySelectorAll(CONTROLS)).indexOf(active) };
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
    this.#memory = { element: active, id: row.dataset.id!, part, neighbours: [...after, ...before] };
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
    if (memory.element.isConnected) {
      if ('id' in memory) this.#pending = memory;
      return;
    }
    // Focus went somewhere on purpose during the render: leave it there.
    if (root.activeElement) return;
    this.#restore(memory, true);
  }

  /** Focuses the nearest control to the one that went (`sameRow`: that row may still be there). */
  #restore(memory: FocusMemory, sameRow: boolean): void {
    const root = this.#host.renderRoot as ShadowRoot;
    let target: HTMLElement | null | undefined;
    if ('id' in memory) {
      const focusable = (id: string) => {
        const row = root.querySelector<HTMLElement>(rowSelector(id));
        if (!row) return undefined;
        return (memory.part && row.querySelector<HTMLElement>(`[part~=${memory.part}]`)) || row.querySelector<HTMLElement>(CONTROLS);
      };
      target = (sameRow ? focusable(memory.id) : undefined) ?? memory.neighbours.map(focusable).find(Boolean);
    } else if (memory.group.isConnected) {
      const controls = Array.from(memory.group.querySelectorAll<HTMLElement>(CONTROLS));
      target = controls[memory.index] ?? controls.at(-1);
    }
    target ??= root.querySelector<HTMLElement>(`[part~=file][data-id] :is(${CONTROLS})`) ?? root.querySelector<HTMLElement>('[part~=drop-zone]');
    target?.focus();
  }
}

export function rowSelector(id: string): string {
  return `[part~=file][data-id="${CSS.escape(id)}"]`;
}
