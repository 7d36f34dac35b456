/**
 * Where a built file's bytes come from: every minified byte is given to the source its
 * source map names (decoded mapping segments: a segment runs to the next one on its
 * line), grouped (lit, the engine, each UI module, the styles…). Each group's bytes are
 * gzipped on their own; as gzip is not additive, the file's real gzip size is shared out
 * in proportion to those, and the table says so.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { decodedMappings, TraceMap } from '@jridgewell/trace-mapping';

export interface SizeShare {
  readonly group: string;
  readonly min: number;
  /** This group's part of the file's min+gzip size, by the gzip size of its own bytes. */
  readonly gzShare: number;
}

function groupOf(source: string | null): string {
  if (source === null) return 'unmapped (module glue, the bundler’s helpers)';
  if (/node_modules\/(lit|lit-html|lit-element|@lit\/reactive-element)\//.test(source)) return 'lit';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
  if (dependency) return dependency[1]!;
  const own = /src\/(.+)\.ts$/.exec(source);
  if (!own) return source;
  const path = own[1]!;
  if (path.startsWith('protocols/')) return 'src/protocols/ (what the entry itself holds)';
  return `src/${path}.ts`;
}

export async function sizeShares(file: string): Promise<{ total: { min: number; gz: number }; shares: SizeShare[] }> {
  const code = await readFile(file, 'utf8');
  const map = new TraceMap(await readFile(`${file}.map`, 'utf8'));
  const lines = code.split('\n');
  const texts = new Map<string, string[]>();
  const mappings = decodedMappings(map);
  lines.forEach((line, index) => {
    const segments = mappings[index] ?? [];
    if (segments.length === 0 || segments[0]![0] > 0) push(texts, groupOf(null), line.slice(0, segments[0]?.[0] ?? line.length));
    segments.forEach((segment, i) => {
      const end = i + 1 < segments.length ? segments[i + 1]![0] : line.length;
      const source = segment.length > 1 ? (map.sources[segment[1]!] ?? null) : null;
      push(texts, groupOf(source), line.slice(segment[0], end));
    });
  });
  const total = { min: Buffer.byteLength(code), gz: gzipSync(code, { level: 9 }).length };
  const raw = [...texts].map(([group, pieces]) => {
    const text = pieces.join('');
    return { group, min: Buffer.byteLength(text), gz: gzipSync(text, { level: 9 }).length };
  });
  const sumGz = raw.reduce((sum, row) => sum + row.gz, 0);
  const shares = raw.map(({ group, min, gz }) => ({ group, min, gzShare: (gz / sumGz) * total.gz })).sort((a, b) => b.gzShare - a.gzShare);
  return { total, shares };
}

function push(texts: Map<string, string[]>, group: string, text: string): void {
  if (!text) return;
  const list = texts.get(group);
  if (list) list.push(text);
  else texts.set(group, [text]);
}
