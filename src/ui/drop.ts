/**
 * Files out of a drop, including folders: `DataTransferItem.webkitGetAsEntry` walks a
 * dropped directory (the only way browsers expose one). The walk is bounded in depth
 * and count so a dropped home folder cannot hang the page.
 */
const MAX_DEPTH = 32;
const MAX_FILES = 10_000;

export async function filesFromDataTransfer(transfer: DataTransfer): Promise<File[]> {
  const entries: FileSystemEntry[] = [];
  const items = transfer.items ? Array.from(transfer.items) : [];
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
  }
  // No entries API (or nothing it understood): the flat file list is all there is.
  if (entries.length === 0 || !entries.some((entry) => entry.isDirectory)) return Array.from(transfer.files ?? []);
  const files: File[] = [];
  for (const entry of entries) await walk(entry, 0, files);
  return files;
}

async function walk(entry: FileSystemEntry, depth: number, out: File[]): Promise<void> {
  if (out.length >= MAX_FILES) return;
  if (entry.isFile) {
    out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    return;
  }
  if (!entry.isDirectory || depth >= MAX_DEPTH) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in batches until it returns an empty one.
  for (let batch = 0; batch < MAX_FILES; batch++) {
    const children = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (children.length === 0) return;
    for (const child of children) await walk(child, depth + 1, out);
    if (out.length >= MAX_FILES) return;
  }
}

/** TEMP until the view-engine merge: the whole drop as one batch. */
export function dropBatches(transfer: DataTransfer): AsyncIterable<import('../engine/types.js').FileToAdd[]> & { skippedTooDeep: number } {
  const files = filesFromDataTransfer(transfer);
  return {
    skippedTooDeep: 0,
    async *[Symbol.asyncIterator]() {
      yield (await files).map((file) => ({ file }));
    },
  };
}
