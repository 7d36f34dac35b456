/**
 * bench/RESULTS.md is made of sections, one per part of `npm run bench`, each between
 *
 *   <!-- bench:<name>:begin -->
 *   ...
 *   <!-- bench:<name>:end -->
 *
 * A run replaces only the sections it measured and keeps the others as they are, so
 * `BENCH_ONLY=view npm run bench` leaves the throughput figures alone. The file is written
 * again as a whole: the title and note at the top, then every section in SECTIONS order
 * (a section never measured gets a line saying how to measure it). Text outside the markers
 * is not kept. A file from before the sections (no markers at all) is taken as the throughput
 * section: its title line is dropped and its headings move one level down, nothing else changes.
 */
import { readFile, writeFile } from 'node:fs/promises';

/** In the order they appear in RESULTS.md and run (sizes and view first in the run: they need no file or Ceph). */
export const SECTIONS = ['throughput', 'view', 'sizes', 'latency', 'pool', 'longtasks', 'memory'] as const;
export type Section = (typeof SECTIONS)[number];

const TITLES: Record<Section, string> = {
  throughput: 'Upload throughput',
  view: 'Adding many files: the list view',
  sizes: 'What it costs a page: bundle sizes',
  latency: 'Upload throughput with latency and a bandwidth limit (network emulation)',
  pool: 'The md5 hash pool with 1..N workers',
  longtasks: "Long tasks on the page's main thread during an upload with MD5",
  memory: 'Peak memory of the page and its workers during an upload with MD5',
};

const begin = (name: Section): string => `<!-- bench:${name}:begin -->`;
const end = (name: Section): string => `<!-- bench:${name}:end -->`;

/** The sections found in an existing file's text. */
export function parseSections(text: string): Partial<Record<Section, string>> {
  const found: Partial<Record<Section, string>> = {};
  for (const name of SECTIONS) {
    const from = text.indexOf(begin(name));
    const to = text.indexOf(end(name));
    if (from >= 0 && to > from) found[name] = text.slice(from + begin(name).length, to).trim();
  }
  if (Object.keys(found).length === 0 && text.trim() !== '') {
    // Written before there were sections: all of it is the throughput bench's.
    const lines = text.trim().split('\n');
    if (/^# /.test(lines[0] ?? '')) lines.shift();
    const body = lines
      .map((line) => (/^#{1,5} /.test(line) ? `#${line}` : line))
      .join('\n')
      .trim();
    found.throughput = `## ${TITLES.throughput}\n\n${body}`;
  }
  return found;
}

/** Writes `path` with `updates` replacing those sections and every other section kept. */
export async function writeSections(path: string, updates: Partial<Record<Section, string>>): Promise<void> {
  const previous = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const sections = { ...parseSections(previous), ...updates };
  const parts = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts). Each section below is replaced only when its part of the bench',
    `runs: \`BENCH_ONLY=throughput\` (or ${SECTIONS.slice(1)
      .map((name) => `\`${name}\``)
      .join(', ')}) runs one (or a comma list), plain \`npm run bench\` all. Each section`,
    'says when it was measured. No target is asserted: these are measurements, not a pass/fail gate.',
  ];
  for (const name of SECTIONS) {
    const body = sections[name]?.trim() || `## ${TITLES[name]}\n\nNot measured yet: \`BENCH_ONLY=${name} npm run bench\`.`;
    parts.push('', begin(name), '', body, '', end(name));
  }
  await writeFile(path, `${parts.join('\n')}\n`);
}

export function sectionTitle(name: Section): string {
  return TITLES[name];
}
