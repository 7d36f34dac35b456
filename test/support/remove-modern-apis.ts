/**
 * Imported first by a test file, before the element loads: the page becomes an "older
 * browser" without Worker, IndexedDB or Blob.prototype.slice.
 */
const scope = globalThis as unknown as Record<string, unknown>;
delete scope['Worker'];
Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true });
delete (Blob.prototype as unknown as Record<string, unknown>)['slice'];
