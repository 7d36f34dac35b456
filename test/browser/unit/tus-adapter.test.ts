/**
 * The tus adapter against a scripted HTTP stack: the tus 1.0 exchanges, one by one, and
 * what only this adapter does. Parts, a cut-off PATCH and the HEAD after it, resume,
 * cancel and bad answers are the contract suite's (adapter-contract.test.ts).
 */
import { expect } from '@esm-bundle/chai';
import { metadata, tus } from '../../../src/protocols/tus.js';
import { type PendingRequest, settle, TestHttpStack } from '../../support/test-http-stack.js';

const ENDPOINT = 'https://tus.example.test/files/';
const LOCATION = 'https://tus.example.test/files/abc';

function setup(size = 10) {
  const http = new TestHttpStack();
  const upload = tus.create({ endpoint: ENDPOINT, http, allowedOrigins: [] }, { name: 'Straße.mov', size, type: 'video/quicktime' });
  return { http, upload };
}

async function opened(
  size = 10,
  options: Record<string, string> = { 'Tus-Resumable': '1.0.0', 'Tus-Version': '1.0.0', 'Tus-Extension': 'creation,termination' },
) {
  const { http, upload } = setup(size);
  const open = upload.open(new AbortController().signal);
  const discover = await http.next();
  expect(discover.request.method).to.equal('OPTIONS');
  discover.respond(204, options);
  const create = await http.next();
  create.respond(201, { Location: '/files/abc', 'Tus-Resumable': '1.0.0' });
  await open;
  return { http, upload };
}

const part = (start: number, end: number, md5?: string) => ({
  start,
  end,
  body: new Blob([new Uint8Array(end - start)]),
  signal: new AbortController().signal,
  onProgress: () => undefined,
  ...(md5 ? { md5 } : {}),
});

describe('tus adapter', () => {
  it('creates with Upload-Length and base64 UTF-8 metadata', async () => {
    const { http, upload } = setup();
    const open = upload.open(new AbortController().signal);
    (await http.next()).respond(204, { 'Tus-Extension': 'creation' });
    const create = await http.next();
    expect(create.request.method).to.equal('POST');
    expect(create.request.headers).to.deep.include({ 'Tus-Resumable': '1.0.0', 'Upload-Length': '10' });
    expect(create.request.headers!['Upload-Metadata']).to.equal(metadata({ filename: 'Straße.mov', filetype: 'video/quicktime' }));
    const [name, value] = create.request.headers!['Upload-Metadata']!.split(',')[0]!.split(' ');
    expect(name).to.equal('filename');
    expect(new TextDecoder().decode(Uint8Array.from(atob(value!), (c) => c.charCodeAt(0)))).to.equal('Straße.mov');
    create.respond(201, { Location: '/files/abc' });
    expect((await open).offset).to.equal(0);
    expect(upload.saveState()).to.deep.equal({ location: LOCATION });
  });

  it('sends the folder path as relativePath metadata only when there is one; filename stays the name', async () => {
    const metadataOf = async (relativePath?: string) => {
      const http = new TestHttpStack();
      const upload = tus.create(
        { endpoint: ENDPOINT, http, allowedOrigins: [] },
        { name: 'index.md', size: 3, type: 'text/markdown', ...(relativePath === undefined ? {} : { relativePath }) },
      );
      const open = upload.open(new AbortController().signal);
      (await http.next()).respond(204, { 'Tus-Extension': 'creation' });
      const create = await http.next();
      create.respond(201, { Location: '/files/abc' });
      await open;
      const pairs = create.request.headers!['Upload-Metadata']!.split(',').map((pair) => pair.split(' '));
      return Object.fromEntries(pairs.map(([key, value]) => [key, new TextDecoder().decode(Uint8Array.from(atob(value!), (c) => c.charCodeAt(0)))]));
    };
    expect(await metadataOf('2024/résumé/index.md')).to.deep.equal({ filename: 'index.md', filetype: 'text/markdown', relativePath: '2024/résumé/index.md' });
    expect(await metadataOf('')).to.deep.equal({ filename: 'index.md', filetype: 'text/markdown' });
    expect(await metadataOf()).to.deep.equal({ filename: 'index.md', filetype: 'text/markdown' });
  });

  it('PATCHes at the offset and finishes when Upload-Offset reaches the length', async () => {
    const { http, upload } = await opened();
    const first = upload.send(part(0, 6, 'AAAAAAAAAAAAAAAAAAAAAA=='));
    const patch = await http.next();
    expect(patch.request.method).to.equal('PATCH');
    expect(patch.request.url).to.equal(LOCATION);
    expect(patch.request.headers).to.deep.equal({ 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' });
    patch.respond(204, { 'Upload-Offset': '6' });
    expect(await first).to.deep.equal({ offset: 6 });
    const second = upload.send(part(6, 10));
    (await http.next()).respond(204, { 'Upload-Offset': '10' });
    const done = await second;
    expect(done.asset).to.include({ id: 'abc', url: LOCATION });
  });

  it('sends Upload-Checksum only when the server announces md5', async () => {
    expect((await opened()).upload.acceptsChecksum!()).to.equal(false);
    const { http, upload } = await opened(10, { 'Tus-Extension': 'creation,checksum', 'Tus-Checksum-Algorithm': 'sha1,md5' });
    expect(upload.acceptsChecksum!()).to.equal(true);
    const sent = upload.send(part(0, 10, 'kAFQmDzST7DWlj99KOF/cg=='));
    const patch = await http.next();
    expect(patch.request.headers!['Upload-Checksum']).to.equal('md5 kAFQmDzST7DWlj99KOF/cg==');
    patch.respond(204, { 'Upload-Offset': '10' });
    expect((await sent).offset).to.equal(10);
  });

  // 409 (offset mismatch) and 460 (checksum mismatch) are in the contract suite, against its fake of tus.
  it('reads 423 as busy, 404/410 as gone, 400 as a client error', async () => {
    for (const [status, code] of [
      [423, 'server_error'],
      [404, 'session_expired'],
      [410, 'session_expired'],
      [400, 'client_error'],
    ] as const) {
      const { http, upload } = await opened();
      const sent = settle(upload.send(part(0, 6)));
      (await http.next()).respond(status);
      expect((await sent).error?.code, String(status)).to.equal(code);
    }
  });

  it('re-attaches with HEAD and refuses a saved upload of another length', async () => {
    const { http, upload } = setup();
    const open = upload.open(new AbortController().signal, { location: LOCATION });
    (await http.next()).respond(204, { 'Tus-Extension': 'creation' });
    const head = await http.next();
    expect(head.request.method).to.equal('HEAD');
    expect(head.request.headers).to.deep.equal({ 'Tus-Resumable': '1.0.0' });
    head.respond(200, { 'Upload-Offset': '4', 'Upload-Length': '10', 'Cache-Control': 'no-store' });
    expect((await open).offset).to.equal(4);

    const other = setup();
    const reopen = settle(other.upload.open(new AbortController().signal, { location: LOCATION }));
    (await other.http.next()).respond(204, {});
    (await other.http.next()).respond(200, { 'Upload-Offset': '4', 'Upload-Length': '99' });
    expect((await reopen).error?.code).to.equal('session_expired');
  });

  it('works without OPTIONS (a CORS setup that refuses it), and DELETEs only with termination', async () => {
    const { http, upload } = setup();
    const open = upload.open(new AbortController().signal);
    (await http.next()).failNetwork();
    (await http.next()).respond(201, { Location: LOCATION });
    await open;
    await upload.abort();
    expect(http.requests.map((r) => r.method)).to.deep.equal(['OPTIONS', 'POST']);

    const terminating = await opened();
    const aborted = terminating.upload.abort();
    const del = await terminating.http.next();
    expect(del.request.method).to.equal('DELETE');
    expect(del.request.headers).to.deep.equal({ 'Tus-Resumable': '1.0.0' });
    del.respond(204);
    await aborted;
  });

  it("asks OPTIONS and POSTs at once, and the uploader's next file reuses the answer", async () => {
    const http = new TestHttpStack();
    const context = { endpoint: ENDPOINT, http, allowedOrigins: [], memo: new Map<string, unknown>() };
    const first = tus.create(context, { name: 'a.bin', size: 10, type: '' });
    const opening = first.open(new AbortController().signal);
    const discover = await http.next();
    const create = await http.next();
    // Both are out before either is answered: one round trip before the first PATCH.
    expect([discover.request.method, create.request.method]).to.deep.equal(['OPTIONS', 'POST']);
    create.respond(201, { Location: LOCATION });
    discover.respond(204, { 'Tus-Extension': 'creation,checksum,termination', 'Tus-Checksum-Algorithm': 'md5' });
    await opening;
    expect(first.acceptsChecksum!()).to.equal(true);

    const second = tus.create(context, { name: 'b.bin', size: 10, type: '' });
    const reopening = second.open(new AbortController().signal);
    const next = await http.next();
    expect(next.request.method, 'no second OPTIONS').to.equal('POST');
    next.respond(201, { Location: `${LOCATION}2` });
    await reopening;
    expect(second.acceptsChecksum!(), 'the memo carries the checksum extension').to.equal(true);
    expect(http.requests.map((r) => r.method)).to.deep.equal(['OPTIONS', 'POST', 'POST']);
  });

  it('asks OPTIONS again with the next file when it failed or was refused', async () => {
    const http = new TestHttpStack();
    const context = { endpoint: ENDPOINT, http, allowedOrigins: [], memo: new Map<string, unknown>() };
    for (const refuse of [(p: PendingRequest) => p.failNetwork(), (p: PendingRequest) => p.respond(405)]) {
      const upload = tus.create(context, { name: 'a.bin', size: 10, type: '' });
      const opening = upload.open(new AbortController().signal);
      const discover = await http.next();
      expect(discover.request.method).to.equal('OPTIONS');
      refuse(discover);
      (await http.next()).respond(201, { Location: LOCATION });
      await opening;
      expect(upload.acceptsChecksum!()).to.equal(false);
    }
    expect(context.memo.size).to.equal(0);
  });

  it('Tus-Max-Size: once known a larger file fails without a request; the first one is created, then deleted', async () => {
    const http = new TestHttpStack();
    const context = { endpoint: ENDPOINT, http, allowedOrigins: [], memo: new Map<string, unknown>() };
    const first = tus.create(context, { name: 'big.bin', size: 100, type: '' });
    const opening = settle(first.open(new AbortController().signal));
    const discover = await http.next();
    const create = await http.next();
    discover.respond(204, { 'Tus-Extension': 'creation,termination', 'Tus-Max-Size': '50' });
    // A server that creates it anyway (the spec has it answer 413).
    create.respond(201, { Location: LOCATION });
    const del = await http.next();
    expect([del.request.method, del.request.url]).to.deep.equal(['DELETE', LOCATION]);
    del.respond(204);
    const { error } = await opening;
    expect([error?.code, error?.status, error?.message]).to.deep.equal(['client_error', 413, 'The file is larger than the server accepts (50 bytes).']);

    const second = tus.create(context, { name: 'big2.bin', size: 51, type: '' });
    const refused = await settle(second.open(new AbortController().signal));
    expect(refused.error?.message).to.equal('The file is larger than the server accepts (50 bytes).');
    const fits = tus.create(context, { name: 'small.bin', size: 50, type: '' });
    const fitting = fits.open(new AbortController().signal);
    (await http.next()).respond(201, { Location: `${LOCATION}3` });
    await fitting;
    expect(http.requests.map((r) => r.method)).to.deep.equal(['OPTIONS', 'POST', 'DELETE', 'POST']);
  });

  it('a 0-byte upload is done once created', async () => {
    const { http, upload } = setup(0);
    const open = upload.open(new AbortController().signal);
    (await http.next()).respond(204, {});
    (await http.next()).respond(201, { Location: LOCATION });
    expect((await open).asset?.url).to.equal(LOCATION);
  });
});
