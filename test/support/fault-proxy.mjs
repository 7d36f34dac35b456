// @ts-check
/**
 * A proxy between the browser and the reference server that injects faults on demand
 * and records what passed: the tests' way to make 5xx, 429, resets, corrupted bytes,
 * moved locations and slow links real, without any hook in the server itself.
 *
 * A rule: { method?, path? (substring), contentRange? (substring of the Content-Range header,
 *   e.g. 'bytes 0-' for a part and not a status query), nth? (1-based among matching requests,
 *   default 1), times? (default 1), action } with action one of
 *   { type: 'status', status, headers?, body? }   answer instead of the server
 *   { type: 'reset' }                              forward half the body, then cut both sockets
 *   { type: 'corrupt' }                            flip one byte of the body, keep the headers
 *   { type: 'location', to: 'moved' | 'foreign' }  forward, then rewrite the answer's Location
 *   { type: 'throttle', bytesPerSecond }           forward the body slowly
 *   { type: 'delay', ms }                          hold the request this long (at most 10 s), then forward it
 *   { type: 'lose-answer' }                        forward, let the server answer, then cut the browser's connection
 *   { type: 'hang' }                               forward half the body, then go silent on both sides without closing
 *                                                  (a half-open connection: a laptop lid closed); ends when the
 *                                                  browser gives up, or after 60 s
 *   { type: 'kill' }                               forward half the body, then have the server process killed
 *                                                  (SIGKILL) and started again (`hooks.kill`), as a crash
 * Preflights (OPTIONS) are always forwarded and never matched unless a rule names them.
 * `/moved/...` paths are forwarded without the prefix, so a moved upload still works.
 */
import http from 'node:http';

/** Resolves when `stream` can take more, or rejects when it closes first. */
function drained(stream) {
  return new Promise((resolve, reject) => {
    const done = (error) => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      error ? reject(error) : resolve(undefined);
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('upstream closed'));
    stream.once('drain', onDrain);
    stream.once('close', onClose);
  });
}

/** Arrival order across every proxy of the process (the API's and the store's), so their logs merge in time. */
let arrivals = 0;

/**
 * @param {string} target
 * @param {{ kill?: () => Promise<void> }} [hooks] `kill`: SIGKILL the server and start it again (the `kill` action)
 */
export async function startFaultProxy(target, hooks = {}) {
  const upstream = new URL(target);
  let rules = [];
  let entries = [];
  const sockets = new Set();

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function cors(req) {
    return {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'Range, Location, Retry-After',
      vary: 'Origin',
    };
  }

  function pick(req) {
    for (const rule of rules) {
      if (rule.method ? rule.method !== req.method : req.method === 'OPTIONS') continue;
      if (rule.path && !req.url.includes(rule.path)) continue;
      if (rule.contentRange && !(req.headers['content-range'] ?? '').includes(rule.contentRange)) continue;
      rule.seen = (rule.seen ?? 0) + 1;
      if (rule.seen < (rule.nth ?? 1) || (rule.fired ?? 0) >= (rule.times ?? 1)) continue;
      rule.fired = (rule.fired ?? 0) + 1;
      return rule;
    }
    return undefined;
  }

  async function handle(req, res) {
    const rule = pick(req);
    const action = rule?.action;
    const entry = {
      method: req.method,
      path: req.url,
      contentRange: req.headers['content-range'] ?? null,
      contentMd5: req.headers['content-md5'] ?? null,
      contentType: req.headers['content-type'] ?? null,
      authorization: req.headers['authorization'] ?? null,
      uploadOffset: req.headers['upload-offset'] ?? null,
      uploadChecksum: req.headers['upload-checksum'] ?? null,
      preflight: req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined,
      bodyBytes: 0,
      status: 0,
      fault: action?.type ?? null,
      seq: ++arrivals,
    };
    entries.push(entry);
    const path = req.url.startsWith('/moved/') ? req.url.slice('/moved'.length) : req.url;

    if (action?.type === 'status') {
      for await (const chunk of req) entry.bodyBytes += chunk.length;
      entry.status = action.status;
      res.writeHead(action.status, { ...cors(req), 'content-type': 'application/json', ...(action.headers ?? {}) });
      res.end(action.body ?? JSON.stringify({ error: { code: 'injected', message: `injected ${action.status}` } }));
      return;
    }

    if (action?.type === 'delay') await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, action.ms)));
    const headers = { ...req.headers };
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers });
    const answered = new Promise((resolve, reject) => {
      forward.on('response', resolve);
      forward.on('error', reject);
    });
    answered.catch(() => undefined);
    // A server may answer before it has read the body (S3 refusing an expired URL does):
    // then the rest of the body is read and dropped, and the answer goes back as usual.
    let early = false;
    answered.then(
      () => (early = true),
      () => undefined,
    );

    const length = Number(req.headers['content-length'] ?? 0);
    try {
      if (action?.type === 'corrupt') {
        const chunks = [];
        for await (const chunk of req) chunks.push(chunk);
        const body = Buffer.concat(chunks);
        entry.bodyBytes = body.length;
        if (body.length > 0) body[Math.floor(body.length / 2)] ^= 0xff;
        forward.end(body);
      } else {
        for await (const chunk of req) {
          if ((action?.type === 'hang' || action?.type === 'kill') && entry.bodyBytes + chunk.length >= length / 2) {
            forward.write(chunk.subarray(0, Math.max(0, Math.floor(length / 2) - entry.bodyBytes)));
            entry.bodyBytes = Math.floor(length / 2);
            break;
          }
          if (action?.type === 'reset' && entry.bodyBytes + chunk.length >= length / 2) {
            forward.write(chunk.subarray(0, Math.max(0, Math.floor(length / 2) - entry.bodyBytes)));
            entry.bodyBytes = Math.floor(length / 2);
            forward.destroy();
            req.socket.destroy();
            entry.status = -1;
            return;
          }
          // Throttle before forwarding, so a body cut during the wait never reached the server.
          if (action?.type === 'throttle') await new Promise((resolve) => setTimeout(resolve, Math.min(5000, (chunk.length / action.bytesPerSecond) * 1000)));
          entry.bodyBytes += chunk.length;
          if (early) continue;
          if (forward.destroyed) throw new Error('upstream gone');
          if (!forward.write(chunk)) await Promise.race([drained(forward), answered]);
        }
        if (action?.type === 'hang') {
          // Silent, not closed: the server holds a request that never ends, the browser a
          // request that never answers. Whoever gives up first (the browser's stall timeout,
          // the server's release of a silent writer) ends it; 60 s bound the test.
          entry.status = -1;
          await new Promise((resolve) => {
            const timer = setTimeout(resolve, 60_000);
            req.socket.once('close', () => {
              clearTimeout(timer);
              resolve(undefined);
            });
            forward.once('close', () => {
              clearTimeout(timer);
              resolve(undefined);
            });
          });
          forward.destroy();
          req.socket.destroy();
          return;
        }
        if (action?.type === 'kill') {
          entry.status = -1;
          await hooks.kill?.();
          forward.destroy();
          req.socket.destroy();
          return;
        }
        if (action?.type === 'reset') {
          // No body to cut (a status query): cut the connection instead.
          forward.destroy();
          req.socket.destroy();
          entry.status = -1;
          return;
        }
        if (!early) forward.end();
      }
    } catch {
      if (length > 0 && entry.bodyBytes >= length && !forward.destroyed) {
        // Every byte went through; only the browser left. The server still answers: record it.
        forward.end();
        entry.status = await answered.then(
          (r) => r.statusCode ?? 0,
          () => -2,
        );
        return;
      }
      // The browser went away mid-body (pause, teardown), or the server did (killed):
      // the other side must see it too.
      forward.destroy();
      entry.status = -2;
      // A dead server resets its connections: mirror that to the browser.
      res.socket?.destroy();
      return;
    }

    const response = await answered;
    entry.status = response.statusCode ?? 0;
    if (action?.type === 'lose-answer') {
      // The server did the work; the browser never hears of it.
      response.resume();
      res.socket?.destroy();
      return;
    }
    const out = { ...response.headers };
    if (action?.type === 'location') {
      const here = `http://${req.headers.host}`;
      const moved = new URL(path, here);
      out.location = action.to === 'foreign' ? new URL(path, target).href : `${here}/moved${moved.pathname}`;
    }
    res.writeHead(response.statusCode ?? 502, out);
    response.pipe(res);
  }

  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    setRules(next) {
      rules = next.map((rule) => ({ ...rule, seen: 0, fired: 0 }));
    },
    log: () => entries,
    clearLog() {
      entries = [];
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve(undefined));
      }),
  };
}
