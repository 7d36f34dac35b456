import { css } from 'lit';

/** Adopted stylesheets: no inline `style` attributes, so a strict CSP without 'unsafe-inline' styles still renders. */
export const styles = css`
  :host {
    --asset-uploader-gap: 0.5rem;
    --asset-uploader-radius: 0.5rem;
    --asset-uploader-border-color: #6b7280;
    --asset-uploader-drop-background: #f9fafb;
    --asset-uploader-drop-active-background: #eef2ff;
    --asset-uploader-focus-ring: 0 0 0 3px #4338ca;
    --asset-uploader-progress-color: #4338ca;
    --asset-uploader-error-color: #b91c1c;
    --asset-uploader-success-color: #15803d;
    display: block;
    font: inherit;
    color: inherit;
  }
  :host([hidden]) {
    display: none;
  }
  .base {
    display: grid;
    gap: var(--asset-uploader-gap);
  }
  [part='drop-zone'] {
    display: grid;
    gap: 0.25rem;
    justify-items: center;
    width: 100%;
    padding: 1.5rem 1rem;
    border: 2px dashed var(--asset-uploader-border-color);
    border-radius: var(--asset-uploader-radius);
    background: var(--asset-uploader-drop-background);
    color: inherit;
    font: inherit;
    cursor: pointer;
    text-align: center;
  }
  [part='drop-zone']:focus-visible {
    outline: none;
    box-shadow: var(--asset-uploader-focus-ring);
  }
  :host(:state(dragover)) [part='drop-zone'],
  [part='drop-zone'].dragover {
    background: var(--asset-uploader-drop-active-background);
    border-style: solid;
  }
  :host([disabled]) [part='drop-zone'] {
    cursor: not-allowed;
    opacity: 0.6;
  }
  .hint {
    font-size: 0.875em;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: var(--asset-uploader-gap);
  }
  [part~='file'] {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.25rem 0.75rem;
    padding: 0.5rem 0.75rem;
    border: 1px solid var(--asset-uploader-border-color);
    border-radius: var(--asset-uploader-radius);
  }
  [part='file-name'] {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  [part='file-meta'] {
    font-size: 0.875em;
  }
  progress {
    grid-column: 1 / -1;
    width: 100%;
    height: 0.5rem;
    accent-color: var(--asset-uploader-progress-color);
  }
  [part='file-actions'] {
    grid-column: 1 / -1;
    display: flex;
    gap: 0.25rem;
    justify-content: end;
    flex-wrap: wrap;
  }
  button.action {
    font: inherit;
    font-size: 0.875em;
    padding: 0.125rem 0.5rem;
    border-radius: calc(var(--asset-uploader-radius) / 2);
    border: 1px solid var(--asset-uploader-border-color);
    background: transparent;
    color: inherit;
    cursor: pointer;
  }
  button.action:focus-visible {
    outline: none;
    box-shadow: var(--asset-uploader-focus-ring);
  }
  [part='file-error'],
  [part~='rejection'],
  [part='notice'].error {
    color: var(--asset-uploader-error-color);
    grid-column: 1 / -1;
  }
  [part='produced'] {
    grid-column: 1 / -1;
    display: block;
  }
  [part='file-link'] {
    grid-column: 1 / -1;
    color: var(--asset-uploader-success-color);
    overflow-wrap: anywhere;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
