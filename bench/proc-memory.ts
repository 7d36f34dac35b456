/**
 * Memory of the browser's processes as Linux sees it: the resident set (VmRSS) and its high-water
 * mark (VmHWM) from /proc/<pid>/status of every Chromium process started by this bench, the
 * page's renderer (the page and its dedicated workers, which run in the page's renderer process)
 * apart from the others (browser, network service, GPU and utility processes).
 *
 * Only this process's descendants are read (/proc/<pid>/task/<tid>/children, walked from
 * here), so a sample costs a few small reads, not a scan of every process on the machine.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One look at the browser's processes. */
interface Snapshot {
  /** VmRSS and VmHWM of each renderer process, bytes. */
  readonly renderers: Map<number, { rss: number; hwm: number }>;
  /** Sum of VmRSS over every Chromium process, bytes. */
  readonly chromium: number;
}

/** The page's renderer process (see sampleWhile) and the whole browser, over one upload. */
export interface MemoryUse {
  readonly pid: number;
  /** Its VmRSS at the first sample (the page loaded, nothing sent yet), bytes. */
  readonly before: number;
  /** Its largest VmRSS sampled, bytes. */
  readonly peak: number;
  /** Its own high-water mark (VmHWM) at the end: a peak between samples too, and the page's load. */
  readonly hwm: number;
  /** Sum of VmRSS over every Chromium process: first sample, and the largest. */
  readonly chromiumBefore: number;
  readonly chromiumPeak: number;
  /** Renderer processes seen, and samples taken. */
  readonly renderers: number;
  readonly samples: number;
  /** The renderer's VmRSS at every sample, in order, bytes: whether it levels off or keeps growing. */
  readonly series: readonly number[];
}

function descendants(root: number): number[] {
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // gone meanwhile
    }
    for (const tid of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
      } catch {
        // gone, or a kernel without the children file
      }
      for (const child of children.split(' ').filter(Boolean).map(Number)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

const kib = (status: string, field: string): number => {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : 0;
};

/** One sample; undefined where /proc is missing (not Linux). */
function snapshot(): Snapshot | undefined {
  try {
    readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const renderers = new Map<number, { rss: number; hwm: number }>();
  let chromium = 0;
  for (const pid of descendants(process.pid)) {
    let cmd: string;
    let status: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue;
    }
    if (!/chrom/i.test(cmd)) continue;
    const rss = kib(status, 'VmRSS');
    chromium += rss;
    if (cmd.includes('--type=renderer')) renderers.set(pid, { rss, hwm: kib(status, 'VmHWM') });
  }
  return { renderers, chromium };
}

/**
 * Samples every `intervalMs` until stopped. The page's renderer is taken to be the renderer
 * process with the largest sampled RSS: the one reading and hashing the file (the others are a
 * spare renderer, idle, and those of pages already closed, on their way out). Summing them all
 * would count each one's shared libraries again and make the figure depend on how many there are.
 */
export function sampleWhile(intervalMs: number): { stop(): MemoryUse | undefined } {
  const first = snapshot();
  if (!first) return { stop: () => undefined };
  const seen = new Map<number, { before: number; peak: number; hwm: number; series: number[] }>();
  let chromiumPeak = first.chromium;
  let samples = 0;
  const take = (shot: Snapshot | undefined): void => {
    if (!shot) return;
    samples++;
    chromiumPeak = Math.max(chromiumPeak, shot.chromium);
    for (const [pid, { rss, hwm }] of shot.renderers) {
      const known = seen.get(pid);
      if (known) {
        known.peak = Math.max(known.peak, rss);
        known.hwm = Math.max(known.hwm, hwm);
        known.series.push(rss);
      } else seen.set(pid, { before: rss, peak: rss, hwm, series: [rss] });
    }
  };
  take(first);
  const timer = setInterval(() => take(snapshot()), intervalMs);
  // A run that fails before stop() must not keep the bench alive.
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      take(snapshot());
      const [pid, page] = [...seen].sort((a, b) => b[1].peak - a[1].peak)[0] ?? [0, { before: 0, peak: 0, hwm: 0, series: [] }];
      return { pid, ...page, chromiumBefore: first.chromium, chromiumPeak, renderers: seen.size, samples };
    },
  };
}

/** One process's VmRSS now, bytes; undefined when it is gone. */
export function rssOf(pid: number): number | undefined {
  try {
    return kib(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
  } catch {
    return undefined;
  }
}
