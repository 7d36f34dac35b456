import { css } from 'lit';

/** Adopted stylesheets only (strict CSP without 'unsafe-inline' styles). */
export const styles = css`
  :host {
    --asset-library-gap: 0.5rem;
    --asset-library-border-color: #d1d5db;
    --asset-library-focus-ring: 0 0 0 3px #4338ca;
    --asset-library-error-color: #b91c1c;
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
  .meta {
    color: #4b5563;
  }
  .error {
    color: var(--asset-library-error-color);
  }
  button,
  select,
  input {
    font: inherit;
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
