/**
 * Imported first: a browser whose Worker exists but cannot run module workers (Firefox
 * before 114, Safari before 15), which throws on `{ type: 'module' }`.
 */
const Native = globalThis.Worker;
class ClassicOnlyWorker extends Native {
  constructor(url: string | URL, options?: WorkerOptions) {
    if (options?.type === 'module') throw new TypeError('Module workers are not supported');
    super(url, options);
  }
}
globalThis.Worker = ClassicOnlyWorker;
