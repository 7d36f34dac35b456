/**
 * What every part of the bench shares: the built pages, the reference server serving them, the
 * browser; the files to upload and the object store (Ceph, for sp-s3), each made on first use and
 * kept for the parts after; and rates measured by one part that another part compares with.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright';
import { MEMSTORE_BYTES, MiB } from './config.js';
import { makeFile, type BenchFile } from './files.js';
import { log, notStopping } from './processes.js';
import { cephVersion, startObjectStore, type ObjectStore, type Server } from './servers.js';

export interface Common {
  readonly work: string;
  readonly publicDir: string;
  readonly server: Server;
  readonly browser: Browser;
  /** sourceState() when the pages were built. */
  readonly source: string;
  readonly buildSeconds: number;
  /** A file of random bytes of this size on disk, written on first use (files.ts). */
  file(size: number): Promise<BenchFile>;
  /** The RADOS Gateway and the S3-mode reference server, started on first use. */
  objectStore(): Promise<ObjectStore>;
  /** Whether it was started, its version and its memstore size, for the reports. */
  objectStoreFacts(): { started: boolean; ceph: string; memstoreBytes: number };
  /** Medians (MB/s) by name, for ratios across parts: `throughput:raw`, `pool:2`... */
  readonly rates: Map<string, number>;
}

export function createCommon(base: Pick<Common, 'work' | 'publicDir' | 'server' | 'browser' | 'source' | 'buildSeconds'>): Common {
  const files = new Map<number, Promise<BenchFile>>();
  let store: Promise<ObjectStore> | undefined;
  let ceph: string | undefined;
  return {
    ...base,
    rates: new Map(),
    file(size) {
      let made = files.get(size);
      if (!made) {
        made = (async () => {
          notStopping();
          const dir = join(base.work, 'files');
          await mkdir(dir, { recursive: true });
          log(`bench: writing a ${size / MiB} MiB random file to ${dir} ...`);
          return makeFile(dir, size);
        })();
        files.set(size, made);
      }
      return made;
    },
    objectStore() {
      store ??= (async () => {
        notStopping();
        const started = await startObjectStore(base.publicDir, base.work, MEMSTORE_BYTES);
        ceph = cephVersion();
        return started;
      })();
      return store;
    },
    objectStoreFacts() {
      return { started: ceph !== undefined, ceph: ceph ?? 'not started (BENCH_MODES without sp-s3)', memstoreBytes: MEMSTORE_BYTES };
    },
  };
}
