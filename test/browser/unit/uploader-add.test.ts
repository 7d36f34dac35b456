/**
 * What `Uploader.add` takes and what it refuses: files with their path in a dropped
 * folder, duplicates by that path, `multiple` and `disabled`, and many files at once.
 * Against a protocol that records what the engine asks it to create and finishes each
 * file in one send, so only the engine is under test.
 */
import { expect } from '@esm-bundle/chai';
import { Uploader, type UploaderOptions } from '../../../src/engine/uploader.js';
import { normalizeRelativePath } from '../../../src/engine/relative-path.js';
import type { FileRejectDetail, UploadEventDetail } from '../../../src/engine/types.js';
import type { Protocol, ProtocolUpload, UploadTarget } from '../../../src/protocols/protocol.js';
import { MemoryResumeStore } from '../../../src/engine/resume-store.js';
import { makeFile } from '../../support/data.js';
import { nextEvent, recordEvents } from '../../support/harness.js';

/** Takes every file in one send; `created` lists the targets the engine gave it. */
function recordingProtocol() {
  const created: UploadTarget[] = [];
  const protocol: Protocol = {
    name: 'recording',
    capabilities: { ordered: true, partChecksum: 'none', form: false },
    create: (_context, target): ProtocolUpload => {
      created.push(target);
      let offset = 0;
      return {
        open: async () => ({ offset }),
        saveState: () => undefined,
        sync: async () => ({ offset }),
        send: async (part) => {
          offset = part.end;
          return offset >= target.size ? { offset, asset: { id: target.relativePath || target.name, raw: null } } : { offset };
        },
        abort: async () => {},
      };
    },
  };
  return { protocol, created };
}

function uploaderWith(options: Partial<UploaderOptions> = {}) {
  const { protocol, created } = recordingProtocol();
  const uploader = new Uploader({
    endpoint: 'https://api.example.test/',
    protocol,
    resumeStore: new MemoryResumeStore(),
    checksum: false,
    resume: false,
    support: { slice: true, worker: true, uploadProgress: true },
    ...options,
  });
  return { uploader, created };
}

/** A File whose `webkitRelativePath` is what `<input webkitdirectory>` would have set. */
function pickedFromFolder(file: File, path: string): File {
  Object.defineProperty(file, 'webkitRelativePath', { value: path });
  return file;
}

const rejections = (events: CustomEvent[]) => events.filter((e) => e.type === 'file-reject').map((e) => (e.detail as FileRejectDetail).file);

describe('relative paths', () => {
  it('normalises: forward slashes, no leading slash, no . .. or empty segments', () => {
    expect(normalizeRelativePath('/2024/index.md')).to.equal('2024/index.md');
    expect(normalizeRelativePath('2024\\drafts\\index.md')).to.equal('2024/drafts/index.md');
    expect(normalizeRelativePath('./a//b/../../c/./d.txt')).to.equal('a/b/c/d.txt');
    expect(normalizeRelativePath('../../etc/passwd')).to.equal('etc/passwd');
    expect(normalizeRelativePath('')).to.equal('');
    expect(normalizeRelativePath('/')).to.equal('');
  });

  it('puts the given path, else webkitRelativePath, else nothing, in snapshots, events and the protocol target', async () => {
    const { uploader, created } = uploaderWith();
    const events = recordEvents(uploader, ['upload-add', 'upload-success']);
    const complete = nextEvent(uploader, 'upload-complete');
    const added = uploader.add([
      { file: makeFile(3, 'index.md', 1), relativePath: '/2024//./index.md' },
      pickedFromFolder(makeFile(4, 'notes.txt', 2), 'photos/notes.txt'),
      { file: pickedFromFolder(makeFile(5, 'given.txt', 3), 'picked/given.txt'), relativePath: 'dropped/given.txt' },
      { file: pickedFromFolder(makeFile(6, 'plain.txt', 4), 'picked/plain.txt'), relativePath: '' },
      makeFile(7, 'alone.bin', 5),
    ]);
    const paths = ['2024/index.md', 'photos/notes.txt', 'dropped/given.txt', '', ''];
    expect(added.map((s) => s.relativePath)).to.deep.equal(paths);
    expect(added.map((s) => s.name)).to.deep.equal(['index.md', 'notes.txt', 'given.txt', 'plain.txt', 'alone.bin']);
    const { detail } = await complete;
    events.stop();
    expect(detail.successful.map((s) => s.relativePath)).to.deep.equal(paths);
    const addEvents = events.events.filter((e) => e.type === 'upload-add').map((e) => (e.detail as UploadEventDetail).upload.relativePath);
    expect(addEvents).to.deep.equal(paths);
    const successEvents = events.events.filter((e) => e.type === 'upload-success').map((e) => (e.detail as UploadEventDetail).upload.relativePath);
    expect(successEvents.sort()).to.deep.equal([...paths].sort());
    expect(created.map((t) => ({ name: t.name, relativePath: t.relativePath }))).to.deep.equal(added.map((s) => ({ name: s.name, relativePath: s.relativePath })));
    expect(uploader.uploads.map((s) => s.relativePath)).to.deep.equal(paths);
    uploader.destroy();
  });

  it('gives refused files their path too', () => {
    const { uploader } = uploaderWith({ maxFileSize: 10, autoStart: false });
    const events = recordEvents(uploader, ['file-reject']);
    uploader.add([{ file: makeFile(11, 'big.bin'), relativePath: 'folder/big.bin' }, makeFile(12, 'huge.bin')]);
    events.stop();
    expect(rejections(events.events).map((r) => [r.name, r.relativePath, r.reason, r.limit])).to.deep.equal([
      ['big.bin', 'folder/big.bin', 'file_too_large', 10],
      ['huge.bin', '', 'file_too_large', 10],
    ]);
    uploader.destroy();
  });

  it('refuses what is neither a File nor { file: File } with a TypeError, before adding anything', () => {
    const { uploader } = uploaderWith({ autoStart: false });
    expect(() => uploader.add([makeFile(1), { name: 'x' } as unknown as File])).to.throw(TypeError, /add\(\) takes Files/);
    expect(() => uploader.add([{ file: makeFile(1), relativePath: 3 as unknown as string }])).to.throw(TypeError, /relativePath/);
    expect(uploader.uploads).to.have.length(0);
    uploader.destroy();
  });
});
