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
import type { Protocol, ProtocolUpload, UploadTarget } from '../../../src/engine/protocol.js';
import { MemoryResumeStore } from '../../../src/engine/resume-store.js';
import { UploadError, UploadErrorCode } from '../../../src/engine/upload-error.js';
import { UploadJob } from '../../../src/engine/upload-job.js';
import { nextTask } from '../../../src/engine/next-task.js';
import { makeFile } from '../../support/data.js';
import { nextEvent, recordEvents } from '../../support/harness.js';

/** Takes every file in one send (files named `fail…` fail for good); `created` lists the targets the engine gave it. */
function recordingProtocol() {
  const created: UploadTarget[] = [];
  const protocol: Protocol = {
    name: 'recording',
    capabilities: { ordered: true, partChecksum: 'none' },
    create: (_context, target): ProtocolUpload => {
      created.push(target);
      let offset = 0;
      return {
        open: async () => ({ offset }),
        saveState: () => undefined,
        sync: async () => ({ offset }),
        send: async (part) => {
          if (target.name.startsWith('fail')) throw new UploadError(UploadErrorCode.ClientError, 'Refused by the test.', { status: 400 });
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
    expect(created.map((t) => ({ name: t.name, relativePath: t.relativePath }))).to.deep.equal(
      added.map((s) => ({ name: s.name, relativePath: s.relativePath })),
    );
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

describe('duplicates', () => {
  it('are the same path (or name) with the same size and mtime: 2024/index.md and 2025/index.md are two files', () => {
    const { uploader } = uploaderWith({ autoStart: false });
    const events = recordEvents(uploader, ['file-reject']);
    const same = () => makeFile(5, 'index.md', 7);
    const file = same();
    const added = uploader.add([
      { file: same(), relativePath: '2024/index.md' },
      { file: same(), relativePath: '2025/index.md' },
      { file: same(), relativePath: '2024/index.md' }, // same path, size, mtime: a duplicate
      same(), // no path: index.md, not 2024/index.md
      file,
      { file, relativePath: 'elsewhere/index.md' }, // the same File under another path: another file
      { file, relativePath: 'elsewhere/index.md' }, // ... but not twice
      makeFile(6, 'index.md', 7), // another size
      makeFile(5, 'index.md', 7, 'application/octet-stream', 1_600_000_000_000), // another mtime
    ]);
    events.stop();
    expect(added.map((s) => s.relativePath || s.name)).to.deep.equal([
      '2024/index.md',
      '2025/index.md',
      'index.md',
      'elsewhere/index.md',
      'index.md',
      'index.md',
    ]);
    expect(rejections(events.events).map((r) => [r.reason, r.relativePath])).to.deep.equal([
      ['duplicate', '2024/index.md'],
      ['duplicate', ''],
      ['duplicate', 'elsewhere/index.md'],
    ]);
    expect(uploader.add([{ file: same(), relativePath: '2025/index.md' }]), 'a later add sees the queue').to.have.length(0);
    uploader.destroy();
  });

  it('stop counting once an upload succeeds, is cancelled or removed; a failed one (and its retry) still counts', async () => {
    const { uploader } = uploaderWith({ autoStart: false });
    const okFile = { file: makeFile(3, 'ok.txt', 1), relativePath: 'a/ok.txt' };
    const failFile = { file: makeFile(3, 'fail.txt', 2), relativePath: 'a/fail.txt' };
    const cancelFile = { file: makeFile(3, 'cancel.txt', 3), relativePath: 'a/cancel.txt' };
    const [ok, failing, cancelled] = uploader.add([okFile, failFile, cancelFile]);
    expect(uploader.add([okFile, failFile, cancelFile])).to.have.length(0);
    await uploader.cancel(cancelled!.id);
    expect(
      uploader.add([cancelFile]).map((s) => s.relativePath),
      'cancelled: may be added again',
    ).to.deep.equal(['a/cancel.txt']);
    const complete = nextEvent(uploader, 'upload-complete');
    uploader.start();
    await complete;
    expect(uploader.get(ok!.id)?.status).to.equal('success');
    expect(uploader.get(failing!.id)?.status).to.equal('error');
    expect(
      uploader.add([okFile]).map((s) => s.relativePath),
      'succeeded: may be added again',
    ).to.deep.equal(['a/ok.txt']);
    expect(uploader.add([failFile]), 'failed: still in the list').to.have.length(0);
    const failedAgain = nextEvent(uploader, 'upload-error');
    uploader.retry(failing!.id);
    expect(uploader.add([failFile]), 'retrying: still in the list').to.have.length(0);
    await failedAgain;
    await uploader.remove(failing!.id);
    expect(
      uploader.add([failFile]).map((s) => s.relativePath),
      'removed: may be added again',
    ).to.deep.equal(['a/fail.txt']);
    uploader.destroy();
  });

  it('maxFiles counts every upload not cancelled, and forgets removed ones', async () => {
    const { uploader } = uploaderWith({ autoStart: false, maxFiles: 2 });
    const events = recordEvents(uploader, ['file-reject']);
    const [first] = uploader.add([makeFile(1, 'a'), makeFile(1, 'b'), makeFile(1, 'c')]);
    expect(rejections(events.events).map((r) => [r.name, r.reason, r.max])).to.deep.equal([['c', 'too_many_files', 2]]);
    await uploader.cancel(first!.id);
    expect(uploader.add([makeFile(1, 'c'), makeFile(1, 'd')]).map((s) => s.name)).to.deep.equal(['c']);
    await uploader.remove(first!.id);
    expect(uploader.add([makeFile(1, 'd')]), 'a cancelled upload no longer counted; removing it changes nothing').to.have.length(0);
    const complete = nextEvent(uploader, 'upload-complete');
    uploader.start();
    const { detail } = await complete;
    expect(detail.successful.map((s) => s.name).sort()).to.deep.equal(['b', 'c']);
    expect(uploader.add([makeFile(1, 'e')]), 'succeeded uploads still count').to.have.length(0);
    await uploader.remove(detail.successful[0]!.id);
    expect(
      uploader.add([makeFile(1, 'e')]).map((s) => s.name),
      'a removed one does not',
    ).to.deep.equal(['e']);
    events.stop();
    uploader.destroy();
  });
});

describe('multiple and disabled', () => {
  it('multiple: false takes the first acceptable file of each add() and refuses the others as too_many_files', () => {
    const { uploader } = uploaderWith({ autoStart: false, multiple: false, maxFileSize: 10 });
    const events = recordEvents(uploader, ['file-reject']);
    const added = uploader.add([
      makeFile(11, 'big.bin'),
      { file: makeFile(2, 'one.txt'), relativePath: 'f/one.txt' },
      { file: makeFile(3, 'two.txt'), relativePath: 'f/two.txt' },
      makeFile(20, 'huge.bin'),
    ]);
    expect(added.map((s) => s.name)).to.deep.equal(['one.txt']);
    expect(rejections(events.events)).to.deep.equal([
      {
        name: 'big.bin',
        relativePath: '',
        size: 11,
        type: 'application/octet-stream',
        reason: 'file_too_large',
        message: 'big.bin is 11 B; the limit is 10 B.',
        limit: 10,
      },
      {
        name: 'two.txt',
        relativePath: 'f/two.txt',
        size: 3,
        type: 'application/octet-stream',
        reason: 'too_many_files',
        message: 'Only one file can be added.',
        max: 1,
      },
      {
        name: 'huge.bin',
        relativePath: '',
        size: 20,
        type: 'application/octet-stream',
        reason: 'too_many_files',
        message: 'Only one file can be added.',
        max: 1,
      },
    ]);
    expect(
      uploader.add([makeFile(4, 'three.txt')]).map((s) => s.name),
      'per call: the next add takes one more',
    ).to.deep.equal(['three.txt']);
    uploader.setOptions({ multiple: true });
    expect(uploader.add([makeFile(5, 'a'), makeFile(6, 'b')])).to.have.length(2);
    events.stop();
    uploader.destroy();
  });

  it('disabled: true refuses every file (reason disabled) through file-reject; false takes files again', () => {
    const { uploader } = uploaderWith({ autoStart: false, disabled: true });
    const events = recordEvents(uploader, ['file-reject', 'upload-add']);
    expect(uploader.add([makeFile(1, 'a'), { file: makeFile(2, 'b'), relativePath: 'dir/b' }])).to.have.length(0);
    expect(events.events.map((e) => e.type)).to.deep.equal(['file-reject', 'file-reject']);
    expect(rejections(events.events).map((r) => [r.name, r.relativePath, r.reason, r.message])).to.deep.equal([
      ['a', '', 'disabled', 'The uploader is disabled.'],
      ['b', 'dir/b', 'disabled', 'The uploader is disabled.'],
    ]);
    uploader.setOptions({ disabled: false });
    expect(uploader.add([makeFile(1, 'a')])).to.have.length(1);
    uploader.setOptions({ disabled: true });
    expect(uploader.uploads, 'uploads already added stay').to.have.length(1);
    events.stop();
    uploader.destroy();
    const closed = recordEvents(uploader, ['file-reject']);
    uploader.setOptions({ disabled: false });
    uploader.add([makeFile(3, 'c')]);
    closed.stop();
    expect(
      rejections(closed.events).map((r) => [r.reason, r.message]),
      'after destroy()',
    ).to.deep.equal([['disabled', 'The uploader is closed.']]);
  });

  it('refusals carry the limit they broke: limit, accept, max', () => {
    const { uploader } = uploaderWith({ autoStart: false, maxFiles: 2, maxFileSize: 100, accept: 'image/*,.pdf' });
    const events = recordEvents(uploader, ['file-reject']);
    uploader.add([
      makeFile(101, 'a.png', 1, 'image/png'),
      makeFile(1, 'b.txt', 2, 'text/plain'),
      makeFile(1, 'c.png', 3, 'image/png'),
      makeFile(1, 'd.pdf', 4, 'application/pdf'),
      makeFile(1, 'e.png', 5, 'image/png'),
    ]);
    events.stop();
    expect(rejections(events.events).map(({ name, reason, limit, accept, max }) => ({ name, reason, limit, accept, max }))).to.deep.equal([
      { name: 'a.png', reason: 'file_too_large', limit: 100, accept: undefined, max: undefined },
      { name: 'b.txt', reason: 'file_type', limit: undefined, accept: 'image/*,.pdf', max: undefined },
      { name: 'e.png', reason: 'too_many_files', limit: undefined, accept: undefined, max: 2 },
    ]);
    uploader.destroy();
  });

  it('multiple and disabled are validated like every other option', () => {
    const { uploader } = uploaderWith({ autoStart: false });
    expect(() => uploader.setOptions({ multiple: 'no' as unknown as boolean })).to.throw(TypeError, /`multiple` must be true or false/);
    expect(() => uploader.setOptions({ disabled: 1 as unknown as boolean })).to.throw(TypeError, /`disabled` must be true or false/);
    expect(uploader.options.multiple).to.equal(true);
    expect(uploader.options.disabled).to.equal(false);
    uploader.destroy();
  });
});

/** A real File that counts reads of what the engine compares files by. */
class CountingFile extends File {
  static reads = 0;
  override get name(): string {
    CountingFile.reads++;
    return super.name;
  }
  override get size(): number {
    CountingFile.reads++;
    return super.size;
  }
  override get lastModified(): number {
    CountingFile.reads++;
    return super.lastModified;
  }
}

/** Counts reads of `UploadJob#status` (what a scan over every job reads) while `body` runs. */
async function countingStatusReads(body: () => Promise<void>): Promise<number> {
  const original = Object.getOwnPropertyDescriptor(UploadJob.prototype, 'status')!;
  let reads = 0;
  Object.defineProperty(UploadJob.prototype, 'status', {
    configurable: true,
    get(this: UploadJob) {
      reads++;
      return original.get!.call(this);
    },
  });
  try {
    await body();
  } finally {
    Object.defineProperty(UploadJob.prototype, 'status', original);
  }
  return reads;
}

describe('many files', () => {
  const N = 5_000;

  it(`adds ${N} files in work proportional to ${N}, then runs them all, never scanning the whole queue per step`, async function () {
    this.timeout(120_000);
    const { uploader, created } = uploaderWith({ autoStart: false, maxFiles: N - 10, concurrency: 2 });
    const files = Array.from({ length: N }, (_, i) => ({
      file: new CountingFile([`${i % 7}`], 'index.md', { lastModified: 1_700_000_000_000 }),
      relativePath: `folder-${i}/index.md`,
    }));
    // Five duplicates of files earlier in the same add.
    const again = [0, 1, 2, 3, 4].map((i) => ({ file: files[i]!.file, relativePath: files[i]!.relativePath }));
    const rejected: FileRejectDetail['file'][] = [];
    uploader.addEventListener('file-reject', (e) => rejected.push(e.detail.file));
    CountingFile.reads = 0;
    let added = 0;
    const addReads = await countingStatusReads(async () => {
      added = uploader.add([...files, ...again]).length;
    });
    expect(added).to.equal(N - 10);
    expect(rejected.map((r) => r.reason)).to.deep.equal([...Array(10).fill('too_many_files'), ...Array(5).fill('duplicate')]);
    expect(rejected.slice(0, 10).map((r) => r.relativePath)).to.deep.equal(files.slice(N - 10).map((f) => f.relativePath));
    expect(rejected.every((r) => r.reason !== 'too_many_files' || r.max === N - 10)).to.equal(true);
    // A duplicate check or a count over every job for every file reads ~N²/2 times.
    expect(CountingFile.reads, 'File reads while adding (about 10 a file)').to.be.below(40 * (N + 5));
    expect(addReads, 'job status reads while adding').to.be.below(10 * (N + 5));

    const complete = nextEvent(uploader, 'upload-complete', () => true, 110_000);
    const runReads = await countingStatusReads(async () => {
      uploader.start();
      const { detail } = await complete;
      expect(detail.successful).to.have.length(N - 10);
      expect(detail.failed).to.have.length(0);
    });
    expect(created).to.have.length(N - 10);
    // A pump that walks the queue from the top at every slot handover reads ~N²/2 times.
    expect(runReads, 'job status reads while running').to.be.below(30 * N);
    uploader.destroy();
  });
});

describe('starting', () => {
  it('starts what add() queued in the next task, once for every add of that task, and runs more files than slots to the end', async () => {
    const { uploader, created } = uploaderWith({ concurrency: 2 });
    const record = recordEvents(uploader, ['upload-add', 'upload-start', 'upload-success']);
    const complete = nextEvent(uploader, 'upload-complete');
    const first = uploader.add([makeFile(1000, 'a.bin')]);
    const rest = uploader.add([makeFile(2000, 'b.bin'), makeFile(3000, 'c.bin')]);
    // The task that took the files (a change or drop handler) does no more than add them.
    expect([...first, ...rest].map((u) => u.status)).to.deep.equal(['queued', 'queued', 'queued']);
    expect(record.events.map((e) => e.type)).to.deep.equal(['upload-add', 'upload-add', 'upload-add']);
    expect(created, 'no upload created in the adding task').to.have.length(0);
    await nextTask();
    const { detail } = await complete;
    record.stop();
    expect(detail.successful.map((u) => u.name)).to.deep.equal(['a.bin', 'b.bin', 'c.bin']);
    expect(created.map((t) => t.name)).to.deep.equal(['a.bin', 'b.bin', 'c.bin']);
    expect(record.events.filter((e) => e.type === 'upload-start')).to.have.length(3);
    uploader.destroy();
  });

  it('starts nothing when destroyed in the task that added, and does not throw later', async () => {
    const { uploader, created } = uploaderWith();
    const record = recordEvents(uploader, ['upload-start', 'upload-error']);
    uploader.add([makeFile(1000, 'a.bin')]);
    uploader.destroy();
    await nextTask();
    await nextTask();
    expect(created).to.have.length(0);
    expect(record.events).to.have.length(0);
  });

  it('with autoStart false, add() starts nothing, in this task or the next; start() does', async () => {
    const { uploader, created } = uploaderWith({ autoStart: false });
    uploader.add([makeFile(1000, 'a.bin')]);
    await nextTask();
    await nextTask();
    expect(created).to.have.length(0);
    const complete = nextEvent(uploader, 'upload-complete');
    uploader.start();
    expect((await complete).detail.successful.map((u) => u.name)).to.deep.equal(['a.bin']);
    uploader.destroy();
  });
});
