/** The phased adapter against a scripted HTTP stack: start, transfer in the server's windows, finish. */
import { expect } from '@esm-bundle/chai';
import { phased } from '../../../src/protocols/phased.js';
import { settle, TestHttpStack } from '../../support/test-http-stack.js';

const ENDPOINT = 'https://api.example.test/assets';

function setup(size = 250, type = 'video/mp4') {
  const http = new TestHttpStack();
  const context = { endpoint: ENDPOINT, http, allowedOrigins: [] };
  return { http, context, upload: phased.create(context, { name: 'clip.mp4', size, type }) };
}

const part = (start: number, end: number) => ({ start, end, body: new Blob([new Uint8Array(end - start)]), signal: new AbortController().signal, onProgress: () => undefined });

describe('phased adapter', () => {
  it('sends images, documents and audio in one multipart POST (field source), video in phases', () => {
    expect(setup(10, 'image/png').upload.prefersForm!()).to.equal(true);
    expect(setup(10, 'application/pdf').upload.prefersForm!()).to.equal(true);
    expect(setup(10, 'audio/mpeg').upload.prefersForm!()).to.equal(true);
    expect(setup(10, 'video/mp4').upload.prefersForm!()).to.equal(false);
  });

  it('starts, follows the server windows, and finishes', async () => {
    const { http, upload } = setup();
    const open = upload.open(new AbortController().signal);
    const start = await http.next();
    expect(start.request.method).to.equal('POST');
    expect(JSON.parse(start.request.body as string)).to.include({ upload_phase: 'start', file_size: 250 });
    start.respond(201, {}, JSON.stringify({ id: 'a1', upload_phase: 'start', start_offset: 0, end_offset: 100 }));
    expect(await open).to.deep.equal({ offset: 0, window: { start: 0, end: 100 } });

    const sent = upload.send(part(0, 100));
    const transfer = await http.next();
    expect(transfer.request.url).to.equal(`${ENDPOINT}/a1/multipart`);
    const form = transfer.request.body as FormData;
    expect([...form.keys()], 'fields before the file').to.deep.equal(['upload_phase', 'start_offset', 'file_chunk']);
    expect(form.get('upload_phase')).to.equal('transfer');
    expect(form.get('start_offset')).to.equal('0');
    expect((form.get('file_chunk') as File).size).to.equal(100);
    transfer.respond(200, {}, JSON.stringify({ id: 'a1', start_offset: '100', end_offset: '250' }));
    expect(await sent).to.deep.equal({ offset: 100, window: { start: 100, end: 250 } });

    const finish = upload.complete!(new AbortController().signal);
    const request = await http.next();
    expect(JSON.parse(request.request.body as string)).to.deep.equal({ upload_phase: 'finish' });
    request.respond(200, {}, JSON.stringify({ id: 'a1', name: 'clip.mp4', status: 'processing' }));
    expect((await finish).id).to.equal('a1');
  });

  it('reads a 409 as "ask the server for the window", and resumes with GET', async () => {
    const { http, upload } = setup();
    const open = upload.open(new AbortController().signal, { id: 'a1' });
    const get = await http.next();
    expect(get.request.method).to.equal('GET');
    expect(get.request.url).to.equal(`${ENDPOINT}/a1`);
    get.respond(200, {}, JSON.stringify({ id: 'a1', upload_phase: 'transfer', start_offset: 100, end_offset: 200 }));
    expect((await open).window).to.deep.equal({ start: 100, end: 200 });
    const sent = settle(upload.send(part(0, 100)));
    (await http.next()).respond(409, {}, JSON.stringify({ error: { code: 'offset_mismatch' }, start_offset: 100, end_offset: 200 }));
    expect((await sent).error?.code).to.equal('offset_mismatch');
  });

  it('refuses a window the protocol does not allow', async () => {
    const { http, upload } = setup();
    const open = settle(upload.open(new AbortController().signal));
    (await http.next()).respond(201, {}, JSON.stringify({ id: 'a1', start_offset: 0, end_offset: 999 }));
    expect((await open).error?.code).to.equal('bad_response');
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
