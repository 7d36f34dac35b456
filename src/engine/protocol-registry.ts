/**
 * Protocols by name, for `protocol: 'tus'` and the element's `protocol` attribute. The
 * engine imports no adapter: whoever wants names registers the adapters it ships, as
 * objects (`registerProtocol(tus)`) or as loaders that fetch the adapter's module on
 * first use (`registerProtocolLoader('tus', () => import(...))`: the drop-in registers
 * the built-in ones this way, so a page loads the one adapter it names).
 */
import type { Protocol } from './protocol.js';

/** Made on first use, so loading this module runs nothing. */
let registry: Map<string, Protocol> | undefined;
let loaders: Map<string, () => Promise<Protocol>> | undefined;
let loading: Map<string, Promise<Protocol>> | undefined;
const known = (): Map<string, Protocol> => (registry ??= new Map());
const loadable = (): Map<string, () => Promise<Protocol>> => (loaders ??= new Map());

/** Makes `protocol` known by its `name` (a later registration of the same name replaces it). */
export function registerProtocol(...protocols: Protocol[]): void {
  for (const protocol of protocols) known().set(checked(protocol).name, protocol);
}

function checked(protocol: Protocol): Protocol {
  if (typeof protocol?.name !== 'string' || protocol.name === '' || typeof protocol.create !== 'function') {
    throw new TypeError('registerProtocol: an adapter needs a `name` and a `create(context, target)` function.');
  }
  return protocol;
}

/**
 * Makes `name` known as an adapter that `load` fetches on first use (a dynamic
 * `import()`, say). An adapter registered as an object under the same name wins.
 */
export function registerProtocolLoader(name: string, load: () => Promise<Protocol>): void {
  if (typeof name !== 'string' || name === '' || typeof load !== 'function') {
    throw new TypeError('registerProtocolLoader: give a name and a function that resolves to the adapter.');
  }
  loadable().set(name, load);
}

/** The adapter registered as `name`, if it is loaded (see `loadProtocol`). */
export function protocolNamed(name: string): Protocol | undefined {
  return known().get(name);
}

/** Whether `name` is registered to load on first use and is not loaded yet. */
export function protocolPending(name: string): boolean {
  return !known().has(name) && loadable().has(name);
}

/**
 * The adapter registered as `name`, loading it first when it was registered by a
 * loader; undefined when no such name is known. A failed load can be tried again.
 */
export function loadProtocol(name: string): Promise<Protocol | undefined> {
  const ready = known().get(name);
  if (ready) return Promise.resolve(ready);
  const load = loadable().get(name);
  if (!load) return Promise.resolve(undefined);
  loading ??= new Map();
  let pending = loading.get(name);
  if (!pending) {
    pending = load().then(
      (protocol) => {
        // Known by the name it was registered under, whatever the module calls it.
        if (!known().has(name)) known().set(name, checked(protocol));
        return known().get(name)!;
      },
      (error: unknown) => {
        loading!.delete(name);
        throw error;
      },
    );
    loading.set(name, pending);
  }
  return pending;
}

/** The names registered now (loaded or not), for error messages and docs. */
export function protocolNames(): string[] {
  return [...new Set([...known().keys(), ...loadable().keys()])];
}
