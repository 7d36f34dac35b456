/** Pure engine pieces: retry policy, sizes, restrictions, credential scoping, the md5 worker. */
import { expect } from '@esm-bundle/chai';
import SparkMD5 from 'spark-md5';
import { HashPool, stallLimitMs } from '../../../src/engine/hash-pool.js';
import { accepts, checkFile } from '../../../src/engine/restrictions.js';
import { decideRetry, defaultRetryPolicy } from '../../../src/engine/retry-policy.js';
import { parseRetryAfter } from '../../../src/engine/http.js';
import { ScopedHttpStack } from '../../../src/engine/scoped-http.js';
import { parseSize } from '../../../src/engine/size.js';
import { UploadError, UploadErrorCode } from '../../../src/engine/upload-error.js';
import { TestHttpStack } from '../../support/test-http-stack.js';
import { makeFile } from '../../support/data.js';

describe('retry policy', () => {
  const error = (code: ConstructorParameters<typeof UploadError>[0], retryAfterMs?: number) =>
    new UploadError(code, code, retryAfterMs === undefined ? {} : { retryAfterMs });

  it('retries network errors, stalls, 408, 409, 429 and 5xx with the default delays, then stops', () => {
    for (const code of ['network', 'stalled', 'request_timeout', 'offset_mismatch', 'rate_limited', 'server_error'] as const) {
      const delays = [0, 1, 2, 3].map((attempt) => decideRetry(error(code), attempt, defaultRetryPolicy, () => 0));
      expect(delays, code).to.deep.equal([0, 1000, 3000, 5000].map((delayMs) => ({ retry: true, delayMs })));
      expect(decideRetry(error(code), 4)).to.deep.equal({ retry: false });
    }
  });

  it('never retries client errors, refused credentials, refused locations or unreadable files', () => {
    for (const code of ['client_error', 'unauthorized', 'location_refused', 'file_unreadable', 'bad_response', 'session_expired'] as const) {
      expect(decideRetry(error(code), 0), code).to.deep.equal({ retry: false });
    }
    expect(decideRetry(new Error('plain'), 0)).to.deep.equal({ retry: false });
  });

  it('adds at most `jitter` of the delay', () => {
    const high = decideRetry(error('network'), 2, defaultRetryPolicy, () => 0.999);
    expect(high.retry && high.delayMs).to.be.within(3000, 3600);
  });

  it('waits at least what Retry-After asks, capped', () => {
    expect(decideRetry(error('rate_limited', 7000), 0, defaultRetryPolicy, () => 0)).to.deep.equal({ retry: true, delayMs: 7000 });
    expect(decideRetry(error('rate_limited', 10 * 60_000), 0, defaultRetryPolicy, () => 0)).to.deep.equal({ retry: true, delayMs: 60_000 });
    expect(parseRetryAfter('3')).to.equal(3000);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1))).to.equal(10_000);
    expect(parseRetryAfter('soon')).to.equal(undefined);
  });

  it('re-sends a part with a rejected checksum at once, a bounded number of times', () => {
    expect(decideRetry(error('checksum_mismatch'), 0)).to.deep.equal({ retry: true, delayMs: 0 });
    expect(decideRetry(error('checksum_mismatch'), 3)).to.deep.equal({ retry: false });
  });
});

describe('sizes', () => {
  it('reads what people write', () => {
    expect(parseSize('8MB')).to.equal(8_000_000);
    expect(parseSize('5MiB')).to.equal(5 * 1024 * 1024);
    expect(parseSize('1.5 GB')).to.equal(1_500_000_000);
    expect(parseSize('1048576')).to.equal(1048576);
    expect(parseSize('20GB')).to.equal(20e9);
    expect(parseSize('8 M')).to.equal(8 * 1024 * 1024);
    expect(parseSize('lots')).to.equal(undefined);
    expect(parseSize('5 XB')).to.equal(undefined);
    expect(parseSize('-5')).to.equal(undefined);
  });
});

describe('restrictions', () => {
  it('reads accept like <input type=file>', () => {
    expect(accepts('image/*', { name: 'a.png', type: 'image/png' })).to.equal(true);
    expect(accepts('image/*', { name: 'a.mp4', type: 'video/mp4' })).to.equal(false);
    expect(accepts('.PDF, video/mp4', { name: 'Report.pdf', type: '' })).to.equal(true);
    expect(accepts('video/mp4', { name: 'a.mp4', type: 'video/mp4' })).to.equal(true);
  });

  it('gives a reason a person understands', () => {
    const big = checkFile(makeFile(2000, 'big.bin'), { maxFileSize: 1000 }, 0);
    expect(big?.reason).to.equal('file_too_large');
    expect(big?.message).to.contain('big.bin').and.contain('2 kB').and.contain('1 kB');
    expect(checkFile(makeFile(1), { maxFiles: 2 }, 2)?.reason).to.equal('too_many_files');
    expect(checkFile(makeFile(1), { maxFiles: 2 }, 1)).to.equal(undefined);
  });
});

describe('credentials go to the endpoint origin only', () => {
  it('adds headers and cookies for the endpoint origin, nothing elsewhere', async () => {
    const inner = new TestHttpStack();
    const scoped = new ScopedHttpStack(inner, 'https://api.example.test/videos/upload.json', { Authorization: 'Bearer secret' }, true);
    void scoped.request({ method: 'PUT', url: 'https://api.example.test/uploads/1', headers: { 'Content-Range': 'bytes */1' } });
    void scoped.request({ method: 'PUT', url: 'https://bucket.s3.example.test/part?sig=x', headers: { 'Content-Type': '' } });
    const [own, foreign] = inner.requests;
    expect(own!.headers).to.deep.equal({ Authorization: 'Bearer secret', 'Content-Range': 'bytes */1' });
    expect(own!.withCredentials).to.equal(true);
    expect(foreign!.headers).to.deep.equal({ 'Content-Type': '' });
    expect(foreign!.withCredentials).to.equal(false);
  });
});

describe('md5 worker', () => {
  let pool: HashPool;
  beforeEach(() => (pool = new HashPool({ size: 2 })));
  afterEach(() => pool.dispose());

  it('matches known digests', async () => {
    const signal = new AbortController().signal;
    expect((await pool.digest(new Blob([]), 0, 0, signal)).hex).to.equal('d41d8cd98f00b204e9800998ecf8427e');
    const abc = await pool.digest(new Blob(['xabcx']), 1, 4, signal);
    expect(abc.hex).to.equal('900150983cd24fb0d6963f7d28e17f72');
    expect(abc.md5).to.equal('kAFQmDzST7DWlj99KOF/cg==');
    expect(await abc.part.text()).to.equal('abc');
  });

  it('hashes a 9 MiB part read in sub-slices the same as hashing it whole', async () => {
    const file = makeFile(9 * 1024 * 1024 + 3, 'nine.bin', 5);
    const start = 1234;
    const end = file.size - 5;
    const digest = await pool.digest(file, start, end, new AbortController().signal);
    const expected = SparkMD5.ArrayBuffer.hash(await file.slice(start, end).arrayBuffer());
    expect(digest.hex).to.equal(expected);
    expect(digest.part.size).to.equal(end - start);
    // What the bench's breakdown reads: time spent reading and hashing the part in the worker.
    expect(digest.timing?.readMs).to.be.a('number').and.to.be.at.least(0);
    expect(digest.timing?.hashMs).to.be.a('number').and.to.be.above(0);
  });

  it('hashes part after part on one worker right, whatever their sizes against its 1 MiB reads and 64 KiB appends (its buffer is kept)', async () => {
    const single = new HashPool({ size: 1 });
    const MiB = 1024 * 1024;
    const file = makeFile(22 * MiB, 'reuse.bin', 8);
    const signal = new AbortController().signal;
    try {
      // Exactly two reads, one byte over a read, one byte, nothing, a short one, one byte over
      // an append, one byte short of a read at an odd offset, then 8 MiB - 1 at an odd offset.
      const ranges = [
        [0, 2 * MiB],
        [2 * MiB, 3 * MiB + 1],
        [3 * MiB + 1, 3 * MiB + 2],
        [5, 5],
        [3, 1003],
        [7, 7 + 64 * 1024 + 1],
        [11, 11 + MiB - 1],
        [13 * MiB + 7, 21 * MiB + 6],
      ] as const;
      for (const [i, [s, e]] of ranges.entries()) {
        const digest = await single.digest(file, s, e, signal);
        expect(digest.hex, `part ${i} (${s}-${e})`).to.equal(SparkMD5.ArrayBuffer.hash(await file.slice(s, e).arrayBuffer()));
        expect(digest.part.size).to.equal(e - s);
      }
    } finally {
      single.dispose();
    }
  });

  it('runs parts in parallel and keeps each answer with its request', async () => {
    const file = makeFile(256 * 1024, 'par.bin', 6);
    const signal = new AbortController().signal;
    const ranges = [0, 1, 2, 3, 4, 5].map((i) => [i * 40_000, i * 40_000 + 40_000] as const);
    const digests = await Promise.all(ranges.map(([s, e]) => pool.digest(file, s, e, signal)));
    for (const [i, [s, e]] of ranges.entries()) {
      expect(digests[i]!.hex).to.equal(SparkMD5.ArrayBuffer.hash(await file.slice(s, e).arrayBuffer()));
    }
  });

  it('replaces a worker once it has hashed retireAfter bytes, and every digest stays right', async () => {
    const started: Worker[] = [];
    const recycling = new HashPool({
      size: 1,
      retireAfter: 100_000,
      workerFactory: () => {
        const worker = new Worker(new URL('../../../src/engine/md5.worker.ts', import.meta.url), { type: 'module' });
        started.push(worker);
        return worker;
      },
    });
    const file = makeFile(300_000, 'retire.bin', 7);
    const signal = new AbortController().signal;
    try {
      // 60 kB parts: the first worker goes after its second part (120 kB >= 100 kB), and so on.
      const ranges = [0, 1, 2, 3, 4].map((i) => [i * 60_000, i * 60_000 + 60_000] as const);
      const digests = await Promise.all(ranges.map(([s, e]) => recycling.digest(file, s, e, signal)));
      for (const [i, [s, e]] of ranges.entries())
        expect(digests[i]!.hex, `part ${i}`).to.equal(SparkMD5.ArrayBuffer.hash(await file.slice(s, e).arrayBuffer()));
      expect(started, 'workers started for 5 parts of 60 kB, 100 kB each').to.have.length(3);
    } finally {
      recycling.dispose();
    }
  });

  it('warm starts its workers before any digest, and the digests then use them', async () => {
    const started: Worker[] = [];
    const warmed = new HashPool({
      size: 2,
      workerFactory: () => {
        const worker = new Worker(new URL('../../../src/engine/md5.worker.ts', import.meta.url), { type: 'module' });
        started.push(worker);
        return worker;
      },
    });
    try {
      warmed.warm(1);
      expect(started, 'warm(1)').to.have.length(1);
      warmed.warm();
      warmed.warm();
      expect(started, 'warm() up to the pool size, once').to.have.length(2);
      const file = makeFile(200_000, 'warm.bin', 8);
      const signal = new AbortController().signal;
      const ranges = [0, 1, 2, 3].map((i) => [i * 50_000, i * 50_000 + 50_000] as const);
      const digests = await Promise.all(ranges.map(([s, e]) => warmed.digest(file, s, e, signal)));
      for (const [i, [s, e]] of ranges.entries())
        expect(digests[i]!.hex, `part ${i}`).to.equal(SparkMD5.ArrayBuffer.hash(await file.slice(s, e).arrayBuffer()));
      expect(started, 'no worker beyond the warmed ones').to.have.length(2);
    } finally {
      warmed.dispose();
    }
    warmed.warm();
    expect(started, 'a disposed pool starts nothing').to.have.length(2);
  });

  it('a warmed worker that cannot load fails the first digest with worker_failed, whenever its error comes', async () => {
    const broken = new HashPool({ workerFactory: () => new Worker(new URL('./no-such-worker.js', import.meta.url), { type: 'module' }) });
    broken.warm();
    // Its load error arrives while it is idle: the digest must not be handed to it and hang.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const late = await broken.digest(new Blob(['x']), 0, 1, new AbortController().signal).catch((e: UploadError) => e);
    broken.warm();
    // Or before it: the digest goes to the warmed worker, whose error fails it.
    const early = await broken.digest(new Blob(['x']), 0, 1, new AbortController().signal).catch((e: UploadError) => e);
    broken.dispose();
    expect((late as UploadError).code).to.equal('worker_failed');
    expect((early as UploadError).code).to.equal('worker_failed');
  });

  it('warm with a factory that throws starts nothing, and the digest says why', async () => {
    const throwing = new HashPool({
      workerFactory: () => {
        throw new Error('blocked by CSP');
      },
    });
    throwing.warm();
    const result = await throwing.digest(new Blob(['x']), 0, 1, new AbortController().signal).catch((e: UploadError) => e);
    throwing.dispose();
    expect((result as UploadError).code).to.equal('worker_failed');
  });

  it('a worker that never answers fails its part with worker_failed once the stall bound passes, and the next part gets a new worker', async () => {
    const started: string[] = [];
    const limits: number[] = [];
    let silent = true;
    const stalling = new HashPool({
      size: 1,
      stallLimit: (bytes) => {
        limits.push(bytes);
        return 500;
      },
      workerFactory: () => {
        const url = silent ? new URL('../../support/silent.worker.js', import.meta.url) : new URL('../../../src/engine/md5.worker.ts', import.meta.url);
        started.push(silent ? 'silent' : 'md5');
        return new Worker(url, { type: 'module' });
      },
    });
    const file = makeFile(50_000, 'stall.bin', 9);
    const signal = new AbortController().signal;
    try {
      const stuck = stalling.digest(file, 0, 20_000, signal);
      const queued = stalling.digest(file, 20_000, 50_000, signal);
      const [first, second] = await Promise.allSettled([stuck, queued]);
      for (const outcome of [first, second]) {
        expect(outcome.status).to.equal('rejected');
        const error = (outcome as PromiseRejectedResult).reason as UploadError;
        expect(error.code).to.equal(UploadErrorCode.WorkerFailed);
        expect(error.message).to.equal('The checksum worker stopped answering (no answer for a part in 1 s).');
      }
      expect(limits, 'the bound is asked for with the part size').to.deep.equal([20_000]);
      silent = false;
      const digest = await stalling.digest(file, 0, 20_000, signal);
      expect(digest.hex).to.equal(SparkMD5.ArrayBuffer.hash(await file.slice(0, 20_000).arrayBuffer()));
      expect(started).to.deep.equal(['silent', 'md5']);
    } finally {
      stalling.dispose();
    }
  });

  it('bounds a part by a minute plus a second a MB', () => {
    expect(stallLimitMs(0)).to.equal(60_000);
    expect(stallLimitMs(1)).to.equal(61_000);
    expect(stallLimitMs(64 * 1024 * 1024)).to.equal(60_000 + 68_000);
  });

  it('rejects with worker_failed when the worker cannot load', async () => {
    const broken = new HashPool({ workerFactory: () => new Worker(new URL('./no-such-worker.js', import.meta.url), { type: 'module' }) });
    const result = await broken.digest(new Blob(['x']), 0, 1, new AbortController().signal).catch((e: UploadError) => e);
    broken.dispose();
    expect((result as UploadError).code).to.equal('worker_failed');
  });
});

describe('protocol registry', () => {
  it('names only what was registered, says how to register, and takes adapter objects without a name', async () => {
    const { Uploader } = await import('../../../src/engine/uploader.js');
    const { registerProtocol, protocolNames } = await import('../../../src/engine/protocol-registry.js');
    const { tus } = await import('../../../src/protocols/tus.js');
    expect(() => new Uploader({ endpoint: '/x', protocol: 'carrier-pigeon' })).to.throw(/unknown `protocol` "carrier-pigeon".*registerProtocol/);
    // An adapter object needs no registration.
    new Uploader({ endpoint: '/x', protocol: tus }).destroy();
    registerProtocol({ ...tus, name: 'tus-as-pigeon' });
    expect(protocolNames()).to.include('tus-as-pigeon');
    expect(() => registerProtocol({ name: '' } as never)).to.throw(TypeError, /needs a `name`/);
    new Uploader({ endpoint: '/x', protocol: 'tus-as-pigeon' }).destroy();
  });
});
