/**
 * What the bench watches inside the demo page, installed before the page's own scripts run
 * (`addInitScript`, which the page's Content-Security-Policy does not apply to):
 *
 * - every XMLHttpRequest's method, URL and body size, and when `send()` was called and the
 *   request ended: the element sends every request with XHR (src/engine/xhr-http-stack.ts),
 *   and the element has no hook for another HTTP stack, so this is how the bench knows that
 *   each byte was sent once, whatever part size the element chose. No upload listener is
 *   added (one would change which requests need a CORS preflight);
 * - long tasks of the page's main thread (PerformanceObserver `longtask`);
 * - what the element's md5 workers report with each digest (`timing`: ms reading the part,
 *   ms hashing it; src/engine/md5.worker.ts), by listening to the messages of every worker the
 *   page starts under the md5 worker's name.
 *
 * A string, not a function: tsx would wrap a function's inner names in a helper the page
 * does not have.
 */

export interface XhrRecord {
  readonly method: string;
  readonly url: string;
  /** Body size in bytes (0 without a body). */
  readonly bytes: number;
  readonly sendAt: number;
  /** `loadend`; absent while in flight. */
  readonly endAt?: number;
  readonly status?: number;
}

export interface LongTaskRecord {
  readonly startTime: number;
  readonly duration: number;
  /** What ran in it, from the Long Animation Frames API where Chromium has it: the scripts' invokers and their ms. */
  readonly cause?: string;
}

export interface HashRecord {
  /** When the page received the digest. */
  readonly at: number;
  readonly bytes: number;
  readonly readMs: number;
  readonly hashMs: number;
}

/** What the probes collected, as `window.benchProbes`. */
export interface Probes {
  readonly xhr: XhrRecord[];
  readonly longTasks: LongTaskRecord[];
  readonly hashes: HashRecord[];
  /** Long animation frames: when, and what ran (scripts; the render's ms). */
  readonly frames: Array<{ readonly startTime: number; readonly end: number; readonly scripts: string; readonly render: number }>;
}

export const PROBES_SCRIPT = `(() => {
  const probes = { xhr: [], longTasks: [], hashes: [], frames: [] };
  Object.defineProperty(window, 'benchProbes', { value: probes });

  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  const records = new WeakMap();
  XMLHttpRequest.prototype.open = function (method, url) {
    records.set(this, { method: String(method).toUpperCase(), url: new URL(String(url), location.href).href });
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function (body) {
    const record = records.get(this);
    if (record) {
      record.bytes = body == null ? 0 : typeof body === 'string' ? body.length : typeof body.size === 'number' ? body.size : typeof body.byteLength === 'number' ? body.byteLength : -1;
      record.sendAt = performance.now();
      probes.xhr.push(record);
      this.addEventListener('loadend', () => {
        record.endAt = performance.now();
        record.status = this.status;
      });
    }
    return send.apply(this, arguments);
  };

  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) probes.longTasks.push({ startTime: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // No longtask entries in this browser: the list stays empty, and the bench says so.
  }
  try {
    // Long animation frames name the scripts that ran (invoker, source function): the
    // long tasks' cause, so that one has a name.
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const scripts = (entry.scripts || []).map((s) => (s.invoker || '?') + (s.sourceFunctionName ? ' ' + s.sourceFunctionName : '') + ' ' + Math.round(s.duration) + ' ms');
        probes.frames.push({ startTime: entry.startTime, end: entry.startTime + entry.duration, scripts: scripts.join('; '), render: Math.round((entry.startTime + entry.duration) - (entry.renderStart || entry.startTime + entry.duration)) });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {
    // No longtask entries in this browser: the list stays empty, and the bench says so.
  }

  const NativeWorker = window.Worker;
  if (NativeWorker) {
    const Probed = function (url, options) {
      const worker = new NativeWorker(url, options);
      if (/md5/.test(String(options && options.name))) {
        worker.addEventListener('message', (event) => {
          const data = event.data;
          const timing = data && data.timing;
          if (timing) probes.hashes.push({ at: performance.now(), bytes: data.part ? data.part.size : 0, readMs: timing.readMs, hashMs: timing.hashMs });
        });
      }
      return worker;
    };
    Probed.prototype = NativeWorker.prototype;
    window.Worker = Probed;
  }
})();`;
