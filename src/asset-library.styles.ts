import { css } from 'lit';

/**
 * Adopted stylesheets only (strict CSP without 'unsafe-inline' styles). Colours are tints
 * of the inherited text colour, or `light-dark()` pairs, so the list reads on light and
 * dark pages alike (as `<asset-uploader>`'s theme).
 */
export const styles = css`
  :host {
    --asset-library-gap: 0.5rem;
    --asset-library-border-color: color-mix(in srgb, currentColor 22%, transparent);
    --asset-library-focus-ring: 0 0 0 3px light-dark(#1d5bd8, #7fb0ff);
    --asset-library-error-color: light-dark(#b91c1c, #ff9b9b);
    display: block;
    font: inherit;
    color: inherit;
  }
  :host([hidden]) {
    display: none;
  }
  .base,
  .toolbar,
  .pagination,
  .item,
  .actions,
  .rename,
  .confirm {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--asset-library-gap);
  }
  .base {
    flex-direction: column;
    align-items: stretch;
  }
  .filter {
    display: inline-flex;
    align-items: center;
    gap: 0.25rem;
  }
  .list {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .item {
    padding: 0.5rem 0;
    border-bottom: 1px solid var(--asset-library-border-color);
  }
  .name {
    flex: 1 1 12rem;
    overflow-wrap: anywhere;
    font-weight: 600;
  }
  /* The page's text colour, underlined: the browser's link blue is unreadable on a dark page that declares no color-scheme. */
  a.name {
    color: inherit;
    text-decoration: underline;
    text-underline-offset: 0.15em;
  }
  .meta {
    color: color-mix(in srgb, currentColor 72%, transparent);
  }
  .error {
    color: var(--asset-library-error-color);
  }
  button,
  select,
  input {
    font: inherit;
  }
  /* Busy (the server is answering): still focusable, so the keyboard is not dropped. */
  button[aria-disabled='true'] {
    opacity: 0.6;
    cursor: progress;
  }
  input[readonly] {
    opacity: 0.8;
  }
  button:focus-visible,
  select:focus-visible,
  input:focus-visible,
  a:focus-visible {
    outline: none;
    box-shadow: var(--asset-library-focus-ring);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
