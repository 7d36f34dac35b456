/**
 * What the bench starts, it stops: bounded child processes, cleanup steps run in reverse
 * order at the end (also on Ctrl-C), and a last resort on exit that kills every child still
 * running and removes the temporary folder. Also the small helpers every part uses (log,
 * withTimeout, check).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { ROOT } from './config.js';

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`bench check failed: ${message}`);
}

/** Runs a child to completion, bounded; output is kept for the error message. */
export function runBounded(command: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    notStopping();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} took longer than ${timeoutMs / 1000} s\n${output}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (${code ?? signal})\n${output}`));
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      children.delete(child);
      reject(err);
    });
  });
}

// ---------------------------------------------------------------------------
// Cleanup: everything started here is stopped here, also on Ctrl-C.

const children = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void>> = [];
let cleaned: Promise<void> | undefined;

/** A child started elsewhere (the reference servers) that must not outlive the bench. */
export function track(child: ChildProcess): void {
  children.add(child);
}

export function untrack(child: ChildProcess): void {
  children.delete(child);
}

/** A step of the cleanup; the steps run in reverse order of registration. */
export function onCleanup(step: () => Promise<void>): void {
  cleanups.push(step);
}

export function cleanup(): Promise<void> {
  cleaned ??= (async () => {
    for (const step of cleanups.reverse()) {
      await withTimeout(step(), 15_000, 'cleanup step').catch((err: unknown) => console.error('bench cleanup:', err));
    }
    for (const child of children) child.kill('SIGKILL');
  })();
  return cleaned;
}

// Last resort, whatever way the process ends: nothing it started may outlive it.
let workDir: string | undefined;
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** The run's temporary folder, removed on exit whatever happens. */
export function removeOnExit(dir: string): void {
  workDir = dir;
}

let signalled = false;

/** Called before starting anything: after a signal, nothing new starts. */
export function notStopping(): void {
  if (signalled) throw new Error('bench: stopping');
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (signalled) {
      // A second signal: no more waiting.
      for (const child of children) child.kill('SIGKILL');
      process.exit(130);
    }
    signalled = true;
    console.error(`\nbench: ${signal}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
