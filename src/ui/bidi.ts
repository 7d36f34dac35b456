/**
 * File names are text from strangers: a right-to-left override (U+202E) in
 * `invoice\u202Egpj.exe` makes it read "invoiceexe.jpg". Two defences, used by both
 * elements wherever a name is shown:
 *
 * - `displayName` makes the bidi control characters themselves visible (as U+FFFD),
 *   so a name can no longer reorder its own letters; the exact name stays in `title`
 *   and in what the server gets.
 * - `isolated` / `fillIsolated` put each name in a `<bdi>`, so a name, whatever its
 *   direction, cannot reorder the words or numbers around it (the size, the status,
 *   the sentence it is part of), in LTR and RTL pages alike.
 */
import { html, type TemplateResult } from 'lit';

/** Embeddings, overrides, isolates and marks (UAX #9): the characters that reorder text. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

export function displayName(name: string): string {
  return name.replace(BIDI_CONTROLS, '\uFFFD');
}

/** A name for the screen: shown safely, isolated from what is around it. */
export function isolated(name: string): TemplateResult {
  return html`<bdi>${displayName(name)}</bdi>`;
}

/**
 * `fill` for text on screen: `{key}` placeholders are replaced by values, each value in
 * its own `<bdi>` (names are also made safe by `displayName`). Lit renders every piece
 * as text, never as HTML.
 */
export function fillIsolated(template: string, values: Record<string, string | number | undefined>): TemplateResult {
  const pieces: Array<string | TemplateResult> = [];
  let last = 0;
  for (const match of template.matchAll(/\{(\w+)\}/g)) {
    const value = values[match[1]!];
    if (value === undefined) continue;
    pieces.push(template.slice(last, match.index));
    pieces.push(isolated(String(value)));
    last = match.index! + match[0].length;
  }
  pieces.push(template.slice(last));
  return html`${pieces}`;
}
