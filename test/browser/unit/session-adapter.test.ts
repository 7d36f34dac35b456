/** The session adapter against a scripted HTTP stack: one session for the files of one drop. */
import { expect } from '@esm-bundle/chai';
import { ScopedHttpStack } from '../../../src/engine/scoped-http.js';
import { session } from '../../../src/protocols/session.js';
import { settle, TestHttpStack } from '../../support/test-http-stack.js';
import { FakeClock } from '../../support/fake-clock.js';

const ENDPOINT = 'https://api.example.test/v1/upload_sessions.json';
const signal = () => new AbortController().signal;
const whole = (size: number) => ({
  start: 0,
  end: size,
  body: new Blob([new Uint8Array(size)]),
  signal: signal(),
  onProgress: () => undefined,
  md5: 'AAAAAAAAAAAAAAAAAAAAAA==',
});

function setup(clock = new FakeClock()) {
  const http = new TestHttpStack();
  // Credentials as the element would scope them: the signed URL (same origin here) must get none.
  const context = { endpoint: ENDPOINT, http: new ScopedHttpStack(http, ENDPOINT, { Authorization: 'Bearer secret' }, true), allowedOrigins: [], clock };
  const batch = session.createBatch!(context, [
    { name: 'a.zip', size: 4, type: 'application/zip' },
    { name: 'bad/name', size: 2, type: '' },
    { name: 'b.png', size: 3, type: 'image/png' },
  ]);
  return { http, batch, clock };
}

describe('session adapter', () => {
  it('creates one session for all files; a refused name fails only its file', async () => {
    const { http, batch } = setup();
    const opens = [0, 1, 2].map((i) => settle(batch.upload(i).open(signal())));
    const create = await http.next();
    expect(create.request.method).to.equal('POST');
    expect(JSON.parse(create.request.body as string)).to.deep.equal({ files: [{ name: 'a.zip' }, { name: 'bad/name' }, { name: 'b.png' }] });
    create.respond(
      200,
      {},
      JSON.stringify({
        response_code: 200,
        session_token: 'tok',
        files: [
          { name: 'a.zip', url: 'https://api.example.test/blob/0?sig=1' },
          { name: 'b.png', url: 'https://api.example.test/blob/2?sig=2' },
        ],
        errors: [{ name: 'bad/name', code: 'bad_file_name', message: 'A file name cannot contain "/".' }],
      }),
    );
    const [a, bad, b] = await Promise.all(opens);
    expect(a!.value?.offset).to.equal(0);
    expect(b!.value?.offset).to.equal(0);
    expect(bad!.error?.message).to.equal('A file name cannot contain "/".');
    expect(http.requests.filter((r) => r.method === 'POST')).to.have.length(1);
  });

  it('PUTs each file to its signed URL without the API credentials, commits once all are settled, then polls', async () => {
    const { http, batch } = setup();
    const [a, bad, b] = [0, 1, 2].map((i) => batch.upload(i));
    const openA = a!.open(signal());
    (await http.next()).respond(
      200,
      {},
      JSON.stringify({
        session_token: 'tok',
        files: [
          { name: 'a.zip', url: 'https://api.example.test/blob/0?sig=1' },
          { name: 'b.png', url: 'https://api.example.test/blob/2?sig=2' },
        ],
        errors: [{ name: 'bad/name', message: 'refused' }],
      }),
    );
    await openA;
    bad!.dispose!('error');

    const sentA = a!.send(whole(4));
    const put = await http.next();
    expect(put.request.method).to.equal('PUT');
    expect(put.request.url).to.equal('https://api.example.test/blob/0?sig=1');
    expect(put.request.headers).to.deep.equal({ 'Content-MD5': 'AAAAAAAAAAAAAAAAAAAAAA==' });
    expect(put.request.withCredentials).to.equal(false);
    put.respond(200, {}, JSON.stringify({ name: 'a.zip', size: 4 }));
    expect((await sentA).offset).to.equal(4);

    const statuses: string[] = [];
    const doneA = a!.complete!(signal(), (status) => statuses.push(status));
    // b.png is still pending: no commit yet.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(http.requests.filter((r) => r.url.endsWith('/tok.json'))).to.have.length(0);
    const sentB = b!.send(whole(3));
    (await http.next()).respond(200, {}, '{}');
    await sentB;
    const doneB = b!.complete!(signal());

    const commit = await http.next();
    expect(commit.request.method).to.equal('PUT');
    expect(commit.request.url).to.equal('https://api.example.test/v1/upload_sessions/tok.json');
    expect(commit.request.headers).to.deep.include({ Authorization: 'Bearer secret' });
    commit.respond(
      200,
      {},
      JSON.stringify({
        files: [
          { name: 'a.zip', status_code: 200, status_message: 'OK' },
          { name: 'b.png', status_code: 400, status_message: 'The file was not uploaded.' },
        ],
      }),
    );
    expect((await settle(doneB)).error?.message).to.equal('The file was not uploaded.');

    const poll1 = await http.next();
    expect(poll1.request.method).to.equal('GET');
    poll1.respond(200, {}, JSON.stringify({ files: [{ name: 'a.zip', status: 'transcoding', assets: [] }] }));
    const poll2 = await http.next();
    poll2.respond(
      200,
      {},
      JSON.stringify({
        files: [
          {
            name: 'a.zip',
            status: 'done',
            assets: [
              { id: 1, name: 'a.obj', url: 'https://x.test/1' },
              { id: 2, name: 'b.obj', url: 'https://x.test/2' },
            ],
          },
        ],
      }),
    );
    const asset = await doneA;
    expect(statuses).to.deep.equal(['transcoding']);
    expect(asset.produced?.map((p) => p.url)).to.deep.equal(['https://x.test/1', 'https://x.test/2']);
  });

  it('polls on the injected clock, waiting longer each time, and stops after an hour of processing', async () => {
    const { http, batch, clock } = setup();
    const only = batch.upload(0);
    const opened = only.open(signal());
    (await http.next()).respond(200, {}, JSON.stringify({ session_token: 'tok', files: [{ name: 'a.zip', url: 'https://api.example.test/blob/0' }] }));
    await opened;
    batch.upload(1).dispose!('error');
    batch.upload(2).dispose!('error');
    const sent = only.send(whole(4));
    (await http.next()).respond(200, {}, '{}');
    await sent;
    const done = settle(only.complete!(signal()));
    (await http.next()).respond(200, {}, JSON.stringify({ files: [{ name: 'a.zip', status_code: 200 }] }));
    let polls = 0;
    for (; polls < 2000; polls++) {
      const poll = await Promise.race([http.next(), done.then(() => undefined)]);
      if (!poll) break;
      poll.respond(200, {}, JSON.stringify({ files: [{ name: 'a.zip', status: 'transcoding', assets: [] }] }));
    }
    expect((await done).error?.code).to.equal('stalled');
    expect(clock.waits.slice(0, 4)).to.deep.equal([250, 375, 562.5, 843.75]);
    expect(Math.max(...clock.waits), 'at most 5 s between polls').to.equal(5000);
    expect(clock.waits.reduce((a, b) => a + b, 0)).to.be.above(60 * 60 * 1000);
    expect(polls).to.be.below(800);
  });
});
