/**
 * Files out of a drop, folders included, with each file's path in the dropped folder.
 * `DataTransferItem.webkitGetAsEntry` is the only way browsers expose a dropped
 * directory, and it works only while the drop event is being handled: `dropBatches`
 * takes every entry at once, synchronously, then walks the folders at its own pace.
 *
 * The walk has no count cap: a 10,000-file folder comes through whole, in batches, with
 * a turn of the event loop between batches so the page stays responsive (the view adds
 * each batch as it comes). It has a depth cap, because a folder can contain itself
 * through links; what it leaves out is counted, never silent.
 *
 * @example
 * zone.addEventListener('drop', async (event) => {
 *   event.preventDefault();
 *   const drop = dropBatches(event.dataTransfer!); // now, inside the handler
 *   for await (const batch of drop) uploader.add(batch);
 *   if (drop.skippedTooDeep > 0) warn(`${drop.skippedTooDeep} folder(s) were nested too deep to open.`);
 * });
 */
import { nextTask } from '../engine/next-task.js';
import { normalizeRelativePath } from '../engine/relative-path.js';
import type { FileToAdd } from '../engine/types.js';

/**
 * How many folders deep the walk goes: a dropped folder's files have a path of one
 * folder, and a file with a path of more than 32 folders is not reached. A folder
 * that would be opened below that depth is counted in `skippedTooDeep` instead.
 */
export const MAX_DROP_DEPTH = 32;

/** Files a batch holds by default: enough to keep `add()` calls few, few enough to keep each turn short. */
export const DROP_BATCH_SIZE = 250;

/**
 * The files of one drop, as batches of `{ file, relativePath }`: `relativePath` is the
 * entry's path in the dropped folder (`2024/index.md`), `''` for a file dropped on its
 * own. Iterate it once. The counts are final once the iteration has ended.
 */
export interface DropBatches extends AsyncIterable<FileToAdd[]> {
  /** Folders not opened because they lie deeper than `MAX_DROP_DEPTH` (their contents are unknown). */
  readonly skippedTooDeep: number;
  /** Files and folders the browser could not read (moved or deleted since the drop, no permission). */
  readonly unreadable: number;
}

type Captured = { readonly file: File } | { readonly entry: FileSystemEntry };

/**
 * Takes every dropped entry now (call it inside the drop handler: the items are dead
 * once it returns) and walks folders as the result is iterated, yielding batches of at
 * most `batchSize` files with a turn of the event loop between them.
 */
export function dropBatches(transfer: DataTransfer, batchSize = DROP_BATCH_SIZE): DropBatches {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`dropBatches: batchSize must be a positive integer, got ${batchSize}.`);
  const counts = { skippedTooDeep: 0, unreadable: 0 };
  const captured = capture(transfer, counts);
  let batches: AsyncGenerator<FileToAdd[]> | undefined;
  return {
    get skippedTooDeep() {
      return counts.skippedTooDeep;
    },
    get unreadable() {
      return counts.unreadable;
    },
    [Symbol.asyncIterator]() {
      batches ??= inBatches(walkAll(captured, counts), batchSize);
      return batches;
    },
  };
}

/** The flat file list, for browsers without the entries API: no folders, no paths. */
export function flatFiles(transfer: DataTransfer): FileToAdd[] {
  return Array.from(transfer.files ?? [], (file) => ({ file, relativePath: '' }));
}

/** Synchronous: every item's entry (a folder) or File (anything else), in drop order. */
function capture(transfer: DataTransfer, counts: { unreadable: number }): Captured[] {
  const items = transfer.items ? Array.from(transfer.items) : [];
  const captured: Captured[] = [];
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry?.isDirectory) {
      captured.push({ entry });
      continue;
    }
    // A file dropped on its own: the item's File is at hand now; its entry would need a callback later.
    const file = item.getAsFile();
    if (file) captured.push({ file });
    else if (entry) captured.push({ entry });
    else counts.unreadable++;
  }
  // No items list at all (older browsers): the flat file list is all there is.
  if (!transfer.items) return flatFiles(transfer);
  return captured;
}

async function* walkAll(captured: readonly Captured[], counts: { skippedTooDeep: number; unreadable: number }): AsyncGenerator<FileToAdd> {
  for (const item of captured) {
    if ('file' in item) {
      yield { file: item.file, relativePath: '' };
    } else if (item.entry.isFile) {
      // Dropped on its own (its item had no File): no folder, so no path.
      const file = await fileOf(item.entry as FileSystemFileEntry);
      if (file) yield { file, relativePath: '' };
      else counts.unreadable++;
    } else {
      yield* walk(item.entry, item.entry.name, 0, counts);
    }
  }
}

/** Every file under the folder `entry`; `depth`: folders above it inside the drop (0 for a dropped folder itself). */
async function* walk(entry: FileSystemEntry, path: string, depth: number, counts: { skippedTooDeep: number; unreadable: number }): AsyncGenerator<FileToAdd> {
  if (!entry.isDirectory) return;
  if (depth >= MAX_DROP_DEPTH) {
    counts.skippedTooDeep++;
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in chunks (Chromium: 100) until it answers an empty one.
  for (;;) {
    let children: FileSystemEntry[];
    try {
      children = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    } catch {
      counts.unreadable++;
      return;
    }
    if (children.length === 0) return;
    // The chunk's files are read together (one callback each); its folders one after another.
    const files = children.filter((child) => child.isFile);
    const read = await Promise.all(files.map((child) => fileOf(child as FileSystemFileEntry)));
    for (const [index, file] of read.entries()) {
      if (file) yield { file, relativePath: pathOf(files[index]!, `${path}/${files[index]!.name}`) };
      else counts.unreadable++;
    }
    for (const child of children) if (child.isDirectory) yield* walk(child, `${path}/${child.name}`, depth + 1, counts);
  }
}

function fileOf(entry: FileSystemFileEntry): Promise<File | undefined> {
  return new Promise<File | undefined>((resolve) => entry.file(resolve, () => resolve(undefined)));
}

/** The entry's `fullPath` without the leading `/`; the path built from names where a browser gives none. */
function pathOf(entry: FileSystemEntry, built: string): string {
  return normalizeRelativePath(entry.fullPath || built);
}

/** Groups `files` into arrays of `size`, with a task boundary after each (not a microtask: input and rendering get their turn). */
async function* inBatches(files: AsyncIterable<FileToAdd>, size: number): AsyncGenerator<FileToAdd[]> {
  let batch: FileToAdd[] = [];
  for await (const file of files) {
    batch.push(file);
    if (batch.length < size) continue;
    yield batch;
    batch = [];
    await nextTask();
  }
  if (batch.length > 0) yield batch;
}
