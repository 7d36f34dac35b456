/**
 * The built-in adapters, and one call that registers them by name. Importing this module
 * registers nothing by itself (it has no side effects): the element's main entry calls
 * `registerBuiltInProtocols()`.
 */
import { registerProtocol } from '../engine/protocol-registry.js';
import type { Protocol } from '../engine/protocol.js';
import { contentRange } from './content-range.js';
import { phased } from './phased.js';
import { registry } from './registry.js';
import { session } from './session.js';
import { signedParts } from './signed-parts.js';
import { tus } from './tus.js';

export const builtInProtocols: readonly Protocol[] = [contentRange, tus, phased, session, signedParts, registry];

/** Makes every built-in adapter known by name (`content-range`, `tus`, `phased`, `session`, `signed-parts`, `registry`). */
export function registerBuiltInProtocols(): void {
  registerProtocol(...builtInProtocols);
}
