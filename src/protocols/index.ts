/**
 * The protocols the element knows by name. The engine looks a protocol up here and
 * then only talks to the interface; adding an API is adding an entry.
 */
import { contentRange } from './content-range.js';
import type { Protocol } from './protocol.js';
import { phased } from './phased.js';
import { registry } from './registry.js';
import { session } from './session.js';
import { signedParts } from './signed-parts.js';
import { tus } from './tus.js';

export const protocols: ReadonlyMap<string, Protocol> = new Map<string, Protocol>([contentRange, tus, phased, session, signedParts, registry].map((protocol) => [protocol.name, protocol]));

export function protocolNamed(name: string): Protocol | undefined {
  return protocols.get(name);
}
