import { css } from 'lit';

/**
 * The default theme. Adopted stylesheets only (no `style` attributes), so a strict CSP
 * without 'unsafe-inline' styles still renders it.
 *
 * Colour: text is the page's (inherited), and every surface is a tint of that text colour
 * over the page's own background (`color-mix` with `transparent`), so the element reads
 * on a light page, a dark page, and a dark page that never declared `color-scheme`: no
 * light background ever sits under inherited light text. Coloured signals (accent, error,
 * success) use `light-dark()`, which follows the page's `color-scheme` (declare
 * `color-scheme: light dark` on the page to follow the system setting); messages stay in
 * the text colour, so they keep their contrast whatever the scheme.
 *
 * Layout: logical properties throughout, so `dir="rtl"` mirrors it. Rows are a grid that
 * moves the buttons under the name when the element is narrow (a container query on the
 * element's own width, not the window's), so the name keeps most of a phone's width.
 */
export const styles = css`
  :host {
    --asset-uploader-accent: light-dark(#1d5bd8, #7fb0ff);
    --asset-uploader-text-color: inherit;
    --asset-uploader-muted-color: color-mix(in srgb, currentColor 72%, transparent);
    --asset-uploader-background: color-mix(in srgb, currentColor 4%, transparent);
    --asset-uploader-gap: 0.5rem;
    --asset-uploader-radius: 0.625rem;
    --asset-uploader-border-color: color-mix(in srgb, currentColor 22%, transparent);
    --asset-uploader-drop-background: color-mix(in srgb, currentColor 3%, transparent);
    --asset-uploader-drop-active-background: color-mix(in srgb, var(--asset-uploader-accent) 14%, transparent);
    --asset-uploader-focus-ring: 0 0 0 2px color-mix(in srgb, currentColor 85%, transparent), 0 0 0 4px var(--asset-uploader-accent);
    --asset-uploader-progress-color: var(--asset-uploader-accent);
    --asset-uploader-track-color: color-mix(in srgb, currentColor 12%, transparent);
    --asset-uploader-error-color: light-dark(#c0262d, #ff8a8a);
    --asset-uploader-success-color: light-dark(#17803d, #5fd38a);
    --asset-uploader-list-max-height: min(70vh, 36rem);
    display: block;
    container-type: inline-size;
    font: inherit;
    color: var(--asset-uploader-text-color);
    line-height: 1.4;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  .base {
    display: grid;
    gap: var(--asset-uploader-gap);
    min-width: 0;
  }
  .icon {
    flex: none;
    inline-size: 1.25rem;
    block-size: 1.25rem;
  }
  button {
    font: inherit;
    color: inherit;
  }
  button:focus-visible,
  a:focus-visible,
  input:focus-visible,
  .scroller:focus-visible {
    outline: 2px solid transparent;
    box-shadow: var(--asset-uploader-focus-ring);
  }

  /* The drop area: tall and inviting while empty, a slim bar once files are listed. */
  .drop-area {
    display: grid;
    justify-items: center;
    gap: 0.25rem;
    padding: 1.25rem 1rem 1.5rem;
    border: 2px dashed var(--asset-uploader-border-color);
    border-radius: var(--asset-uploader-radius);
    background: var(--asset-uploader-drop-background);
    cursor: pointer;
    text-align: center;
    transition:
      background-color 120ms ease,
      border-color 120ms ease;
  }
  .drop-zone {
    display: grid;
    justify-items: center;
    gap: 0.375rem;
    padding: 0.375rem 0.75rem;
    border: 0;
    border-radius: calc(var(--asset-uploader-radius) * 0.75);
    background: transparent;
    cursor: pointer;
  }
  .drop-zone .icon {
    inline-size: 1.75rem;
    block-size: 1.75rem;
    color: var(--asset-uploader-accent);
  }
  .drop-label {
    font-weight: 600;
  }
  .hint {
    font-size: 0.8125em;
    color: var(--asset-uploader-muted-color);
  }
  .has-files .drop-area {
    grid-template-columns: auto minmax(0, 1fr);
    justify-items: start;
    align-items: center;
    column-gap: 0.75rem;
    padding: 0.375rem 0.75rem;
    text-align: start;
  }
  .has-files .drop-zone {
    grid-template-columns: auto auto;
    align-items: center;
    gap: 0.5rem;
    padding-inline: 0.25rem 0.5rem;
  }
  .has-files .drop-zone .icon {
    inline-size: 1.375rem;
    block-size: 1.375rem;
  }
  @container (max-width: 34rem) {
    .has-files .drop-area {
      grid-template-columns: minmax(0, 1fr);
      row-gap: 0;
    }
  }
  .drop-area:hover:not(.disabled) {
    border-color: var(--asset-uploader-accent);
  }
  :host(:state(dragover)) .drop-area,
  .dragover .drop-area {
    background: var(--asset-uploader-drop-active-background);
    border-color: var(--asset-uploader-accent);
    border-style: solid;
  }
  :host(:state(dragover)) .scroller,
  .dragover .scroller {
    outline: 2px dashed var(--asset-uploader-accent);
    outline-offset: 2px;
  }
  /* The button fades; its hint stays readable (WCAG contrast holds for text that is not a control). */
  .drop-area.disabled .drop-zone {
    opacity: 0.6;
  }
  .drop-area.disabled,
  .drop-area.disabled .drop-zone {
    cursor: not-allowed;
  }

  /* Messages about the element as a whole and refused files. */
  .notice {
    margin: 0;
    padding: 0.5rem 0.75rem;
    border-inline-start: 3px solid var(--asset-uploader-accent);
    border-radius: calc(var(--asset-uploader-radius) / 2);
    background: var(--asset-uploader-background);
    font-size: 0.875em;
  }
  .rejections-box {
    display: flex;
    gap: 0.5rem;
    align-items: start;
    padding: 0.5rem 0.75rem;
    border-inline-start: 3px solid var(--asset-uploader-error-color);
    border-radius: calc(var(--asset-uploader-radius) / 2);
    background: var(--asset-uploader-background);
    font-size: 0.875em;
  }
  .rejections {
    flex: 1;
    min-width: 0;
    display: grid;
    gap: 0.25rem;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .rejections li {
    display: flex;
    gap: 0.375rem;
    align-items: start;
    overflow-wrap: break-word;
    min-width: 0;
  }
  .rejections .icon {
    color: var(--asset-uploader-error-color);
    inline-size: 1.125rem;
    block-size: 1.125rem;
  }

  /* Buttons */
  .action {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.375rem;
    border: 1px solid transparent;
    border-radius: calc(var(--asset-uploader-radius) * 0.75);
    background: transparent;
    cursor: pointer;
    white-space: nowrap;
  }
  .action:hover:not(:disabled) {
    background: color-mix(in srgb, currentColor 10%, transparent);
  }
  .action:disabled {
    opacity: 0.6;
    cursor: not-allowed;
  }
  .icon-button {
    inline-size: 2rem;
    block-size: 2rem;
    padding: 0;
    color: var(--asset-uploader-muted-color);
  }
  .icon-button:hover {
    color: inherit;
  }
  .text-button {
    min-block-size: 2rem;
    padding: 0.25rem 0.625rem;
    border-color: var(--asset-uploader-border-color);
    font-size: 0.875em;
  }
  .text-button .icon {
    inline-size: 1rem;
    block-size: 1rem;
  }
  .text-button.primary {
    background: var(--asset-uploader-accent);
    border-color: var(--asset-uploader-accent);
    color: light-dark(#fff, #0b1220);
    font-weight: 600;
  }
  .text-button.primary:hover {
    background: color-mix(in srgb, var(--asset-uploader-accent) 85%, currentColor);
  }
  .text-button.danger {
    border-color: var(--asset-uploader-error-color);
  }

  /* The summary bar: the totals and the buttons share a line while there is room; the bar goes under both. */
  .summary {
    display: flex;
    flex-wrap: wrap;
    gap: 0.375rem 0.75rem;
    align-items: center;
    padding: 0.625rem 0.75rem;
    border: 1px solid var(--asset-uploader-border-color);
    border-radius: var(--asset-uploader-radius);
    background: var(--asset-uploader-background);
    font-size: 0.875em;
  }
  .summary-text {
    display: flex;
    flex-direction: column;
    flex: 1 1 14rem;
    min-width: 0;
  }
  [part='summary-counts'] {
    font-weight: 600;
  }
  [part='summary-bytes'] {
    color: var(--asset-uploader-muted-color);
  }
  .summary-actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.375rem;
    order: 1;
  }
  .summary .total {
    flex: 1 0 100%;
    order: 2;
  }

  /* Progress bars: slim, rounded, the same in every engine. */
  .bar {
    appearance: none;
    display: block;
    inline-size: 100%;
    block-size: 0.25rem;
    border: 0;
    border-radius: 999px;
    background: var(--asset-uploader-track-color);
    color: var(--asset-uploader-progress-color);
    overflow: hidden;
  }
  .bar::-webkit-progress-bar {
    background: var(--asset-uploader-track-color);
    border-radius: 999px;
  }
  .bar::-webkit-progress-value {
    background: var(--asset-uploader-progress-color);
    border-radius: 999px;
    /* No transition: an animated inline-size is a style, layout and paint on every frame of an upload;
       the bar moves with each progress event instead, up to 20 times a second. */
  }
  .bar::-moz-progress-bar {
    background: var(--asset-uploader-progress-color);
    border-radius: 999px;
  }

  /* The list: its own scroller past a height, virtualized inside. */
  .scroller {
    max-block-size: var(--asset-uploader-list-max-height);
    overflow: auto;
    overscroll-behavior: contain;
    border-radius: var(--asset-uploader-radius);
  }
  .list {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .row {
    display: grid;
    grid-template-columns: 2.5rem minmax(0, 1fr) auto;
    grid-template-areas:
      'thumb name actions'
      'thumb meta actions'
      'bar bar bar'
      'extra extra extra';
    column-gap: 0.75rem;
    align-items: center;
    inline-size: 100%;
    margin-block-end: var(--asset-uploader-gap);
    padding: 0.5rem 0.5rem 0.375rem 0.75rem;
    padding-inline: 0.75rem 0.5rem;
    border: 1px solid var(--asset-uploader-border-color);
    border-radius: var(--asset-uploader-radius);
    background: var(--asset-uploader-background);
  }
  .thumb {
    grid-area: thumb;
    align-self: center;
    inline-size: 2.5rem;
    block-size: 2.5rem;
    border-radius: calc(var(--asset-uploader-radius) * 0.6);
    object-fit: cover;
  }
  span.thumb {
    display: grid;
    place-items: center;
    background: color-mix(in srgb, currentColor 8%, transparent);
    color: var(--asset-uploader-muted-color);
  }
  .icon-image,
  .icon-video {
    color: var(--asset-uploader-accent);
  }
  .name-line {
    grid-area: name;
    display: flex;
    min-width: 0;
    font-weight: 600;
  }
  .path {
    flex: 0 100000 auto;
    min-width: 1.5em;
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
    font-weight: 400;
    color: var(--asset-uploader-muted-color);
  }
  .name {
    display: flex;
    flex: 0 1 auto;
    min-width: 0;
  }
  .name-bdi {
    display: flex;
    min-width: 0;
    max-inline-size: 100%;
    white-space: nowrap;
  }
  .name-start {
    overflow: hidden;
    text-overflow: ellipsis;
    min-width: 1ch;
  }
  .name-end {
    flex: none;
  }
  .meta {
    grid-area: meta;
    min-width: 0;
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
    font-size: 0.8125em;
    color: var(--asset-uploader-muted-color);
    font-variant-numeric: tabular-nums;
  }
  [part='file-status'] {
    color: var(--asset-uploader-text-color);
  }
  .meta > .piece + .piece::before {
    content: ' · ';
    content: ' · ' / '';
  }
  [data-status='error'] .meta {
    white-space: normal;
  }
  .error {
    color: var(--asset-uploader-text-color);
  }
  /* A dot before the state of a failed or finished row: colour is a signal, never the only one. */
  [data-status='error'] [part='file-status'],
  [data-status='success'] [part='file-status'] {
    --dot: var(--asset-uploader-success-color);
  }
  [data-status='error'] [part='file-status'] {
    --dot: var(--asset-uploader-error-color);
  }
  [data-status='error'] [part='file-status']::before,
  [data-status='success'] [part='file-status']::before {
    content: '';
    display: inline-block;
    inline-size: 0.5em;
    block-size: 0.5em;
    margin-inline-end: 0.35em;
    border-radius: 50%;
    background: var(--dot);
  }
  .link {
    color: inherit;
    font-weight: 600;
    text-underline-offset: 0.15em;
  }
  .actions {
    grid-area: actions;
    display: flex;
    gap: 0.125rem;
    justify-content: end;
  }
  .row .bar {
    grid-area: bar;
    margin-block-start: 0.375rem;
    block-size: 0.1875rem;
  }
  [data-status='success'] .bar {
    --asset-uploader-progress-color: var(--asset-uploader-success-color);
  }
  [data-status='error'] .bar {
    --asset-uploader-progress-color: var(--asset-uploader-error-color);
  }
  [data-status='paused'] .bar,
  [data-status='aborted'] .bar {
    --asset-uploader-progress-color: var(--asset-uploader-muted-color);
  }
  .editor,
  .note,
  .produced {
    grid-column: 1 / -1;
    margin-block-start: 0.375rem;
  }
  .editor {
    display: flex;
    flex-wrap: wrap;
    gap: 0.375rem 0.5rem;
    align-items: center;
    font-size: 0.875em;
  }
  .editor-label {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 0.5rem;
    align-items: center;
    flex: 1 1 12rem;
    min-width: 0;
  }
  .editor input {
    flex: 1 1 10rem;
    min-width: 0;
    min-block-size: 2rem;
    padding: 0.25rem 0.5rem;
    border: 1px solid var(--asset-uploader-border-color);
    border-radius: calc(var(--asset-uploader-radius) * 0.6);
    background: transparent;
    color: inherit;
    font: inherit;
  }
  .editor-buttons {
    display: flex;
    gap: 0.375rem;
  }
  .note {
    font-size: 0.875em;
    border-inline-start: 3px solid var(--asset-uploader-error-color);
    padding-inline-start: 0.5rem;
  }
  .produced {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 0.75rem;
    margin-block-end: 0;
    padding: 0;
    list-style: none;
    font-size: 0.8125em;
  }
  .produced a {
    color: inherit;
  }

  /* Narrow (phones, side panels): the name gets the whole first line, buttons share the second. */
  @container (max-width: 26rem) {
    .row {
      grid-template-columns: 2.25rem minmax(0, 1fr) auto;
      grid-template-areas:
        'thumb name name'
        'thumb meta actions'
        'bar bar bar'
        'extra extra extra';
      column-gap: 0.625rem;
      padding-inline: 0.625rem 0.375rem;
    }
    .thumb {
      inline-size: 2.25rem;
      block-size: 2.25rem;
    }
    .icon-button {
      inline-size: 1.75rem;
      block-size: 1.75rem;
    }
    /* The speed goes first when the status line is short of room; time left says more.
       The whole piece goes, so its ' · ' goes with it. */
    .piece:has(> [part='file-speed']),
    .piece:has(> [part='file-resumed']) {
      display: none;
    }
    /* A finished row's line wraps between pieces rather than cutting its Open link off
       (beside Rename, Delete and Remove there is little room). */
    [data-status='success'] .meta {
      white-space: normal;
    }
    [data-status='success'] .piece {
      display: inline-block;
      white-space: pre;
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .drop-area {
      transition: none;
    }
  }
  @media (forced-colors: active) {
    .bar {
      border: 1px solid CanvasText;
    }
    .row,
    .summary {
      border-color: CanvasText;
    }
  }
  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
