/**
 * The engine's part loop against a scripted server: the next part is hashed while the
 * current one is on the wire, resume state is written before a part is sent, and a
 * failed part is followed by a status query before anything is sent again.
 */
import { expect } from '@esm-bundle/chai';
import { HashPool, type Hasher } from '../../../src/engine/hash-pool.js';
import { MemoryResumeStore, type ResumeRecord } from '../../../src/engine/resume-store.js';
import { Uploader } from '../../../src/engine/uploader.js';
import { makeFile } from '../../support/data.js';
import { nextEvent } from '../../support/harness.js';
import { TestHttpStack } from '../../support/test-http-stack.js';

const PART = 1024;
const ENDPOINT = 'https://api.example.test/videos/upload.json';
const LOCATION = 'https://api.example.test/uploads/1';

class RecordingHasher implements Hasher {
  readonly asked: Array<[number, number]> = [];
  readonly #pool = new HashPool({ size: 1 });
  digest(blob: Blob, start: number, end: number, signal: AbortSignal) {
    this.asked.push([start, end]);
    return this.#pool.digest(blob, start, end, signal);
  }
  dispose() {
    this.#pool.dispose();
  }
}

class RecordingStore extends MemoryResumeStore {
  readonly writes: ResumeRecord[] = [];
  readonly keys = new Set<string>();
  override async set(key: string, record: ResumeRecord) {
    this.writes.push(record);
    this.keys.add(key);
    await super.set(key, record);
  }
}

async function settleHashing(hasher: RecordingHasher, count: number) {
  for (let i = 0; i < 200 && hasher.asked.length < count; i++) await new Promise((r) => setTimeout(r, 5));
}

describe('engine part loop', () => {
  it('hashes part n+1 while part n uploads, and saves resume state before each part', async () => {
    const http = new TestHttpStack();
    const hasher = new RecordingHasher();
    const store = new RecordingStore();
    const uploader = new Uploader({
      endpoint: ENDPOINT,
      chunkSize: PART,
      hashWorkers: 2,
      http,
      hasher,
      resumeStore: store,
      support: { slice: true, worker: true, uploadProgress: true },
    });
    const success = nextEvent(uploader, 'upload-success');
    uploader.add([makeFile(3 * PART + 10, 'pipe.bin', 3)]);

    (await http.next()).respond(201, {}, JSON.stringify({ id: 1, location: LOCATION }));
    const put1 = await http.next();
    expect(put1.request.headers!['Content-Range']).to.equal(`bytes 0-${PART - 1}/${3 * PART + 10}`);
    await settleHashing(hasher, 4);
    // [0, 64 KiB) for the fingerprint, then part 1, then parts 2 and 3 (one per hash
    // worker) before part 1 is answered.
    expect(hasher.asked.slice(1)).to.deep.equal([
      [0, PART],
      [PART, 2 * PART],
      [2 * PART, 3 * PART],
    ]);
    expect(store.writes, 'resume state written before the first part').to.have.length(1);
    expect(store.writes[0]!.state).to.deep.equal({ id: '1', location: LOCATION });
    put1.respond(204, { Range: `0-${PART - 1}` });

    const put2 = await http.next();
    expect(put2.request.headers!['Content-Range']).to.equal(`bytes ${PART}-${2 * PART - 1}/${3 * PART + 10}`);
    // The part fails on the network: the engine asks before sending again.
    put2.failNetwork();
    const query = await http.next();
    expect(query.request.headers).to.deep.equal({ 'Content-Range': `bytes */${3 * PART + 10}` });
    query.respond(204, { Range: `0-${2 * PART - 1}` }); // it had arrived after all
    const put3 = await http.next();
    expect(put3.request.headers!['Content-Range'], 'not re-sent: the server had it').to.equal(`bytes ${2 * PART}-${3 * PART - 1}/${3 * PART + 10}`);
    put3.respond(204, { Range: `0-${3 * PART - 1}` });
    (await http.next()).respond(200, {}, JSON.stringify({ id: 1, url: 'https://cdn.example.test/1' }));
    await success;
    expect(store.keys.size).to.equal(1);
    expect(await store.get([...store.keys][0]!), 'resume state cleared after completion').to.equal(undefined);
    uploader.destroy();
    hasher.dispose();
  });
});
