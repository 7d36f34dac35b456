/**
 * One writer per server upload, across tabs: a Web Lock (`navigator.locks`) named after
 * the upload's resume key is held for as long as a job works on it. Two tabs (or two
 * elements) given the same file would otherwise both re-attach to the same saved upload
 * and append to it at the same time. The second one waits, holding no concurrency slot,
 * and takes over when the first lets go: it finished, failed, was paused or cancelled,
 * or its tab closed (the browser then releases the lock itself).
 *
 * Where Web Locks are missing, nothing is locked: the behaviour before this existed.
 */

/** The part of `LockManager` used here (injectable for tests and other runtimes). */
export interface LockManagerLike {
  request(name: string, options: LockOptions, callback: (lock: Lock | null) => Promise<void> | void): Promise<unknown>;
}

/** Gives a held lock back; calling it again does nothing. */
export type ReleaseLock = () => void;

/** The page's lock manager, or undefined where there is none. */
export function defaultLocks(): LockManagerLike | undefined {
  return (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
}

/** Takes the lock if it is free now: its release, or undefined when someone else holds it. */
export function tryLock(locks: LockManagerLike, name: string): Promise<ReleaseLock | undefined> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(undefined);
          return;
        }
        return new Promise<void>((release) => resolve(once(release)));
      })
      .catch(reject);
  });
}

/** Waits until the lock is ours; rejects (AbortError) when `signal` aborts first. */
export function waitForLock(locks: LockManagerLike, name: string, signal: AbortSignal): Promise<ReleaseLock> {
  return new Promise((resolve, reject) => {
    locks.request(name, { signal }, () => new Promise<void>((release) => resolve(once(release)))).catch(reject);
  });
}

function once(release: () => void): ReleaseLock {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    release();
  };
}
