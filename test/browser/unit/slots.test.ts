/**
 * Concurrency slots: a slot is for moving bytes. A file that only waits (for a batch
 * commit, for the server's processing) gives its slot back, so the files it waits for
 * can start. Checked with a protocol whose finish step waits for every file of the drop,
 * as the session API's commit does, and with more files than slots.
 */
import { expect } from '@esm-bundle/chai';
import { Uploader } from '../../../src/engine/uploader.js';
import type { Protocol, ProtocolUpload } from '../../../src/engine/protocol.js';
import { MemoryResumeStore } from '../../../src/engine/resume-store.js';
import { makeFile } from '../../support/data.js';
import { nextEvent } from '../../support/harness.js';

/** Files of one drop finish only together; counts how many send at the same time. */
function waitingForAllProtocol(files: number) {
  let sending = 0;
  let mostSending = 0;
  let finished = 0;
  const everyoneThere: Array<() => void> = [];
  const protocol: Protocol = {
    name: 'waits-for-all',
    capabilities: { ordered: true, partChecksum: 'none' },
    create: (_context, target): ProtocolUpload => {
      let offset = 0;
      return {
        open: async () => ({ offset }),
        saveState: () => undefined,
        sync: async () => ({ offset }),
        send: async (part) => {
          sending++;
          mostSending = Math.max(mostSending, sending);
          await new Promise((resolve) => setTimeout(resolve, 5));
          sending--;
          offset = part.end;
          return { offset };
        },
        complete: async () => {
          finished++;
          if (finished === files) for (const wake of everyoneThere.splice(0)) wake();
          else await new Promise<void>((resolve) => everyoneThere.push(resolve));
          return { id: target.name, raw: null };
        },
        abort: async () => {},
      };
    },
  };
  return { protocol, mostSending: () => mostSending };
}

describe('concurrency slots', () => {
  for (const [count, concurrency] of [
    [3, 1],
    [3, 2],
    [7, 2],
    [7, 1],
  ] as const) {
    it(`${count} files that finish together, concurrency ${concurrency}: all succeed, never more than ${concurrency} sending`, async () => {
      const { protocol, mostSending } = waitingForAllProtocol(count);
      const uploader = new Uploader({
        endpoint: 'https://api.example.test/',
        protocol,
        concurrency,
        chunkSize: 1000,
        resumeStore: new MemoryResumeStore(),
        checksum: false,
        support: { slice: true, worker: true, uploadProgress: true },
      });
      const complete = nextEvent(uploader, 'upload-complete', () => true, 10_000);
      uploader.add(Array.from({ length: count }, (_, i) => makeFile(2500, `f${i}.bin`, i + 1)));
      const { detail } = await complete;
      expect(detail.failed.map((u) => u.error?.message).join(' | ')).to.equal('');
      expect(detail.successful.map((u) => u.name).sort()).to.deep.equal(Array.from({ length: count }, (_, i) => `f${i}.bin`));
      expect(mostSending()).to.be.at.most(concurrency);
      uploader.destroy();
    });
  }
});
