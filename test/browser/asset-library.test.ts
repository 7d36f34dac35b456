/**
 * `<asset-library>` on its own: what it shows before it is configured, and what its
 * attributes send. The flows against a real registry are in test/support/registry-suite.ts.
 */
import { expect } from '@esm-bundle/chai';
import '../../src/library.js';
import type { AssetLibrary } from '../../src/asset-library.js';
import { PHASED_FULL_TOKEN, registryEndpoint } from '../support/ref-server.js';
import { until } from '../support/harness.js';

const made: HTMLElement[] = [];
afterEach(() => {
  for (const node of made.splice(0)) node.remove();
});

async function library(attributes: Record<string, string>): Promise<AssetLibrary> {
  const element = document.createElement('asset-library');
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  document.body.append(element);
  made.push(element);
  await element.updateComplete;
  return element;
}

describe('<asset-library> configuration', () => {
  it('says what is missing when it has no endpoint, and asks nothing', async () => {
    const element = await library({});
    expect(element.shadowRoot!.querySelector('[part=status]')!.textContent).to.contain('Set the endpoint attribute');
    expect(element.shadowRoot!.querySelector('[part=list]')).to.equal(null);
  });

  it('sends the token to its endpoint only, cookies only with with-credentials, and keeps page-size within 1..100', async () => {
    const endpoint = await registryEndpoint();
    const seen: Array<{ url: string; credentials: RequestCredentials | undefined; authorization: string | null }> = [];
    const original = window.fetch;
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ url: String(input), credentials: init?.credentials, authorization: new Headers(init?.headers).get('Authorization') });
      return original(input, init);
    };
    try {
      const plain = await library({ endpoint, 'page-size': '500' });
      plain.token = PHASED_FULL_TOKEN;
      await until(() => seen.some((s) => s.authorization !== null), 'a request with the token');
      await until(() => plain.shadowRoot!.querySelector('.empty, [part=list]') !== null, 'the list');
      const withToken = seen.find((s) => s.authorization !== null)!;
      expect(withToken.credentials).to.equal('omit');
      expect(withToken.authorization).to.equal(`Bearer ${PHASED_FULL_TOKEN}`);
      expect(new URL(withToken.url).searchParams.get('limit'), 'page-size 500 is read as the largest page, 100').to.equal('100');
      seen.length = 0;
      const cookies = await library({ endpoint, 'with-credentials': '' });
      cookies.token = PHASED_FULL_TOKEN;
      await until(() => seen.some((s) => s.authorization !== null), 'a request with cookies');
      expect(seen.find((s) => s.authorization !== null)!.credentials).to.equal('include');
    } finally {
      window.fetch = original;
    }
  });
});
