/**
 * Body readers that start late: a handler reads the body only after it waited for the
 * upload's lock and loaded a record, and by then the client may be gone, its 'close'
 * already passed. A reader that only listened for 'close' then waited for good and held
 * the lock (seen in the fault suite: phased, reset, WebKit under load). Each reader must
 * fail at once for a request whose client already left.
 *
 * Run: node --test --import tsx test/node/core/late-readers.test.ts
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { readBody } from '../../../demo/server/core/http.js';
import { readForm } from '../../../demo/server/phased/form.js';

const servers: Array<ReturnType<typeof createServer>> = [];
after(() => {
  for (const server of servers) server.closeAllConnections();
  return Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Bounded: a reader that hangs fails the test here. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} still waits after 5 s`)), 5_000).unref())]);
}

/** A request whose client sent its headers and half its body, then left; `read` starts only after its 'close'. */
async function lateReader(headers: string, read: (req: IncomingMessage) => Promise<unknown>): Promise<unknown> {
  let outcome!: Promise<unknown>;
  const started = new Promise<void>((resolve) => {
    const server = createServer((req) => {
      req.once('close', () => {
        outcome = read(req).then(
          () => 'resolved',
          (error: unknown) => error,
        );
        resolve();
      });
    });
    servers.push(server);
    server.listen(0, '127.0.0.1', () => {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write(`POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Length: 1000\r\n\r\n${'a'.repeat(500)}`, () =>
        setTimeout(() => socket.destroy(), 50),
      );
    });
  });
  await started;
  return within(outcome, 'the reader');
}

describe('body readers that start after the client left', () => {
  it('readBody rejects as incomplete', async () => {
    const result = await lateReader('Content-Type: application/json\r\n', (req) =>
      readBody(req, 64 * 1024, { tooLarge: () => new Error('too large'), incomplete: () => new Error('incomplete') }),
    );
    assert.ok(result instanceof Error);
    assert.equal(result.message, 'incomplete');
  });

  it('the phased form reader rejects as malformed', async () => {
    const result = await lateReader('Content-Type: multipart/form-data; boundary=b\r\n', (req) =>
      readForm(req, 1000, { field: () => {}, file: async (_name, stream) => void stream.resume() }),
    );
    assert.ok(result instanceof Error, String(result));
    assert.match(result.message, /went away/);
  });
});
