/**
 * `<asset-library>` on its own: what it shows before it is configured, and what its
 * attributes send. The flows against a real registry are in test/support/registry-suite.ts.
 */
import { expect } from '@esm-bundle/chai';
import '../../src/library.js';
import type { AssetLibrary } from '../../src/asset-library.js';
import { PHASED_FULL_TOKEN, registryEndpoint } from '../support/ref-server.js';
import { until } from '../support/harness.js';
import { LibraryApi } from '../../src/library/library-api.js';
import { UploadError, UploadErrorCode } from '../../src/engine/upload-error.js';
import { type PendingRequest, settle, TestHttpStack } from '../support/test-http-stack.js';

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
    // What the browser is asked to send, read at XHR's own seams.
    const seen: Array<{ url: string; withCredentials: boolean; authorization: string | null }> = [];
    const proto = XMLHttpRequest.prototype;
    const { open, setRequestHeader, send } = proto;
    const pending = new WeakMap<XMLHttpRequest, { url: string; authorization: string | null }>();
    proto.open = function (this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
      pending.set(this, { url: String(url), authorization: null });
      return (open as (...args: unknown[]) => void).call(this, method, url, ...rest);
    } as typeof proto.open;
    proto.setRequestHeader = function (this: XMLHttpRequest, name: string, value: string) {
      if (name.toLowerCase() === 'authorization') pending.get(this)!.authorization = value;
      return setRequestHeader.call(this, name, value);
    };
    proto.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
      seen.push({ ...pending.get(this)!, withCredentials: this.withCredentials });
      return send.call(this, body);
    };
    try {
      const plain = await library({ endpoint, 'page-size': '500' });
      plain.token = PHASED_FULL_TOKEN;
      await until(() => seen.some((s) => s.authorization !== null), 'a request with the token');
      await until(() => plain.shadowRoot!.querySelector('.empty, [part=list]') !== null, 'the list');
      const withToken = seen.find((s) => s.authorization !== null)!;
      expect(withToken.withCredentials).to.equal(false);
      expect(withToken.authorization).to.equal(`Bearer ${PHASED_FULL_TOKEN}`);
      expect(new URL(withToken.url).origin).to.equal(new URL(endpoint).origin);
      expect(new URL(withToken.url).searchParams.get('limit'), 'page-size 500 is read as the largest page, 100').to.equal('100');
      seen.length = 0;
      const cookies = await library({ endpoint, 'with-credentials': '' });
      cookies.token = PHASED_FULL_TOKEN;
      await until(() => seen.some((s) => s.authorization !== null), 'a request with cookies');
      expect(seen.find((s) => s.authorization !== null)!.withCredentials).to.equal(true);
    } finally {
      Object.assign(proto, { open, setRequestHeader, send });
    }
  });
});

/**
 * `LibraryApi` on the scripted stack: every answer the seed does not describe is an
 * `UploadError` with the engine's code and a sentence, never a crash or a wrong list.
 */
describe('LibraryApi answers', () => {
  const endpoint = 'https://assets.example/registry/v1/workspaces/wrk_1/assets';
  const asset = { id: 'ast/1', name: 'a.txt', size: 1, type: 'other', createdAt: '', raw: {} };
  const page = JSON.stringify({
    data: [{ id: 'ast_1', file_name: 'a.txt', size: 3, mimetype: 'image/png' }],
    meta: { pagination: { current_page: 1, total_pages: 2, total: 3 } },
  });

  it('lists, renames and deletes with the token on the endpoint only', async () => {
    const http = new TestHttpStack();
    const api = new LibraryApi(endpoint, 'tok', false, http);
    const listing = api.list({ page: 1, limit: 20, assetType: 'image' });
    const get = await http.next();
    expect(get.request.method).to.equal('GET');
    expect(new URL(get.request.url).search).to.equal('?limit=20&page=1&assetType=image');
    expect(get.request.headers?.['Authorization']).to.equal('Bearer tok');
    get.respond(200, {}, page);
    const result = await listing;
    expect(result.assets.map((item) => [item.id, item.name, item.type])).to.deep.equal([['ast_1', 'a.txt', 'image']]);
    expect([result.page, result.totalPages, result.total]).to.deep.equal([1, 2, 3]);

    const renaming = api.rename(asset, 'b.txt');
    const put = await http.next();
    expect([put.request.method, new URL(put.request.url).pathname]).to.deep.equal(['PUT', '/registry/v1/workspaces/wrk_1/assets/ast%2F1']);
    expect(JSON.parse(String(put.request.body))).to.deep.equal({ data: { file_name: 'b.txt' } });
    put.respond(200, {}, JSON.stringify({ data: { id: 'ast/1', file_name: 'b.txt', size: 1 } }));
    expect((await renaming).name).to.equal('b.txt');

    const removing = api.remove(asset);
    const del = await http.next();
    expect(del.request.method).to.equal('DELETE');
    del.respond(204);
    await removing;

    const anonymous = new LibraryApi(endpoint, '', true, http);
    const second = anonymous.list({ page: 1, limit: 5, assetType: '' });
    const bare = await http.next();
    expect(bare.request.headers?.['Authorization'], 'no token, no header').to.equal(undefined);
    expect(bare.request.withCredentials).to.equal(true);
    bare.respond(200, {}, '{"data":[]}');
    expect((await second).assets).to.deep.equal([]);
  });

  const cases: Array<[string, (pending: PendingRequest) => void, string, RegExp]> = [
    ['not JSON', (p) => p.respond(200, {}, '<html>502</html>'), UploadErrorCode.BadResponse, /not JSON/],
    ['a JSON list', (p) => p.respond(200, {}, '[]'), UploadErrorCode.BadResponse, /not a JSON object/],
    ['no data', (p) => p.respond(200, {}, '{"meta":{}}'), UploadErrorCode.BadResponse, /no list of assets/],
    ['data of another kind', (p) => p.respond(200, {}, '{"data":"x"}'), UploadErrorCode.BadResponse, /no list of assets/],
    [
      '401',
      (p) => p.respond(401, {}, '{"error":{"code":"unauthorized","message":"Token expired."}}'),
      UploadErrorCode.Unauthorized,
      /refused \(401\): Token expired/,
    ],
    [
      '404 with a Candidio error',
      (p) => p.respond(404, {}, '{"error":"Workspace not found"}'),
      UploadErrorCode.ClientError,
      /rejected \(404\): Workspace not found/,
    ],
    ['503', (p) => p.respond(503, { 'Retry-After': '2' }, ''), UploadErrorCode.ServerError, /failed on the server \(503\)/],
    ['no answer', (p) => p.failNetwork(), UploadErrorCode.Network, /scripted network failure/],
  ];
  for (const [label, answer, code, message] of cases) {
    it(`a list answered with ${label} is an UploadError (${code})`, async () => {
      const http = new TestHttpStack();
      const listing = settle(new LibraryApi(endpoint, 'tok', false, http).list({ page: 1, limit: 20, assetType: '' }));
      answer(await http.next());
      const { error } = await listing;
      expect(error).to.be.instanceOf(UploadError);
      expect(error!.code).to.equal(code);
      expect(error!.message).to.match(message);
    });
  }

  it('a rename answered without the asset is an UploadError, and so is a refused delete', async () => {
    const http = new TestHttpStack();
    const api = new LibraryApi(endpoint, 'tok', false, http);
    const renaming = settle(api.rename(asset, 'b.txt'));
    (await http.next()).respond(200, {}, '{"data":null}');
    expect((await renaming).error?.code).to.equal(UploadErrorCode.BadResponse);
    const removing = settle(api.remove(asset));
    (await http.next()).respond(403, {}, '{"error":{"code":"insufficient_scope","message":"This token may not delete assets."}}');
    const { error } = await removing;
    expect([error?.code, error?.status, error?.serverCode, error?.serverMessage]).to.deep.equal([
      UploadErrorCode.Unauthorized,
      403,
      'insufficient_scope',
      'This token may not delete assets.',
    ]);
  });
});
