/**
 * Wrong answers made from a right one, for the contract suite's sweep over every request
 * kind: an unexpected status, a body that is not the JSON object it should be, each
 * member missing or of another type (`null`, and a value of another kind; the first
 * element of a list too), each header
 * missing or garbled. Removing a top-level member also removes a header of the same name
 * (`location` and `Location`): "the answer no longer says it anywhere".
 */
import type { FakeAnswer } from './fake-servers/core.js';

export interface BadAnswer {
  /** What is wrong, as the fakes' `required` lists name it: `not JSON`, `without part.url`, `id as null`, `header Range garbled`… */
  readonly label: string;
  readonly group: 'status' | 'body' | 'member' | 'header';
  readonly change: (real: FakeAnswer) => FakeAnswer;
}

type Path = ReadonlyArray<string | number>;

const BODIES: ReadonlyArray<[string, string]> = [
  ['not JSON', '<html><body>502 Bad Gateway</body></html>'],
  ['empty body', ''],
  ['JSON null', 'null'],
  ['JSON list', '[]'],
  ['JSON text', '"ok"'],
];

export function badAnswers(real: FakeAnswer): BadAnswer[] {
  const out: BadAnswer[] = [202, 302].map((status) => ({ label: `status ${status}`, group: 'status', change: (answer) => ({ ...answer, status }) }));
  const parsed = parse(real.body);
  if (parsed !== undefined) {
    for (const [what, body] of BODIES) out.push({ label: what, group: 'body', change: (answer) => ({ ...answer, body }) });
    // Each change is made to the answer the server gives then (its ids are that upload's),
    // which is shaped like this one.
    for (const path of pathsOf(parsed)) {
      const name = label(path);
      const value = at(parsed, path);
      // A list one element shorter is another answer, not a wrong one: only members go missing.
      if (typeof path.at(-1) === 'string') {
        out.push({
          label: `without ${name}`,
          group: 'member',
          change: (answer) => withBody(path.length === 1 ? dropHeader(answer, String(path[0])) : answer, remove(parse(answer.body), path)),
        });
      }
      if (value !== null)
        out.push({ label: `${name} as null`, group: 'member', change: (answer) => withBody(answer, replace(parse(answer.body), path, null)) });
      out.push({
        label: `${name} of another kind`,
        group: 'member',
        change: (answer) => {
          const body = parse(answer.body);
          return withBody(answer, replace(body, path, otherKind(at(body, path))));
        },
      });
      if (value !== null && typeof value !== 'object')
        out.push({ label: `${name} as an object`, group: 'member', change: (answer) => withBody(answer, replace(parse(answer.body), path, {})) });
    }
  }
  for (const header of Object.keys(real.headers ?? {})) {
    if (header.toLowerCase() === 'content-type') continue; // nobody reads it back
    out.push({ label: `header ${header} missing`, group: 'header', change: (answer) => dropHeader(answer, header) });
    out.push({
      label: `header ${header} garbled`,
      group: 'header',
      change: (answer) => ({ ...answer, headers: { ...answer.headers, [header]: 'garbled, not a value' } }),
    });
  }
  return out;
}

function parse(body: string | undefined): unknown {
  if (!body) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Every member of objects, and the first element of lists, all the way down. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.length === 0 ? [] : [[...prefix, 0], ...pathsOf(value[0], [...prefix, 0])];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

function label(path: Path): string {
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('');
}

function at(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, step) => (node as Record<string | number, unknown>)[step], value);
}

function edit(value: unknown, path: Path, apply: (parent: Record<string | number, unknown> | unknown[], step: string | number) => void): string {
  const copy: unknown = JSON.parse(JSON.stringify(value));
  apply(at(copy, path.slice(0, -1)) as Record<string | number, unknown>, path.at(-1)!);
  return JSON.stringify(copy);
}

function remove(value: unknown, path: Path): string {
  return edit(value, path, (parent, step) => {
    delete (parent as Record<string | number, unknown>)[step];
  });
}

function replace(value: unknown, path: Path, next: unknown): string {
  return edit(value, path, (parent, step) => {
    (parent as Record<string | number, unknown>)[step] = next;
  });
}

function withBody(answer: FakeAnswer, body: string): FakeAnswer {
  return { ...answer, body };
}

function dropHeader(answer: FakeAnswer, name: string): FakeAnswer {
  return { ...answer, headers: Object.fromEntries(Object.entries(answer.headers ?? {}).filter(([header]) => header.toLowerCase() !== name.toLowerCase())) };
}

/** A value of another JSON kind than `value`. */
function otherKind(value: unknown): unknown {
  // Digits become their number: an id may be either (`"42"` and `42` are the same id).
  if (typeof value === 'string') return /^\d{1,15}$/.test(value) ? Number(value) : 7;
  if (typeof value === 'number') return 'seven';
  if (typeof value === 'boolean') return 'yes';
  if (Array.isArray(value)) return 'a list';
  if (value === null) return {};
  return 'an object';
}

/** The labels of a member an adapter cannot do without: missing, `null`, of another kind. */
export function needed(...members: string[]): string[] {
  return members.flatMap((member) => [`without ${member}`, ...typed(member)]);
}

/** The labels of a member that may be missing, but never of the wrong type. */
export function typed(...members: string[]): string[] {
  return members.flatMap((member) => [`${member} as null`, `${member} of another kind`]);
}

/** The labels of an id an adapter cannot do without (a number for a text id is the same id). */
export function neededId(member: string): string[] {
  return [`without ${member}`, `${member} as null`, `${member} as an object`];
}

/** The labels of a header an adapter cannot do without. */
export function neededHeader(name: string): string[] {
  return [`header ${name} missing`, `header ${name} garbled`];
}
