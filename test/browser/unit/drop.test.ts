/**
 * The folder walk of a drop (src/ui/drop.ts) over fake FileSystemEntry trees: the
 * entries API answers through callbacks, later, in chunks of at most 100 (as Chromium
 * does), and a DataTransfer's items die when the drop handler returns. Browsers give
 * no way to make a real dropped folder in a page, so the entries are stand-ins that
 * keep the API's shape; the Files in them are real.
 */
import { expect } from '@esm-bundle/chai';
import { nextTask } from '../../../src/engine/next-task.js';
import { dropBatches, flatFiles, MAX_DROP_DEPTH } from '../../../src/ui/drop.js';
import { Uploader } from '../../../src/engine/uploader.js';
import { MemoryResumeStore } from '../../../src/engine/resume-store.js';
import type { FileToAdd } from '../../../src/engine/types.js';
import type { Protocol } from '../../../src/engine/protocol.js';

/** Callbacks come later, as a browser's do. */
/** Fake entries answer in a task of their own, as browsers do; `answerAtOnce` makes them answer in a microtask. */
let answerAtOnce = false;
const later = (run: () => void) => (answerAtOnce ? queueMicrotask(run) : setTimeout(run, 0));

type Tree = { [name: string]: Tree | string | Error };

function fileEntry(name: string, fullPath: string, content: string | Error): FileSystemFileEntry {
  return {
    isFile: true,
    isDirectory: false,
    name,
    fullPath,
    file: (resolve: (file: File) => void, reject?: (error: DOMException) => void) =>
      later(() =>
        content instanceof Error
          ? reject?.(new DOMException(content.message, 'NotFoundError'))
          : resolve(new File([content], name, { lastModified: 1_700_000_000_000 })),
      ),
  } as unknown as FileSystemFileEntry;
}

/** A folder whose reader answers `chunk` entries at a time, then an empty list. */
function dirEntry(name: string, fullPath: string, tree: Tree, chunk = 100, stats = { readerCalls: 0 }): FileSystemDirectoryEntry {
  const children = (): FileSystemEntry[] =>
    Object.entries(tree).map(([child, value]) =>
      typeof value === 'string' || value instanceof Error
        ? fileEntry(child, `${fullPath}/${child}`, value)
        : dirEntry(child, `${fullPath}/${child}`, value, chunk, stats),
    );
  return {
    isFile: false,
    isDirectory: true,
    name,
    fullPath,
    createReader: () => {
      let list: FileSystemEntry[] | undefined;
      let at = 0;
      return {
        readEntries: (resolve: (entries: FileSystemEntry[]) => void) => {
          stats.readerCalls++;
          list ??= children();
          const answer = list.slice(at, at + chunk);
          at += answer.length;
          later(() => resolve(answer));
        },
      };
    },
  } as unknown as FileSystemDirectoryEntry;
}

/**
 * A drop as the browser hands it over: items that answer only while `alive`, so a walk
 * that reached for them after the handler returned would find nothing.
 */
function fakeDrop(top: Array<FileSystemEntry | File>): { transfer: DataTransfer; die(): void } {
  let alive = true;
  const items = top.map((item) => ({
    kind: 'file',
    type: '',
    webkitGetAsEntry: () => (alive ? (item instanceof File ? fileEntry(item.name, `/${item.name}`, 'x') : item) : null),
    getAsFile: () => (alive && item instanceof File ? item : null),
  }));
  const plain = top.filter((item): item is File => item instanceof File);
  return { transfer: { items, files: plain, types: ['Files'] } as unknown as DataTransfer, die: () => (alive = false) };
}

async function collect(drop: AsyncIterable<FileToAdd[]>): Promise<FileToAdd[][]> {
  const batches: FileToAdd[][] = [];
  for await (const batch of drop) batches.push(batch);
  return batches;
}

const paths = (batches: FileToAdd[][]) => batches.flat().map((f) => f.relativePath);

describe('dropBatches', () => {
  it('gives files of a dropped folder their path, and a file dropped on its own none, taking entries before the handler returns', async () => {
    const tree = dirEntry('2024', '/2024', { 'index.md': '# 2024', img: { 'a.png': 'png' } });
    const other = dirEntry('2025', '/2025', { 'index.md': '# 2025' });
    const { transfer, die } = fakeDrop([tree, new File(['n'], 'notes.txt'), other]);
    const drop = dropBatches(transfer);
    die(); // the drop handler returned
    const batches = await collect(drop);
    expect(paths(batches)).to.deep.equal(['2024/index.md', '2024/img/a.png', '', '2025/index.md']);
    expect(batches.flat().map((f) => f.file.name)).to.deep.equal(['index.md', 'a.png', 'notes.txt', 'index.md']);
    expect(await batches.flat()[0]!.file.text()).to.equal('# 2024');
    expect(drop.skippedTooDeep).to.equal(0);
    expect(drop.unreadable).to.equal(0);

    // The two index.md have the same size and mtime, and are still two files to the engine.
    const protocol: Protocol = {
      name: 'never',
      capabilities: { ordered: true, partChecksum: 'none' },
      create: () => {
        throw new Error('not started');
      },
    };
    const uploader = new Uploader({ endpoint: 'https://api.example.test/', protocol, autoStart: false, resumeStore: new MemoryResumeStore() });
    const added = uploader.add(batches.flat());
    expect(added.map((s) => s.relativePath)).to.deep.equal(['2024/index.md', '2024/img/a.png', '', '2025/index.md']);
    uploader.destroy();
  });

  it('walks a 3,000-file folder whole, in batches of 250 with a turn of the event loop between them', async () => {
    const big: Tree = {};
    for (let i = 0; i < 3_000; i++) big[`f${String(i).padStart(4, '0')}.txt`] = String(i);
    const stats = { readerCalls: 0 };
    const { transfer, die } = fakeDrop([dirEntry('big', '/big', big, 100, stats), new File(['1'], 'one-more.txt')]);
    const drop = dropBatches(transfer);
    die();
    const sizes: number[] = [];
    // A ticker that takes one task per turn, as the walk does between batches: if the walk
    // ran in one task, the ticker would get no turn until it ended. (Engines order messages
    // of different channels differently, so turns are counted, not placed.) The fake
    // entries answer at once here, so the only task boundaries are the walk's own.
    answerAtOnce = true;
    let running = true;
    let ticks = 0;
    void (async () => {
      while (running) {
        await nextTask();
        ticks++;
      }
    })();
    try {
      for await (const batch of drop) sizes.push(batch.length);
    } finally {
      answerAtOnce = false;
    }
    const ticksDuringWalk = ticks;
    running = false;
    expect(sizes).to.deep.equal([...Array(12).fill(250), 1]);
    expect(ticksDuringWalk, 'other tasks ran while the folder was walked').to.be.at.least(3);
    expect(stats.readerCalls, 'readEntries until it answered an empty list').to.equal(31);
  });

  it('has no count cap (the old walk stopped at 10,000 without a word)', async () => {
    const huge: Tree = { a: {}, b: {} };
    for (let i = 0; i < 6_000; i++) (huge['a'] as Tree)[`${i}.txt`] = '';
    for (let i = 0; i < 6_000; i++) (huge['b'] as Tree)[`${i}.txt`] = '';
    const { transfer } = fakeDrop([dirEntry('huge', '/huge', huge, 1000)]);
    const batches = await collect(dropBatches(transfer, 1000));
    expect(batches.flat()).to.have.length(12_000);
    expect(new Set(paths(batches)).size).to.equal(12_000);
    expect(paths(batches).at(-1)).to.equal('huge/b/5999.txt');
  });

  it(`goes ${MAX_DROP_DEPTH} folders deep and counts the folders it did not open`, async () => {
    // A chain of 40 folders, a file in each; and a sibling of the too-deep folder.
    const root: Tree = {};
    let level = root;
    for (let depth = 0; depth < 40; depth++) {
      level[`file-${depth}.txt`] = String(depth);
      const next: Tree = {};
      level[`d${depth + 1}`] = next;
      level = next;
    }
    const { transfer } = fakeDrop([dirEntry('d0', '/d0', root)]);
    const drop = dropBatches(transfer);
    const found = paths(await collect(drop));
    expect(found).to.have.length(MAX_DROP_DEPTH);
    const deepest = found.at(-1)!;
    expect(deepest.split('/').length - 1, 'folders in the deepest path').to.equal(MAX_DROP_DEPTH);
    expect(deepest).to.match(new RegExp(`/file-${MAX_DROP_DEPTH - 1}\\.txt$`));
    expect(drop.skippedTooDeep).to.equal(1);
  });

  it('counts what cannot be read and goes on', async () => {
    const { transfer } = fakeDrop([dirEntry('f', '/f', { 'gone.txt': new Error('moved'), 'ok.txt': 'ok' })]);
    const drop = dropBatches(transfer);
    expect(paths(await collect(drop))).to.deep.equal(['f/ok.txt']);
    expect(drop.unreadable).to.equal(1);
  });

  it('falls back to the flat file list without the entries API, and takes a real DataTransfer', async () => {
    const a = new File(['a'], 'a.txt');
    const b = new File(['b'], 'b.txt');
    const noItems = { files: [a, b] } as unknown as DataTransfer;
    expect(flatFiles(noItems)).to.deep.equal([
      { file: a, relativePath: '' },
      { file: b, relativePath: '' },
    ]);
    expect(paths(await collect(dropBatches(noItems)))).to.deep.equal(['', '']);
    const real = new DataTransfer();
    real.items.add(a);
    real.items.add(b);
    const batches = await collect(dropBatches(real));
    expect(batches.flat().map((f) => [f.file.name, f.relativePath])).to.deep.equal([
      ['a.txt', ''],
      ['b.txt', ''],
    ]);
    expect(() => dropBatches(real, 0)).to.throw(RangeError);
  });
});
