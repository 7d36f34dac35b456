/** Imported first: a browser (or private mode) without IndexedDB. */
Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true });
