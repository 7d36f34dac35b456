/** `<asset-library>` on the test page, listing the reference server's registry. */
import '../../src/library.js';
import type { AssetLibrary } from '../../src/asset-library.js';
import { PHASED_FULL_TOKEN, registryEndpoint } from './ref-server.js';

/** The page's main landmark, which holds the elements (axe wants every content in a landmark). */
export function main(): HTMLElement {
  let node = document.querySelector('main');
  if (!node) {
    node = document.createElement('main');
    document.body.append(node);
  }
  return node;
}

/** A library of the registry with the full token, in `main()`, rendered once. */
export async function library(attributes: Record<string, string> = {}): Promise<AssetLibrary> {
  const element = document.createElement('asset-library');
  element.setAttribute('endpoint', await registryEndpoint());
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.token = PHASED_FULL_TOKEN;
  main().append(element);
  await element.updateComplete;
  return element;
}
