/**
 * Acts on `<asset-uploader>` like a person: drops files, presses keys, clicks buttons,
 * and waits (bounded) for what a person would see.
 */
import '../../src/index.js';
import type { AssetUploader } from '../../src/asset-uploader.js';
import type { UploaderEventMap } from '../../src/engine/types.js';
import { executeServerCommand } from '@web/test-runner-commands';
import { setupIgnoreWindowResizeObserverLoopErrors } from '@lit-labs/virtualizer/support/resize-observer-errors.js';

// The virtualized list (40+ rows) makes the browser report "ResizeObserver loop completed
// with undelivered notifications" while it measures new rows: benign by the spec and by
// the virtualizer's authors (lit/lit#3154), and only that message is let through. Around
// each test, because the test framework sets its own window.onerror after this module loads.
setupIgnoreWindowResizeObserverLoopErrors(beforeEach, afterEach);

const mounted = new Set<HTMLElement>();

export async function mount(attributes: Record<string, string | boolean>, parent: HTMLElement = document.body): Promise<AssetUploader> {
  const element = document.createElement('asset-uploader');
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  parent.append(element);
  mounted.add(element);
  await element.updateComplete;
  return element;
}

/** Removes every element mounted by the tests (pausing their uploads). */
export function unmountAll(): void {
  for (const element of mounted) element.remove();
  mounted.clear();
}

export function dropZone(element: AssetUploader): HTMLElement {
  const zone = element.shadowRoot!.querySelector<HTMLElement>('[part=drop-zone]');
  if (!zone) throw new Error('no drop zone');
  return zone;
}

/** Drags `files` over the drop zone and drops them, as a person would. */
export async function dropFiles(element: AssetUploader, files: File[]): Promise<void> {
  const transfer = new DataTransfer();
  for (const file of files) transfer.items.add(file);
  const zone = dropZone(element);
  zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true }));
  zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true }));
  // The drop handler reads entries asynchronously: wait (bounded) until every file is taken or refused.
  let answered = 0;
  const count = () => answered++;
  element.addEventListener('upload-add', count);
  element.addEventListener('file-reject', count);
  try {
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true }));
    await until(() => answered >= files.length, `the drop of ${files.length} file(s) to be taken`, 10_000);
  } finally {
    element.removeEventListener('upload-add', count);
    element.removeEventListener('file-reject', count);
  }
}

/** Resolves with the first `type` event whose detail passes `accept`; rejects after `timeoutMs`. */
export function nextEvent<K extends keyof UploaderEventMap>(
  target: EventTarget,
  type: K,
  accept: (event: UploaderEventMap[K]) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<UploaderEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(type, listener);
      reject(new Error(`no ${type} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (event: Event) => {
      if (!accept(event as UploaderEventMap[K])) return;
      clearTimeout(timer);
      target.removeEventListener(type, listener);
      resolve(event as UploaderEventMap[K]);
    };
    target.addEventListener(type, listener);
  });
}

/** Collects every event of the given types fired on `target` until `stop()` is called. */
export function recordEvents(target: EventTarget, types: string[]): { events: CustomEvent[]; stop(): void } {
  const events: CustomEvent[] = [];
  const listener = (event: Event) => events.push(event as CustomEvent);
  for (const type of types) target.addEventListener(type, listener);
  return {
    events,
    stop: () => {
      for (const type of types) target.removeEventListener(type, listener);
    },
  };
}

/** Polls `condition` each frame until true; rejects after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Waits (bounded) until a long list is virtualized: the virtualizer is loaded the first
 * time a list reaches 40 rows, and once it has laid the list out it gives the list the
 * height of all its rows (an inline style; the element itself sets none).
 */
export async function virtualized(element: AssetUploader, timeoutMs = 10_000): Promise<void> {
  await until(() => !!element.shadowRoot!.querySelector<HTMLElement>('[part=file-list]')?.style.minHeight, 'the virtualized list', timeoutMs);
}

/** The rendered row of an upload. */
export function row(element: AssetUploader, id: string): HTMLElement {
  const found = element.shadowRoot!.querySelector<HTMLElement>(`[part~=file][data-id="${id}"]`);
  if (!found) throw new Error(`no row for ${id}`);
  return found;
}

/** Clicks the row's button whose part is `<action>-button`, once it is on screen (bounded). */
export async function clickRowAction(
  element: AssetUploader,
  id: string,
  action: 'pause' | 'resume' | 'cancel' | 'retry' | 'remove' | 'rename' | 'delete',
): Promise<void> {
  await rendered(element);
  const find = () =>
    element.shadowRoot!.querySelector<HTMLElement>(`[part~=file][data-id="${id}"]`)?.querySelector<HTMLButtonElement>(`[part~=${action}-button]`);
  await until(() => !!find(), `the ${action} button on ${id}`, 5_000).catch(() => {
    throw new Error(`no ${action} button on ${id}`);
  });
  find()!.click();
}

/**
 * Waits for the render the element scheduled. It renders once per animation frame, or
 * after 250 ms in a page that gets no frames (a background tab: Firefox runs parallel
 * test files as tabs of one window). So: the next frame, or 300 ms, whichever comes
 * first, then the update.
 */
export async function rendered(element: AssetUploader): Promise<void> {
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 300);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  await element.updateComplete;
}

/** What page scripts wrote with console.warn/console.error since the last check (every engine). */
const pageConsole: string[] = [];
for (const level of ['warn', 'error'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    pageConsole.push(`${level}: ${args.map(String).join(' ')}`);
    original(...args);
  };
}

/** Known, harmless noise: Lit's dev-mode notice, and the browser's line for a request a fault refused on purpose. */
const EXPECTED_NOISE = [/Lit is in dev mode/, /Failed to load resource/];

const allowedNoise: RegExp[] = [];

/**
 * Until the next `expectQuietConsole`, these lines are expected: a test that provokes
 * what the browser reports by design (an object store that refuses an expired URL
 * without CORS headers, as S3 does) says so, and only that passes.
 */
export function allowConsoleNoise(...patterns: RegExp[]): void {
  allowedNoise.push(...patterns);
}

/**
 * Fails when the page logged a warning or an error since the last call: from page
 * scripts (every engine) and from the browser itself, such as "Refused to get unsafe
 * header" or a CSP violation (Chromium and Firefox, whose launchers give the page).
 */
export async function expectQuietConsole(): Promise<void> {
  const { messages } = await executeServerCommand<{ watched: boolean; messages: string[] }, undefined>('ref-console');
  const expected = [...EXPECTED_NOISE, ...allowedNoise.splice(0)];
  const problems = [...pageConsole.splice(0), ...messages].filter((text) => !expected.some((noise) => noise.test(text)));
  if (problems.length > 0) throw new Error(`console warnings or errors during the test:\n${problems.join('\n')}`);
}
