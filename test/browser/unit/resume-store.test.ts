/** One contract, run against every resume store. */
import { expect } from '@esm-bundle/chai';
import {
  IdbResumeStore,
  MemoryResumeStore,
  openResumeStore,
  RECORD_MAX_AGE_MS,
  type ResumeRecord,
  type ResumeStore,
} from '../../../src/engine/resume-store.js';

const record = (updatedAt: number): ResumeRecord => ({
  version: 1,
  protocol: 'content-range',
  endpoint: 'https://api.example.test/u',
  name: 'a.bin',
  size: 10,
  partSize: 5,
  state: { id: '1', location: 'https://api.example.test/uploads/1' },
  createdAt: updatedAt,
  updatedAt,
});

const stores: Array<[string, () => ResumeStore]> = [
  ['memory', () => new MemoryResumeStore()],
  // idb-keyval keeps one object store per database: a fresh database per test.
  ['IndexedDB', () => new IdbResumeStore(`asset-uploader-contract-${Math.random()}`, 'resume')],
];

for (const [name, make] of stores) {
  describe(`resume store contract: ${name}`, () => {
    it('stores, reads back as plain JSON, and removes', async () => {
      const store = make();
      expect(await store.get('k')).to.equal(undefined);
      await store.set('k', record(1000));
      expect(await store.get('k')).to.deep.equal(record(1000));
      await store.remove('k');
      expect(await store.get('k')).to.equal(undefined);
    });

    it('prunes records older than the limit', async () => {
      const store = make();
      await store.set('old', record(1000));
      await store.set('new', record(9000));
      await store.prune(5000, 10_000);
      expect(await store.get('old')).to.equal(undefined);
      expect(await store.get('new')).to.deep.equal(record(9000));
    });

    it('holds no token: a record is only what the adapter saved', async () => {
      const store = make();
      await store.set('k', record(1));
      expect(JSON.stringify(await store.get('k'))).not.to.match(/bearer|authorization|token|signature/i);
    });
  });
}

describe('openResumeStore', () => {
  // Nothing ever pruned: records of files never picked again stayed in IndexedDB for good.
  it('drops, in the background, the records of the default store untouched for more than a week', async () => {
    const store = new IdbResumeStore();
    const now = Date.now();
    await store.set('prune-stale', record(now - RECORD_MAX_AGE_MS - 1000));
    await store.set('prune-recent', record(now - 1000));
    const opened = await openResumeStore(now);
    expect(opened.persistent).to.equal(true);
    for (let i = 0; i < 200 && (await store.get('prune-stale')) !== undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await store.get('prune-stale'), 'the stale record is gone').to.equal(undefined);
    expect(await store.get('prune-recent')).to.deep.equal(record(now - 1000));
    await store.remove('prune-recent');
  });
});
