/** Types of server-process.mjs (the reference server as a child process, for the tests and the bench). */
import type { ChildProcess } from 'node:child_process';

export interface ReferenceServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  /** Settles when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The tail of what it wrote to stderr. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after `timeoutMs` (default 5 s); `hard`: SIGKILL at once (a crash). Resolves once it has exited. */
  stop(how?: { hard?: boolean; timeoutMs?: number }): Promise<void>;
}

export interface ReferenceServerOptions {
  /** DATA_DIR. */
  readonly dataDir: string;
  /** PUBLIC_DIR, when given ('' serves no pages). */
  readonly publicDir?: string;
  /** main.ts's arguments (`--demo`). */
  readonly args?: string[];
  /** Added to this process's environment; `undefined` removes a variable. */
  readonly env?: Record<string, string | undefined>;
  /** PORT; default 0 (ephemeral). */
  readonly port?: number;
  /** Bound on the start; default 20 s. */
  readonly timeoutMs?: number;
}

/** Thrown when the server exits before it listens. */
export class ServerExitedError extends Error {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

export function startReferenceServer(options: ReferenceServerOptions): Promise<ReferenceServer>;
