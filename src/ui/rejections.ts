/**
 * Refused files, as the element words them: from the engine's `file-reject` (its
 * `reason` and the limit it broke), in the element's texts and language. The list shows
 * the first few by name and how many more.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { RejectedFile } from '../engine/types.js';
import { displayName, fillIsolated } from './bidi.js';
import { fillCount, formatBytes, formatCount, plural } from './format.js';
import { fill, type UploaderI18n } from './i18n.js';
import { icon } from './icons.js';

/** Refusals shown by name; past this many, one line says how many more. */
export const SHOWN_REJECTIONS = 5;

function template(r: RejectedFile, t: UploaderI18n, locale: string | undefined): string {
  return plural(t.rejections[r.reason], r.max ?? 1, locale);
}

function values(r: RejectedFile, locale: string | undefined): Record<string, string | number | undefined> {
  return {
    name: r.relativePath || r.name,
    size: formatBytes(r.size, locale),
    limit: r.limit === undefined ? undefined : formatBytes(r.limit, locale),
    accept: r.accept,
    max: r.max === undefined ? undefined : formatCount(r.max, locale),
  };
}

/** The sentence, as plain text made safe (for the live region). */
export function rejectionMessage(r: RejectedFile, t: UploaderI18n, locale: string | undefined): string {
  return displayName(fill(template(r, t, locale), values(r, locale)));
}

export function rejectionList(
  rejections: readonly RejectedFile[],
  t: UploaderI18n,
  locale: string | undefined,
  dismiss: () => void,
): TemplateResult | typeof nothing {
  if (!rejections.length) return nothing;
  const more = rejections.length - SHOWN_REJECTIONS;
  return html`<div class="rejections-box">
    <ul part="rejections" class="rejections" aria-label=${t.rejectionsLabel}>
      ${rejections
        .slice(0, SHOWN_REJECTIONS)
        .map(
          (r) =>
            html`<li part="rejection" data-reason=${r.reason}>${icon('error')}<span>${fillIsolated(template(r, t, locale), values(r, locale))}</span></li>`,
        )}
      ${more > 0 ? html`<li part="rejection" data-reason="more">${fillCount(t.moreRejections, more, locale)}</li>` : nothing}
    </ul>
    <button type="button" class="action text-button" part="action dismiss-button" @click=${dismiss}>${t.dismiss}</button>
  </div>`;
}
