// @ts-check
/**
 * A web-test-runner plugin that gives every test file (browser session) its own
 * reference server (a real child process on an ephemeral port, its own DATA_DIR) and
 * its own fault-injecting proxy in front of it. Faults exist only here, in the tests:
 * the demo server has no hook for them.
 *
 * Test files named `*.s3.test.ts` get a reference server in its S3 mode: its /signed-parts
 * keeps parts in a real S3 (Ceph's RADOS Gateway, test/support/radosgw.mjs, one for the
 * whole run, started on first use), reached through a second fault proxy, the "store"
 * proxy, whose origin is the S3_ENDPOINT the server presigns for. The browser then PUTs
 * parts to another origin than the API's, and the store proxy's log shows exactly what
 * the object store received.
 *
 * Browser tests reach it with `executeServerCommand` (see test/support/ref-server.ts).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import yazl from 'yazl';
import { startFaultProxy } from './fault-proxy.mjs';
import { startRadosgw } from './radosgw.mjs';
import { startReferenceServer } from './server-process.mjs';

/** Starts `demo/server/main.ts` with PORT (0 = ephemeral) and resolves with it (server-process.mjs: bounded, killed on exit). */
function startServer(dataDir, port = 0, extraEnv = {}, corsOrigins = '') {
  return startReferenceServer({
    dataDir,
    port,
    env: {
      // The phased API's tokens for the tests: one with every scope, one that may only upload.
      API_TOKENS: 'test-full-token=assets,assets_publish,assets_delete;test-upload-only=assets',
      // The test page's origin (the runner's): the server grants credentials (asset-library's
      // with-credentials test) only to listed origins (cors.ts).
      CORS_ORIGINS: corsOrigins,
      // Small windows, so test files span several chunks.
      PHASED_CHUNK_SIZE: String(64 * 1024),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...extraEnv,
    },
  });
}

/** Starts recording the page's console warnings and errors, where the launcher exposes the page. */
function watchConsole(session) {
  const record = { watched: false, messages: [] };
  const page = typeof session.browser?.getPage === 'function' ? session.browser.getPage(session.id) : undefined;
  if (!page || typeof page.on !== 'function') return record;
  page.on('console', (message) => {
    const type = typeof message.type === 'function' ? message.type() : String(message.type);
    if (type === 'error' || type === 'warning' || type === 'warn') record.messages.push(`${type}: ${message.text()}`);
  });
  page.on('pageerror', (error) => record.messages.push(`pageerror: ${error?.message ?? error}`));
  record.watched = true;
  return record;
}

export function refServerPlugin() {
  /** @type {Map<string, any>} session id -> { server, origin, dataDir, proxy } */
  const sessions = new Map();
  const starting = new Map();
  /** The origins test pages are served from, set in serverStart. */
  let pageOrigins = '';

  /** @type {Promise<any> | undefined} one RADOS Gateway for the run, started on first use */
  let radosgw;
  const sharedRadosgw = () => {
    radosgw ??= startRadosgw();
    return radosgw;
  };

  async function sessionFor(id, testFile) {
    if (sessions.has(id)) return sessions.get(id);
    if (!starting.has(id)) {
      starting.set(
        id,
        (async () => {
          const dataDir = await mkdtemp(join(tmpdir(), 'asset-uploader-test-'));
          let storeProxy;
          let baseEnv = {};
          if (/\.s3\.test\.ts$/.test(testFile ?? '')) {
            const rgw = await sharedRadosgw();
            storeProxy = await startFaultProxy(rgw.endpoint);
            baseEnv = {
              S3_ENDPOINT: storeProxy.origin,
              S3_BUCKET: rgw.bucket,
              S3_REGION: rgw.region,
              S3_ACCESS_KEY: rgw.accessKey,
              S3_SECRET_KEY: rgw.secretKey,
            };
          }
          const server = await startServer(dataDir, 0, baseEnv, pageOrigins);
          /** @type {any} */
          const session = { server, origin: server.origin, dataDir, storeProxy, baseEnv };
          // The proxy's `kill` fault: a crash mid-request, then the server comes back.
          session.proxy = await startFaultProxy(server.origin, { kill: () => restart(session) });
          sessions.set(id, session);
          return session;
        })(),
      );
    }
    return starting.get(id);
  }

  /** A hard kill, as a crash (only what the server acknowledged may survive), then a new process on the same port and data. */
  async function restart(s, env = {}) {
    const port = Number(new URL(s.origin).port);
    await s.server.stop({ hard: true });
    s.server = await startServer(s.dataDir, port, { ...s.baseEnv, ...env }, pageOrigins);
    s.origin = s.server.origin;
  }

  async function stopSession(session) {
    await session.server.stop({ hard: true });
    await session.proxy.close();
    await session.storeProxy?.close();
    await rm(session.dataDir, { recursive: true, force: true });
  }

  /** The log of both proxies in the order the requests arrived, each entry saying who received it. */
  function logOf(s) {
    const api = s.proxy.log().map((entry) => ({ ...entry, target: entry.path.startsWith('/signed-parts/store/') ? 'store' : 'api' }));
    const store = s.storeProxy ? s.storeProxy.log().map((entry) => ({ ...entry, target: 'store' })) : [];
    return [...api, ...store].sort((a, b) => a.seq - b.seq);
  }

  return {
    name: 'ref-server',
    serverStart({ config }) {
      const port = config.port ?? 8000;
      pageOrigins = [...new Set([config.hostname ?? 'localhost', 'localhost', '127.0.0.1'])].map((host) => `http://${host}:${port}`).join(',');
    },
    async serverStop() {
      await Promise.all([...sessions.values()].map(stopSession));
      sessions.clear();
      if (radosgw) await (await radosgw.catch(() => undefined))?.stop();
    },
    async executeCommand({ command, payload, session }) {
      if (!command.startsWith('ref-')) return undefined;
      const s = await sessionFor(session.id, session.testFile);
      switch (command) {
        case 'ref-server':
          return { proxy: s.proxy.origin, direct: s.origin };
        case 'ref-faults': {
          const rules = payload?.rules ?? [];
          const toStore = (rule) => rule.target === 'store' && s.storeProxy;
          s.proxy.setRules(rules.filter((rule) => !toStore(rule)));
          s.storeProxy?.setRules(rules.filter(toStore));
          return true;
        }
        case 'ref-log':
          return logOf(s);
        case 'ref-log-clear':
          s.proxy.clearLog();
          s.storeProxy?.clearLog();
          return true;
        case 'ref-s3-object': {
          // The object as the S3 holds it, read with the SDK (not through the server under test).
          const rgw = await sharedRadosgw();
          const client = new S3Client({
            endpoint: rgw.endpoint,
            region: rgw.region,
            forcePathStyle: true,
            credentials: { accessKeyId: rgw.accessKey, secretAccessKey: rgw.secretKey },
          });
          try {
            const object = await client.send(new GetObjectCommand({ Bucket: rgw.bucket, Key: String(payload?.key) }));
            const bytes = Buffer.from(await object.Body.transformToByteArray());
            return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
          } catch (error) {
            if (error?.name === 'NoSuchKey') return { missing: true };
            throw error;
          } finally {
            client.destroy();
          }
        }
        case 'ref-stored': {
          // Where each API keeps an upload's bytes and record, by upload id.
          const layouts = {
            'content-range': { bytes: (id) => `${id}.bin`, record: (id) => `${id}.json`, id: /^[0-9a-f]{32}$/ },
            tus: { bytes: (id) => id, record: (id) => `${id}.json`, id: /^[A-Za-z0-9_-]{8,64}$/ },
            'tus-md5': { bytes: (id) => id, record: (id) => `${id}.json`, id: /^[A-Za-z0-9_-]{8,64}$/ },
            phased: { bytes: (id) => `${id}.bin`, record: (id) => `${id}.json`, id: /^[0-9a-f]{32}$/ },
            'session-assets': { dir: 'session', bytes: (id) => `assets/${id}.bin`, record: (id) => `assets/${id}.json`, id: /^[0-9a-f]{32}$/ },
          };
          const store = String(payload?.store ?? 'content-range');
          const layout = layouts[store];
          const id = String(payload?.id ?? '');
          if (!layout?.id.test(id)) throw new Error(`not an upload id of ${store}: ${id}`);
          const dir = join(s.dataDir, layout.dir ?? store);
          const bin = join(dir, layout.bytes(id));
          const text = await readFile(join(dir, layout.record(id)), 'utf8').catch((error) => {
            if (error.code === 'ENOENT') return null;
            throw error;
          });
          if (text === null) return { missing: true }; // (null would read as "command not handled")
          const record = JSON.parse(text);
          const bytes = await readFile(bin);
          return { size: (await stat(bin)).size, sha256: createHash('sha256').update(bytes).digest('hex'), record };
        }
        case 'ref-make-zip': {
          // A real zip (yazl) with the given entries, for the session API's processing.
          const zip = new yazl.ZipFile();
          for (const entry of payload?.entries ?? []) zip.addBuffer(Buffer.from(String(entry.text)), String(entry.name));
          zip.end();
          const chunks = [];
          for await (const chunk of zip.outputStream) chunks.push(chunk);
          return { base64: Buffer.concat(chunks).toString('base64') };
        }
        case 'ref-restart': {
          await restart(s, payload?.env ?? {});
          return { direct: s.origin };
        }
        case 'ref-console': {
          // Warnings and errors the browser itself logged in this test file's page (a refused
          // header, a CSP violation, an uncaught error): page.on('console') where the launcher
          // gives the page (Playwright for Chromium, puppeteer for Firefox). WebDriver classic
          // (WebKit) has no console events; there the in-page watch of the harness is all.
          s.console ??= watchConsole(session);
          const messages = s.console.messages.splice(0);
          return { watched: s.console.watched, messages };
        }
        case 'ref-env':
          // What a test file may be told from the command line (the fault suite's seeds).
          return { FAULT_SEED: process.env.FAULT_SEED ?? '', FAULT_SOAK: process.env.FAULT_SOAK ?? '' };
        case 'ref-stop': {
          await s.server.stop({ hard: true });
          return true;
        }
        case 'ref-start': {
          const port = Number(new URL(s.origin).port);
          s.server = await startServer(s.dataDir, port, s.baseEnv, pageOrigins);
          s.origin = s.server.origin;
          return { direct: s.origin };
        }
        default:
          throw new Error(`unknown command ${command}`);
      }
    },
  };
}
