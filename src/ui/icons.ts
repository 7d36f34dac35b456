/**
 * The element's icons: 24×24 outline SVGs drawn with `currentColor`, so they follow the
 * text colour in both schemes. Decorative: buttons carry the accessible name. Inline SVG
 * templates, not fonts or data URLs, so a strict Content-Security-Policy shows them.
 */
import { svg, type SVGTemplateResult } from 'lit';
import type { FileKind } from './i18n.js';

const paths = {
  pause: svg`<path d="M9 5v14M15 5v14" />`,
  resume: svg`<path d="M8 5.5v13l10.5-6.5z" />`,
  cancel: svg`<path d="M6 6l12 12M18 6L6 18" />`,
  retry: svg`<path d="M4 12a8 8 0 0 1 13.7-5.6L20 8.7" /><path d="M20 4v4.7h-4.7" /><path d="M20 12a8 8 0 0 1-13.7 5.6L4 15.3" /><path d="M4 20v-4.7h4.7" />`,
  clear: svg`<path d="M4 7h11M4 12h11M4 17h6M15 15l5 5M20 15l-5 5" />`,
  rename: svg`<path d="M4 20h4L19 9l-4-4L4 16z" /><path d="M13.5 6.5l4 4" />`,
  delete: svg`<path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" />`,
  open: svg`<path d="M14 4h6v6M20 4l-9 9" /><path d="M18 14v6H4V6h6" />`,
  upload: svg`<path d="M12 16V4M7 9l5-5 5 5" /><path d="M4 16v4h16v-4" />`,
  done: svg`<path d="M5 12.5l4.5 4.5L19 7.5" />`,
  error: svg`<circle cx="12" cy="12" r="9" /><path d="M12 7.5v5.5M12 16.5v.01" />`,
  image: svg`<rect x="4" y="4" width="16" height="16" rx="2" /><circle cx="9" cy="9.5" r="1.5" /><path d="M20 15l-4.5-4.5L6 20" />`,
  video: svg`<rect x="3" y="6" width="13" height="12" rx="2" /><path d="M16 10.5l5-3v9l-5-3z" />`,
  audio: svg`<path d="M9 18V5l11-2v13" /><circle cx="6.5" cy="18" r="2.5" /><circle cx="17.5" cy="16" r="2.5" />`,
  archive: svg`<rect x="4" y="3" width="16" height="18" rx="2" /><path d="M12 3v2M12 7v2M12 11v2" /><rect x="10.5" y="14" width="3" height="4" rx="1" />`,
  document: svg`<path d="M6 3h8l4 4v14H6z" /><path d="M14 3v4h4M9 12h6M9 16h6" />`,
  other: svg`<path d="M6 3h8l4 4v14H6z" /><path d="M14 3v4h4" />`,
} as const;

export type IconName = keyof typeof paths;

export function icon(name: IconName): SVGTemplateResult {
  return svg`<svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${paths[name]}</svg>`;
}

const ARCHIVE = /\.(zip|tar|t?gz|tgz|bz2|xz|7z|rar|zst)$/i;
const DOCUMENT = /\.(pdf|docx?|odt|rtf|txt|md|xlsx?|ods|csv|pptx?|odp|pages|numbers|key|epub)$/i;

/** What kind of file this looks like, for its icon: by MIME type first, then by extension. */
export function fileKind(type: string, name: string): FileKind {
  const major = type.split('/')[0];
  if (major === 'image' || /\.(png|jpe?g|gif|webp|avif|heic|svg|bmp|tiff?)$/i.test(name)) return 'image';
  if (major === 'video' || /\.(mp4|mov|m4v|webm|mkv|avi)$/i.test(name)) return 'video';
  if (major === 'audio' || /\.(mp3|wav|flac|ogg|m4a|aac|opus)$/i.test(name)) return 'audio';
  if (/zip|compressed|tar|gzip|x-7z|rar/.test(type) || ARCHIVE.test(name)) return 'archive';
  if (major === 'text' || /pdf|document|sheet|presentation|msword|rtf|opendocument/.test(type) || DOCUMENT.test(name)) return 'document';
  return 'other';
}
