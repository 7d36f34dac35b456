/**
 * Adapters registered by a loader (how the main entry and the drop-in register the
 * built-in ones): files given before the adapter's module arrives wait, rendered, and
 * nothing is sent; they go once it arrives, more files than slots included. A module
 * that cannot be fetched fails those uploads with a sentence, and Retry fetches it again.
 */
import { expect } from '@esm-bundle/chai';
import '../../src/index.js';
import { contentRange } from '../../src/protocols/content-range.js';
import { session } from '../../src/protocols/session.js';
import { registerProtocolLoader, loadProtocol, protocolNamed, protocolNames } from '../../src/engine/protocol-registry.js';
import type { Protocol } from '../../src/engine/protocol.js';
import { Uploader } from '../../src/engine/uploader.js';
import { MemoryResumeStore } from '../../src/engine/resume-store.js';
import { TestHttpStack } from '../support/test-http-stack.js';
import { clearLog, contentRangeEndpoint, requestLog, stored } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { dropFiles, expectQuietConsole, mount, rendered, row, unmountAll, until } from '../support/harness.js';

/** A loader whose module arrives when the test says so (or fails, once). */
function gatedLoader(protocol: Protocol) {
  const gate: { open: () => void; fail: (error: Error) => void; calls: number } = { open: () => {}, fail: () => {}, calls: 0 };
  const load = () => {
    gate.calls++;
    return new Promise<Protocol>((resolve, reject) => {
      gate.open = () => resolve(protocol);
      gate.fail = reject;
    });
  };
  return { gate, load };
}

let seq = 0;

afterEach(async () => {
  unmountAll();
  await clearLog();
});
before(() => expectQuietConsole());
afterEach(() => expectQuietConsole());

describe('adapters loaded on first use', () => {
  it('the main entry registers the built-in adapters as loaders: each loads when named, and only then', async () => {
    for (const name of ['content-range', 'tus', 'phased', 'session', 'signed-parts', 'registry']) expect(protocolNames()).to.include(name);
    const phased = await loadProtocol('phased');
    expect(phased?.name).to.equal('phased');
    expect(protocolNamed('phased')).to.equal(phased);
    expect(await loadProtocol('carrier-pigeon')).to.equal(undefined);
  });

  it('files dropped before the adapter arrives are shown and wait; three files with concurrency 2 then all reach the server', async () => {
    const name = `late-content-range-${++seq}`;
    const { gate, load } = gatedLoader({ ...contentRange, name });
    registerProtocolLoader(name, load);
    const element = await mount({ endpoint: await contentRangeEndpoint(), protocol: name, multiple: true, concurrency: '2', 'no-resume': true });
    const files = [makeFile(70_000, 'a.bin', 1), makeFile(1, 'b.bin', 2), makeFile(130_000, 'c.bin', 3)];
    await dropFiles(element, files);
    await rendered(element);
    expect(element.uploads.map((upload) => upload.status)).to.deep.equal(['queued', 'queued', 'queued']);
    for (const upload of element.uploads) expect(row(element, upload.id).dataset['status']).to.equal('queued');
    expect((await requestLog()).length, 'nothing is sent before the adapter is there').to.equal(0);

    gate.open();
    await until(() => element.uploads.every((upload) => upload.status === 'success'), 'every upload done', 15_000);
    await rendered(element);
    for (const [index, upload] of element.uploads.entries()) {
      expect(row(element, upload.id).dataset['status']).to.equal('success');
      const onDisk = await stored(upload.asset!.id);
      expect(onDisk.sha256, `stored bytes of ${files[index]!.name}`).to.equal(await sha256(files[index]!));
    }
    expect(gate.calls, 'the module is fetched once').to.equal(1);
  });

  it('a module that cannot be fetched fails the uploads with a sentence; Retry fetches it again and the upload goes', async () => {
    const name = `flaky-content-range-${++seq}`;
    const { gate, load } = gatedLoader({ ...contentRange, name });
    registerProtocolLoader(name, load);
    const element = await mount({ endpoint: await contentRangeEndpoint(), protocol: name, 'no-resume': true });
    const file = makeFile(5_000, 'x.bin', 4);
    await dropFiles(element, [file]);
    gate.fail(new TypeError('Failed to fetch dynamically imported module'));
    await until(() => element.uploads[0]?.status === 'error', 'the error');
    const upload = element.uploads[0]!;
    expect(upload.error?.message).to.equal(`The ${name} adapter could not be loaded (Failed to fetch dynamically imported module).`);
    await rendered(element);
    expect(row(element, upload.id).dataset['status']).to.equal('error');
    expect((await requestLog()).length).to.equal(0);

    element.retryUpload(upload.id);
    await until(() => gate.calls === 2, 'a second fetch');
    gate.open();
    await until(() => element.uploads[0]?.status === 'success', 'the upload after Retry', 15_000);
    expect((await stored(element.uploads[0]!.asset!.id)).sha256).to.equal(await sha256(file));
  });

  it('files added before a batch adapter arrives share one batch, made once', async () => {
    const name = `late-session-${++seq}`;
    const batches: number[] = [];
    const { gate, load } = gatedLoader({
      ...session,
      name,
      createBatch: (context, targets) => {
        batches.push(targets.length);
        return session.createBatch!(context, targets);
      },
    });
    registerProtocolLoader(name, load);
    const http = new TestHttpStack();
    const uploader = new Uploader({
      endpoint: 'https://api.example.test/upload_sessions',
      protocol: name,
      http,
      resumeStore: new MemoryResumeStore(),
      locks: null,
    });
    try {
      const added = uploader.add([makeFile(3, 'a.txt', 5), makeFile(4, 'b.txt', 6), makeFile(5, 'c.txt', 7)]);
      expect(added.map((upload) => upload.status)).to.deep.equal(['queued', 'queued', 'queued']);
      expect(http.requests.length).to.equal(0);
      gate.open();
      const create = await http.next();
      expect(create.request.method).to.equal('POST');
      expect(JSON.parse(String(create.request.body)).files.map((file: { name: string }) => file.name)).to.deep.equal(['a.txt', 'b.txt', 'c.txt']);
      expect(batches).to.deep.equal([3]);
    } finally {
      uploader.destroy();
    }
  });
});
