/**
 * The drop area: the button that opens the picker (its name, with a `<label for>`'s
 * text first) and the hint that describes it (accepted types, size and count limits).
 */
import { html, nothing, type TemplateResult } from 'lit';
import { parseSize } from '../engine/size.js';
import { fillCount, formatBytes } from './format.js';
import { fill, type UploaderI18n } from './i18n.js';
import { icon } from './icons.js';

export interface DropAreaState {
  readonly texts: UploaderI18n;
  readonly locale: string | undefined;
  readonly disabled: boolean;
  readonly dragging: boolean;
  readonly multiple: boolean;
  readonly accept: string;
  readonly maxFileSize: string;
  readonly maxFiles: number | undefined;
  /** The texts of the `<label>`s that name the element. */
  readonly labels: readonly string[];
  /** The text of a `slot="label"` child, if any. */
  readonly slotted: string | undefined;
}

export interface DropAreaHandlers {
  openPicker(): void;
  slotChanged(): void;
}

export function dropArea(s: DropAreaState, on: DropAreaHandlers): TemplateResult {
  const label = s.dragging ? s.texts.dropActive : s.multiple ? s.texts.dropLabel : s.texts.dropLabelSingle;
  // A button inside a shadow root cannot point at a label outside it: the label's text
  // comes first in its name, and the visible text stays in it (WCAG 2.5.3).
  const name = s.labels.length ? `${s.labels.join(' ')}, ${s.slotted || label}` : undefined;
  // A click on the area around the button (its hint, its padding) opens the picker too.
  const areaClick = (event: MouseEvent) => {
    if (event.target === event.currentTarget || (event.target as Element).matches?.('[part=hint]')) on.openPicker();
  };
  return html`<div part="drop-area" class="drop-area ${s.disabled ? 'disabled' : ''}" @click=${areaClick}>
    <button type="button" part="drop-zone" class="drop-zone" ?disabled=${s.disabled} aria-label=${name ?? nothing} aria-describedby="hint" @click=${on.openPicker}>
      ${icon('upload')}
      <span class="drop-label"><slot name="label" @slotchange=${on.slotChanged}>${label}</slot></span>
    </button>
    <span id="hint" part="hint" class="hint">${hint(s)}</span>
  </div>`;
}

function hint(s: DropAreaState): string {
  const t = s.texts;
  const hints = [t.dropHint];
  if (s.accept) hints.push(fill(t.dropHintAccept, { accept: s.accept }));
  const maxSize = parseSize(s.maxFileSize || undefined);
  if (maxSize) hints.push(fill(t.dropHintMaxSize, { size: formatBytes(maxSize, s.locale) }));
  if (s.multiple && Number.isInteger(s.maxFiles) && s.maxFiles! > 0) hints.push(fillCount(t.dropHintMaxFiles, s.maxFiles!, s.locale));
  return hints.join(' ');
}
