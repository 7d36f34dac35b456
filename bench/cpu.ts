/**
 * CPU accounting (Linux /proc): which process used how much CPU during a run. Processes are
 * grouped by what they are (the reference servers, Ceph, each kind of Chromium process, the
 * bench itself); "outside" is busy time of anything else on the machine.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const CPU_GROUPS = ['server', 'store', 'renderer', 'network', 'browser', 'gpu', 'bench', 'outside'] as const;
export type CpuGroup = (typeof CPU_GROUPS)[number];

export const CPU_GROUP_LABEL: Record<CpuGroup, string> = {
  server: 'reference server (Node)',
  store: 'Ceph (radosgw, OSD, mon)',
  renderer: 'Chromium renderer (page + workers)',
  network: 'Chromium network service',
  browser: 'Chromium browser process',
  gpu: 'Chromium GPU / other helpers',
  bench: 'bench driver (Node, Playwright)',
  outside: 'everything else on the machine',
};

export interface CpuUse {
  /** Busy share of all cores together, 0..1. */
  readonly busy: number;
  /** CPU seconds per group. */
  readonly seconds: Record<CpuGroup, number>;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The reference servers (embedded, and S3 mode); the Ceph daemons are found by name. */
export const serverPids = new Set<number>();

interface CpuSnapshot {
  readonly busy: number;
  readonly total: number;
  readonly ticks: Map<number, { group: CpuGroup; ticks: number }>;
}

function cpuSnapshot(): CpuSnapshot | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const busy = total - (fields[3] ?? 0) - (fields[4] ?? 0);
    const procs = new Map<number, { ppid: number; ticks: number }>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        procs.set(Number(entry), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) });
      } catch {
        // gone meanwhile
      }
    }
    const groupOf = (pid: number): CpuGroup | undefined => {
      const chain: number[] = [];
      for (let p: number | undefined = pid; p !== undefined && p > 1; p = procs.get(p)?.ppid) {
        chain.push(p);
        if (serverPids.has(p)) return 'server';
        if (p === process.pid) break;
      }
      if (chain.at(-1) !== process.pid) return undefined;
      if (pid === process.pid) return 'bench';
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return undefined;
      }
      // startRadosgw runs the daemons as children of this process.
      if (/(^|\/)(radosgw|ceph-osd|ceph-mon)\0/.test(cmd)) return 'store';
      if (!/chrom/i.test(cmd)) return 'bench';
      if (cmd.includes('--type=renderer')) return 'renderer';
      if (cmd.includes('network.mojom.NetworkService')) return 'network';
      if (cmd.includes('--type=')) return 'gpu';
      return 'browser';
    };
    const ticks = new Map<number, { group: CpuGroup; ticks: number }>();
    for (const [pid, proc] of procs) {
      const group = groupOf(pid);
      if (group) ticks.set(pid, { group, ticks: proc.ticks });
    }
    return { busy, total, ticks };
  } catch {
    return undefined;
  }
}

/** Starts measuring; the returned function ends the measurement. */
export function cpuMeter(): () => CpuUse | undefined {
  const before = cpuSnapshot();
  return () => {
    const after = cpuSnapshot();
    if (!before || !after || after.total === before.total) return undefined;
    const seconds = Object.fromEntries(CPU_GROUPS.map((g) => [g, 0])) as Record<CpuGroup, number>;
    for (const [pid, now] of after.ticks) seconds[now.group] += (now.ticks - (before.ticks.get(pid)?.ticks ?? 0)) / CLOCK_TICKS;
    const ours = CPU_GROUPS.reduce((a, g) => a + seconds[g], 0);
    seconds.outside = Math.max(0, (after.busy - before.busy) / CLOCK_TICKS - ours);
    return { busy: (after.busy - before.busy) / (after.total - before.total), seconds };
  };
}
