// @ts-check
/**
 * The reference server (demo/server/main.ts) as a child process, for everything that needs
 * a real one: the node tests (test/node/main.test.ts), the end-to-end tests
 * (test/e2e/support.ts), the browser tests' per-file servers (ref-server-plugin.mjs) and
 * `npm run bench` (bench/servers.ts).
 *
 * Why one helper: each of them spawned main.ts, waited for its "listening on" line and
 * killed it on its own, with slightly different bounds. Here the start is bounded (the child
 * is killed when no ready line comes in time), an exit before listening rejects with the
 * child's exit code and stderr, the server must listen on 127.0.0.1, and every child still
 * running when this process exits is killed, so none outlives the run.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const READY = /listening on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
/** The tail of stderr kept for error messages. */
const STDERR_KEPT = 64 * 1024;

/** Children not yet exited; killed if this process exits first. */
const live = new Set();
let exitHook = false;
function killLive() {
  for (const child of live) child.kill('SIGKILL');
}

/** Thrown when the server exits before it listens; carries its exit code and stderr. */
export class ServerExitedError extends Error {
  /**
   * @param {number | null} code
   * @param {NodeJS.Signals | null} signal
   * @param {string} stderr
   */
  constructor(code, signal, stderr) {
    super(`the reference server exited (${code ?? signal}) before listening${stderr ? `:\n${stderr}` : ''}`);
    this.name = 'ServerExitedError';
    this.code = code;
    this.signal = signal;
    this.stderr = stderr;
  }
}

/**
 * @param {{
 *   dataDir: string,
 *   publicDir?: string,
 *   args?: string[],
 *   env?: Record<string, string | undefined>,
 *   port?: number,
 *   timeoutMs?: number,
 * }} options
 */
export function startReferenceServer(options) {
  const { dataDir, publicDir, args = [], env = {}, port = 0, timeoutMs = START_TIMEOUT_MS } = options;
  /** @type {NodeJS.ProcessEnv} */
  const childEnv = { ...process.env, ...env, PORT: String(port), DATA_DIR: dataDir };
  if (publicDir !== undefined) childEnv['PUBLIC_DIR'] = publicDir;
  // `undefined` in `env` removes a variable this process has.
  for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];

  const child = spawn(process.execPath, ['--import', 'tsx', 'demo/server/main.ts', ...args], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', killLive);
  }
  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
    if (stderr.length > STDERR_KEPT) stderr = stderr.slice(-STDERR_KEPT);
  });

  /** @param {{ hard?: boolean, timeoutMs?: number }} [how] */
  const stop = async (how = {}) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (how.hard) {
      child.kill('SIGKILL');
      await exited;
      return;
    }
    child.kill('SIGTERM');
    let timer;
    const late = new Promise((resolve) => {
      timer = setTimeout(() => resolve('late'), how.timeoutMs ?? STOP_TIMEOUT_MS);
    });
    const result = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (result === 'late') {
      child.kill('SIGKILL');
      await exited;
    }
  };

  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the reference server did not listen within ${timeoutMs} ms${stderr ? `:\n${stderr}` : ''}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const match = READY.exec(out);
      if (!match) return;
      clearTimeout(timer);
      const origin = match[1];
      if (new URL(origin).hostname !== '127.0.0.1') {
        child.kill('SIGKILL');
        reject(new Error(`the reference server listens on ${origin}, not on 127.0.0.1`));
        return;
      }
      resolve({ origin, child, pid: child.pid, exited, stderr: () => stderr, stop });
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      // After listening this changes nothing: a settled promise stays settled.
      reject(new ServerExitedError(code, signal, stderr));
    });
  });
}
