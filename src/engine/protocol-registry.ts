/**
 * Protocols by name, for `protocol: 'tus'` and the element's `protocol` attribute. The
 * engine imports no adapter: whoever wants names registers the adapters it ships
 * (`asset-uploader`'s main entry registers the built-in ones; `asset-uploader/engine`
 * plus one adapter pays for that adapter only, and can pass the adapter object itself).
 */
import type { Protocol } from './protocol.js';

/** Made on first use, so loading this module runs nothing. */
let registry: Map<string, Protocol> | undefined;
const known = (): Map<string, Protocol> => (registry ??= new Map());

/** Makes `protocol` known by its `name` (a later registration of the same name replaces it). */
export function registerProtocol(...protocols: Protocol[]): void {
  for (const protocol of protocols) {
    if (typeof protocol?.name !== 'string' || protocol.name === '' || typeof protocol.create !== 'function') {
      throw new TypeError('registerProtocol: an adapter needs a `name` and a `create(context, target)` function.');
    }
    known().set(protocol.name, protocol);
  }
}

export function protocolNamed(name: string): Protocol | undefined {
  return known().get(name);
}

/** The names registered now, for error messages and docs. */
export function protocolNames(): string[] {
  return [...known().keys()];
}
