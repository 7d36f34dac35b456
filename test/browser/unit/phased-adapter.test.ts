/**
 * The phased adapter against a scripted HTTP stack: what only this adapter does (which
 * files take the phased path, offsets as text, rename and delete). Start, transfers in
 * the server's windows, finish, resume and bad answers are the contract suite's
 * (adapter-contract.test.ts).
 */
import { expect } from '@esm-bundle/chai';
import { phased } from '../../../src/protocols/phased.js';
import { settle, TestHttpStack } from '../../support/test-http-stack.js';

const ENDPOINT = 'https://api.example.test/assets';

function setup(size = 250, type = 'video/mp4') {
  const http = new TestHttpStack();
  const context = { endpoint: ENDPOINT, http, allowedOrigins: [] };
  return { http, context, upload: phased.create(context, { name: 'clip.mp4', size, type }) };
}

const part = (start: number, end: number) => ({
  start,
  end,
  body: new Blob([new Uint8Array(end - start)]),
  signal: new AbortController().signal,
  onProgress: () => undefined,
});

describe('phased adapter', () => {
  it('sends images, documents and audio in one multipart POST (field source), video in phases', () => {
    expect(setup(10, 'image/png').upload.prefersForm!()).to.equal(true);
    expect(setup(10, 'application/pdf').upload.prefersForm!()).to.equal(true);
    expect(setup(10, 'audio/mpeg').upload.prefersForm!()).to.equal(true);
    expect(setup(10, 'video/mp4').upload.prefersForm!()).to.equal(false);
  });

  // Start, transfers in the server's windows (fields before the file) and finish, a 409
  // on a stale chunk, and resume with GET are in the contract suite, against its fake.
  it('reads offsets the server sends as text ("100") as numbers', async () => {
    const { http, upload } = setup();
    const open = upload.open(new AbortController().signal);
    (await http.next()).respond(201, {}, JSON.stringify({ id: 'a1', upload_phase: 'start', start_offset: '0', end_offset: '100' }));
    expect(await open).to.deep.equal({ offset: 0, window: { start: 0, end: 100 } });
    const sent = upload.send(part(0, 100));
    (await http.next()).respond(200, {}, JSON.stringify({ id: 'a1', start_offset: '100', end_offset: '250' }));
    expect(await sent).to.deep.equal({ offset: 100, window: { start: 100, end: 250 } });
  });

  it('refuses a window the protocol does not allow', async () => {
    const { http, upload } = setup();
    const open = settle(upload.open(new AbortController().signal));
    (await http.next()).respond(201, {}, JSON.stringify({ id: 'a1', start_offset: 0, end_offset: 999 }));
    expect((await open).error?.code).to.equal('bad_response');
  });

  it('a finish the server calls done while its GET still shows the upload going on is a bad response, not an asset', async () => {
    const { http, upload } = setup();
    const open = upload.open(new AbortController().signal, { id: 'a1' });
    (await http.next()).respond(200, {}, JSON.stringify({ id: 'a1', status: 'uploading', start_offset: 250, end_offset: 250 }));
    await open;
    const finish = settle(upload.complete!(new AbortController().signal));
    (await http.next()).respond(409, {}, JSON.stringify({ error: { code: 'already_finished', message: 'The upload is finished.' } }));
    (await http.next()).respond(200, {}, JSON.stringify({ id: 'a1', status: 'uploading', start_offset: 250, end_offset: 250 }));
    const { value, error } = await finish;
    expect(value).to.equal(undefined);
    expect(error?.code).to.equal('bad_response');
  });

  it('renames with PUT and deletes with DELETE', async () => {
    const { http, context } = setup();
    const renamed = phased.rename!(context, { id: 'a1', raw: {} }, 'new.mp4');
    const put = await http.next();
    expect(put.request.method).to.equal('PUT');
    expect(JSON.parse(put.request.body as string)).to.include({ name: 'new.mp4' });
    put.respond(200, {}, JSON.stringify({ id: 'a1', name: 'new.mp4' }));
    expect((await renamed).name).to.equal('new.mp4');
    const removed = phased.remove!(context, { id: 'a1', raw: {} });
    const del = await http.next();
    expect(del.request.method).to.equal('DELETE');
    expect(del.request.url).to.equal(`${ENDPOINT}/a1`);
    del.respond(204);
    await removed;
  });
});
