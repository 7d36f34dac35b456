/**
 * Writes the README's reference of `<asset-uploader>` (attributes, properties, methods,
 * events, parts, custom properties, states, slots) from custom-elements.json, between the
 * `<!-- api:begin -->` and `<!-- api:end -->` markers. Part of `npm run analyze`.
 *
 * `--check` writes nothing and exits 1 when the README's reference differs from what the
 * manifest says (test/node/manifest.test.ts runs it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Item {
  name: string;
  description?: string;
  default?: string;
  type?: { text: string };
  attribute?: string;
  fieldName?: string;
  kind?: string;
  privacy?: string;
  static?: boolean;
  readonly?: boolean;
  parameters?: Array<{ name: string; optional?: boolean }>;
}

const root = fileURLToPath(new URL('../', import.meta.url));
const BEGIN = '<!-- api:begin (generated from custom-elements.json by scripts/api-docs.ts; edit the sources, not this) -->';
const END = '<!-- api:end -->';

export function reference(manifest: { modules: Array<{ declarations?: Array<Record<string, unknown>> }> }): string {
  const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d['tagName'] === 'asset-uploader');
  if (!element) throw new Error('custom-elements.json has no asset-uploader');
  const list = (key: string) => (element[key] as Item[] | undefined) ?? [];
  const cell = (text: string | undefined) => (text ?? '').replace(/\|/g, '\\|').replace(/\n+/g, ' ');
  const code = (text: string) => `\`${text}\``;
  const lines: string[] = [BEGIN, ''];
  const table = (title: string, head: string[], rows: string[][]) => {
    lines.push(`### ${title}`, '', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
    for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
    lines.push('');
  };
  const defaults = (value: string | undefined) => {
    if (value === undefined || value === "''") return '—';
    if (value === 'false') return 'off';
    if (['any', 'none', 'English'].includes(value)) return value;
    return code(value.replace(/^'(.*)'$/, '$1'));
  };
  table(
    'Attributes',
    ['attribute', 'property', 'default', 'meaning'],
    list('attributes').map((a) => [code(a.name), code(a.fieldName ?? ''), defaults(a.default), a.description ?? '']),
  );
  const members = list('members').filter(
    (m) => m.privacy !== 'private' && m.privacy !== 'protected' && !m.static && !m.name.startsWith('#') && !m.name.startsWith('_'),
  );
  const internal = (m: Item) => /@internal/.test(m.description ?? '');
  table(
    'Properties without an attribute',
    ['property', 'type', 'default', 'meaning'],
    members
      .filter((m) => m.kind === 'field' && !m.attribute && !internal(m))
      .map((m) => [code(m.name), code(m.type?.text ?? ''), m.default === undefined ? '—' : defaults(m.default), m.description ?? '']),
  );
  table(
    'Methods',
    ['method', 'what it does'],
    members
      .filter((m) => m.kind === 'method' && !internal(m) && !/Callback$/.test(m.name) && !['render', 'willUpdate', 'updated'].includes(m.name))
      .map((m) => [code(`${m.name}(${(m.parameters ?? []).map((p) => p.name + (p.optional ? '?' : '')).join(', ')})`), m.description ?? '']),
  );
  table(
    'Events',
    ['event', 'when, and its detail'],
    list('events').map((e) => [code(e.name), e.description ?? '']),
  );
  table(
    'Parts',
    ['part', 'what it is'],
    list('cssParts').map((p) => [code(p.name), p.description ?? '']),
  );
  table(
    'Custom properties',
    ['property', 'what it changes'],
    list('cssProperties').map((p) => [code(p.name), p.description ?? '']),
  );
  table(
    'Custom states and slots',
    ['name', 'what it is'],
    [
      ...list('cssStates').map((s) => [code(`:state(${s.name})`), s.description ?? '']),
      ...list('slots').map((s) => [code(`slot="${s.name}"`), s.description ?? '']),
    ],
  );
  lines.push(END);
  return lines.join('\n');
}

function main(): void {
  const manifest = JSON.parse(readFileSync(`${root}custom-elements.json`, 'utf8'));
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const start = readme.indexOf('<!-- api:begin');
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) throw new Error('README.md has no <!-- api:begin --> … <!-- api:end --> markers');
  const next = readme.slice(0, start) + reference(manifest) + readme.slice(end + END.length);
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error('README.md: the element reference differs from custom-elements.json; run `npm run analyze` and commit both.');
      process.exit(1);
    }
    return;
  }
  if (next !== readme) writeFileSync(`${root}README.md`, next);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
