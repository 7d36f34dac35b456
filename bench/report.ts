/**
 * What every RESULTS.md section is made of: the machine's facts, where the pages were built
 * from, and the rate table (median, min, max, ratio).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { ROOT } from './config.js';
import { f1, f2, median } from './stats.js';

/** The commit the pages were built from, and whether their sources had uncommitted changes. */
export function sourceState(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', timeout: 10_000 }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'src', 'demo', 'index.html').split('\n').filter(Boolean).length;
    return dirty
      ? `commit ${head} plus uncommitted changes to ${dirty} file(s) in src/, demo/ or index.html`
      : `commit ${head}, no uncommitted changes in src/, demo/ or index.html`;
  } catch {
    return 'unknown (no git)';
  }
}

export function machine(): { cpu: string; cores: number; ramGiB: string; kernel: string; node: string; dataFs: string } {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpu = line.split(':').slice(1).join(':').trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  let dataFs = 'unknown';
  try {
    const tmp = os.tmpdir();
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f.length > 2 && (tmp === f[1] || tmp.startsWith(f[1] === '/' ? '/' : `${f[1]}/`)))
      .sort((a, b) => b[1]!.length - a[1]!.length);
    if (mounts[0]) dataFs = `${mounts[0][2]} (${mounts[0][0]}, mounted on ${mounts[0][1]})`;
  } catch {
    // not Linux
  }
  return {
    cpu,
    cores: os.cpus().length,
    ramGiB: (os.totalmem() / 1024 ** 3).toFixed(1),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    dataFs,
  };
}

export interface Row {
  readonly label: string;
  readonly rates: number[];
  readonly ratio?: number;
}

export function table(rows: Row[]): string {
  const lines = ['| mode | median MB/s | min MB/s | max MB/s | ratio to raw PUT (medians) |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const row of rows) {
    lines.push(
      `| ${row.label} | ${f1(median(row.rates))} | ${f1(Math.min(...row.rates))} | ${f1(Math.max(...row.rates))} | ${row.ratio === undefined ? '' : f2(row.ratio)} |`,
    );
  }
  return lines.join('\n');
}
