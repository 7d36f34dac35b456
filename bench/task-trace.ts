/**
 * What a long task on the page's main thread spent its time on: one more upload, traced with
 * Chromium's tracing (`toplevel`, `devtools.timeline`), gives every main-thread task its wall
 * time and the CPU time the thread really ran (`tdur`), and what the task was (a frame, a
 * network event, a worker's message, input). A task whose CPU time is a small share of its
 * wall time waited for a core: on a machine whose cores are busy with the server, the md5
 * workers and the browser's own processes, that is the machine, not the page's code.
 */
import type { Browser, Page } from 'playwright';
import type { RunHooks } from './modes.js';

/** What the longtask entry type counts: tasks of 50 ms or more. */
export const LONG_MS = 50;

const CATEGORIES = ['toplevel', 'devtools.timeline', 'v8'];

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { readonly name?: string; readonly src_func?: string; readonly data?: { readonly type?: string; readonly functionName?: string } };
}

export interface TracedTask {
  /** Wall time, ms. */
  readonly wallMs: number;
  /** CPU time of the main thread during the task, ms. */
  readonly cpuMs: number;
  /** When it started, ms after the input's change event. */
  readonly atMs: number;
  /** What the task was, in words. */
  readonly what: string;
}

export interface TaskTrace {
  /** Every main-thread task from the change event to `upload-success`. */
  readonly tasks: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** The tasks of LONG_MS or more. */
  readonly long: readonly TracedTask[];
  readonly spanMs: number;
}

/** Where Chromium posted a task from, as a person would say it. */
const KIND: Record<string, string> = {
  ScheduledActionSendBeginMainFrame: 'a frame (script callbacks, style, layout, paint)',
  Notify: 'a network event (an XHR progress or load)',
  PostMessageToWorkerObject: "an md5 worker's message",
  Accept: 'input (the change event)',
};

/** Hooks that trace one element upload; `result()` reads the trace once the upload is over. */
export function taskTracing(browser: Browser): { hooks: RunHooks; result: () => TaskTrace } {
  let trace: TaskTrace | undefined;
  const hooks: RunHooks = {
    prepare: async (page: Page) => {
      await browser.startTracing(page, { categories: CATEGORIES });
    },
    after: async () => {
      const buffer = await browser.stopTracing();
      trace = readTrace(JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] });
    },
  };
  return {
    hooks,
    result: () => {
      if (!trace) throw new Error('task trace: the traced upload left no trace');
      return trace;
    },
  };
}

function readTrace({ traceEvents }: { traceEvents: TraceEvent[] }): TaskTrace {
  const dispatch = (type: string) => traceEvents.filter((e) => e.name === 'EventDispatch' && e.ph === 'X' && e.args?.data?.type === type);
  const change = dispatch('change')[0];
  if (!change) throw new Error('task trace: no change event in the trace');
  const success = dispatch('upload-success').find((e) => e.pid === change.pid && e.tid === change.tid);
  if (!success) throw new Error('task trace: no upload-success event in the trace');
  const onMain = (e: TraceEvent) => e.pid === change.pid && e.tid === change.tid && e.ph === 'X';
  const tasks = traceEvents.filter((e) => onMain(e) && e.name === 'ThreadControllerImpl::RunTask' && e.ts + (e.dur ?? 0) >= change.ts && e.ts <= success.ts);
  const start = Math.min(...tasks.map((t) => t.ts));
  const long = tasks
    .filter((t) => (t.dur ?? 0) >= LONG_MS * 1000)
    .map((t): TracedTask => {
      const calls = traceEvents.filter((e) => onMain(e) && e.name === 'FunctionCall' && e.ts >= t.ts && e.ts < t.ts + (t.dur ?? 0));
      const names = [...new Set(calls.map((c) => c.args?.data?.functionName).filter((n): n is string => !!n))].slice(0, 3);
      const kind = KIND[t.args?.src_func ?? ''] ?? `a task from ${t.args?.src_func ?? 'an unknown source'}`;
      return {
        wallMs: (t.dur ?? 0) / 1000,
        cpuMs: (t.tdur ?? 0) / 1000,
        atMs: (t.ts - change.ts) / 1000,
        what: names.length ? `${kind}; script: ${names.join(', ')}` : kind,
      };
    });
  return {
    tasks: tasks.length,
    wallMs: tasks.reduce((a, t) => a + (t.dur ?? 0), 0) / 1000,
    cpuMs: tasks.reduce((a, t) => a + (t.tdur ?? 0), 0) / 1000,
    long,
    spanMs: (success.ts + (success.dur ?? 0) - start) / 1000,
  };
}
