/**
 * The content-range adapter against a scripted HTTP stack: the seed's exchanges, one by
 * one, and what only this adapter does. Creating, parts, a cut-off part and the re-sync,
 * resume, a 0-byte file, cancel and bad answers are the contract suite's
 * (adapter-contract.test.ts).
 */
import { expect } from '@esm-bundle/chai';
import { contentRange, offsetOf } from '../../../src/protocols/content-range.js';
import type { ProtocolUpload } from '../../../src/engine/protocol.js';
import { settle, TestHttpStack } from '../../support/test-http-stack.js';

const ENDPOINT = 'https://api.example.test/videos/upload.json';
const LOCATION = 'https://api.example.test/uploads/42';

function setup(size = 9, allowedOrigins: string[] = []) {
  const http = new TestHttpStack();
  const upload = contentRange.create({ endpoint: ENDPOINT, http, allowedOrigins }, { name: 'clip.mov', size, type: 'video/quicktime' });
  return { http, upload };
}

async function opened(size = 9, allowedOrigins: string[] = []): Promise<{ http: TestHttpStack; upload: ProtocolUpload }> {
  const context = setup(size, allowedOrigins);
  const open = context.upload.open(new AbortController().signal);
  (await context.http.next()).respond(201, {}, JSON.stringify({ id: 42, location: '/uploads/42' }));
  expect((await open).offset).to.equal(0);
  return context;
}

function part(start: number, end: number, md5?: string) {
  return {
    start,
    end,
    body: new Blob([new Uint8Array(end - start)]),
    signal: new AbortController().signal,
    onProgress: () => undefined,
    ...(md5 ? { md5 } : {}),
  };
}

describe('content-range adapter', () => {
  it('creates a session with POST {file_size, file_name} and resolves a relative location', async () => {
    const { http, upload } = setup();
    const open = upload.open(new AbortController().signal);
    const create = await http.next();
    expect(create.request.method).to.equal('POST');
    expect(create.request.url).to.equal(ENDPOINT);
    expect(JSON.parse(create.request.body as string)).to.deep.equal({ file_size: 9, file_name: 'clip.mov' });
    create.respond(201, {}, JSON.stringify({ id: 42, location: '/uploads/42' }));
    await open;
    expect(upload.saveState()).to.deep.equal({ id: '42', location: LOCATION });
  });

  it('sends parts as the seed shows: Content-Range, then 204 + Range, then 200 + JSON', async () => {
    const { http, upload } = await opened();
    const first = upload.send(part(0, 5, 'AAAAAAAAAAAAAAAAAAAAAA=='));
    const put1 = await http.next();
    expect(put1.request.method).to.equal('PUT');
    expect(put1.request.url).to.equal(LOCATION);
    expect(put1.request.headers).to.include({
      'Content-Type': 'application/octet-stream',
      'Content-Range': 'bytes 0-4/9',
      'Content-MD5': 'AAAAAAAAAAAAAAAAAAAAAA==',
    });
    put1.respond(204, { Range: '0-4' });
    expect((await first).offset).to.equal(5);

    const second = upload.send(part(5, 9));
    const put2 = await http.next();
    expect(put2.request.headers).to.include({ 'Content-Range': 'bytes 5-8/9' });
    expect(put2.request.headers).not.to.have.property('Content-MD5');
    put2.respond(200, {}, JSON.stringify({ id: '12345', name: 'clip.mov', size: 9, url: 'https://cdn.example.test/12345' }));
    const done = await second;
    expect(done.offset).to.equal(9);
    expect(done.asset).to.include({ id: '12345', url: 'https://cdn.example.test/12345' });
  });

  it('asks for the status with an empty PUT and Content-Range: bytes */L; no Range means nothing stored', async () => {
    const { http, upload } = await opened();
    const status = upload.sync(new AbortController().signal);
    const query = await http.next();
    expect(query.request.headers).to.deep.equal({ 'Content-Range': 'bytes */9' });
    expect(query.request.body).to.equal(null);
    query.respond(204);
    expect((await status).offset).to.equal(0);
  });

  // A rejected checksum (400 bad_digest), an offset mismatch (409) and a 5xx on a part are
  // in the contract suite (adapter-contract.test.ts), against its fake of this API.
  it('reads 404/410 on a part as an expired session, other 4xx as theirs', async () => {
    const cases: Array<[number, string, string]> = [
      [404, '', 'session_expired'],
      [410, '', 'session_expired'],
      [400, JSON.stringify({ error: { code: 'other', message: 'nope' } }), 'client_error'],
      [403, '', 'unauthorized'],
      [429, '', 'rate_limited'],
      [408, '', 'request_timeout'],
    ];
    for (const [status, body, code] of cases) {
      const { http, upload } = await opened();
      const sent = settle(upload.send(part(0, 5)));
      (await http.next()).respond(status, {}, body);
      expect((await sent).error?.code, `${status} ${body}`).to.equal(code);
    }
  });

  it('reads 405/415/501 on the first PUT as "no streaming here", later as a client error', async () => {
    for (const status of [405, 415, 501]) {
      const { http, upload } = await opened();
      const sent = settle(upload.send(part(0, 5)));
      (await http.next()).respond(status);
      expect((await sent).error?.code).to.equal('streaming_unsupported');
    }
    const { http, upload } = await opened();
    const first = upload.send(part(0, 5));
    (await http.next()).respond(204, { Range: '0-4' });
    await first;
    const second = settle(upload.send(part(5, 9)));
    (await http.next()).respond(405);
    expect((await second).error?.code).to.equal('client_error');
  });

  it('follows a changed Location within the origin, refuses another origin unless allowed', async () => {
    const { http, upload } = await opened();
    const first = upload.send(part(0, 5));
    (await http.next()).respond(204, { Range: '0-4', Location: '/moved/42' });
    await first;
    const second = upload.send(part(5, 9));
    expect((await http.next()).request.url).to.equal('https://api.example.test/moved/42');

    const other = await opened();
    const refused = settle(other.upload.send(part(0, 5)));
    (await other.http.next()).respond(204, { Range: '0-4', Location: 'https://evil.example.test/steal' });
    expect((await refused).error?.code).to.equal('location_refused');

    const allowed = await opened(9, ['https://eu.example.test']);
    const ok = allowed.upload.send(part(0, 5));
    (await allowed.http.next()).respond(204, { Range: '0-4', Location: 'https://eu.example.test/uploads/42' });
    await ok;
    void second;
  });

  it('sends the form fallback as multipart/form-data with the field "file"', async () => {
    const { http, upload } = await opened();
    const sent = upload.sendForm!(new Blob(['abcdefghi']), 'clip.mov', new AbortController().signal, () => undefined);
    const post = await http.next();
    expect(post.request.method).to.equal('POST');
    const form = post.request.body as FormData;
    expect(form).to.be.instanceOf(FormData);
    expect((form.get('file') as File).name).to.equal('clip.mov');
    expect(await (form.get('file') as File).text()).to.equal('abcdefghi');
    post.respond(200, {}, JSON.stringify({ id: 7 }));
    expect((await sent).id).to.equal('7');
  });

  it('parses Range with the seed regexp only', () => {
    expect(offsetOf(null, 9)).to.equal(0);
    expect(offsetOf('0-4', 9)).to.equal(5);
    expect(() => offsetOf('bytes=0-4', 9)).to.throw(/Range/);
    expect(() => offsetOf('0-20', 9)).to.throw(/claims/);
    expect(() => offsetOf('3-4', 9)).to.throw(/Range/);
    // Offsets above 4 GiB are plain numbers, not 32-bit.
    expect(offsetOf('0-5368709119', 6 * 1024 ** 3)).to.equal(5 * 1024 ** 3);
  });
});
