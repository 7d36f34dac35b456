/**
 * The built-in adapters as loaders: each adapter's module is fetched when an uploader
 * first names it, so a page pays for the one API it speaks. Importing this module
 * registers nothing by itself; the main entry (and the drop-in) calls
 * `registerBuiltInLoaders()`. `registerBuiltInProtocols()` in `./index.ts` registers
 * the same adapters eagerly, for code that wants every one in its bundle.
 */
import { registerProtocolLoader } from '../engine/protocol-registry.js';

/** Makes every built-in adapter known by name, each loaded on first use. */
export function registerBuiltInLoaders(): void {
  registerProtocolLoader('content-range', () => import('./content-range.js').then((module) => module.contentRange));
  registerProtocolLoader('tus', () => import('./tus.js').then((module) => module.tus));
  registerProtocolLoader('phased', () => import('./phased.js').then((module) => module.phased));
  registerProtocolLoader('session', () => import('./session.js').then((module) => module.session));
  registerProtocolLoader('signed-parts', () => import('./signed-parts.js').then((module) => module.signedParts));
  registerProtocolLoader('registry', () => import('./registry.js').then((module) => module.registry));
}
