/** The files the bench uploads: random bytes on disk, with Node's MD5 of the whole and of each 8 MiB part to check against. */
import { createHash, randomBytes as randomBytesSync } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MiB, PART_SIZE } from './config.js';

export interface BenchFile {
  readonly path: string;
  readonly size: number;
  readonly md5: string;
  /** MD5 (hex) of each PART_SIZE part, in order. */
  readonly partMd5: string[];
}

const randomBytes = promisify(randomBytesSync);

/** Random bytes written to disk in 8 MiB pieces; MD5 of the whole and of each part on the way. */
export async function makeFile(dir: string, size: number): Promise<BenchFile> {
  const path = join(dir, `bench-${size / MiB}MiB.bin`);
  const whole = createHash('md5');
  const partMd5: string[] = [];
  const handle = await open(path, 'w');
  try {
    for (let offset = 0; offset < size; offset += PART_SIZE) {
      // Generated off the main thread, so signals are still handled promptly.
      const bytes = await randomBytes(Math.min(PART_SIZE, size - offset));
      whole.update(bytes);
      partMd5.push(createHash('md5').update(bytes).digest('hex'));
      await handle.write(bytes, 0, bytes.length, offset);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { path, size, md5: whole.digest('hex'), partMd5 };
}
