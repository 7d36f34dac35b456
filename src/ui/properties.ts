/**
 * Every public property of `<asset-uploader>`, declared once. The element builds Lit's
 * `static properties` and its defaults from this table, the attribute parser
 * (`attributes.ts`) reads the values by these names, and the manifest plugin
 * (`custom-elements-manifest.config.mjs`) writes attributes and fields into
 * `custom-elements.json` from it, which the README's reference is generated from.
 *
 * Removing an attribute gives the property its default again (Lit sets `null` for a
 * removed string or number attribute; `restoreDefaults` turns that back into the default),
 * so the element behaves the same whatever order attributes come and go in.
 *
 * No DOM here: the manifest plugin imports this file in Node.
 */

type Kind = 'string' | 'number' | 'boolean' | 'object';

export interface PropertySpec {
  /** Attribute name; `false` for property-only members. */
  readonly attribute: string | false;
  readonly kind: Kind;
  readonly default: unknown;
  /** The TypeScript type, for the manifest. */
  readonly type: string;
  readonly doc: string;
  /** Reflected to the attribute (only where styling needs it). */
  readonly reflect?: boolean;
  /** The default as the docs say it, where the property's own default is "unset" (the engine's default applies). */
  readonly shownDefault?: string;
}

/** A spec that also carries its value's TypeScript type (never set at run time). */
interface Spec<T> extends PropertySpec {
  readonly valueType?: T;
}

const string = <T extends string = string>(attribute: string, doc: string, fallback = '', type = 'string', shownDefault?: string): Spec<T> => ({
  attribute,
  kind: 'string',
  default: fallback,
  type,
  doc,
  ...(shownDefault ? { shownDefault } : {}),
});
const number = (attribute: string, doc: string, shownDefault?: string): Spec<number | undefined> => ({
  attribute,
  kind: 'number',
  default: undefined,
  type: 'number | undefined',
  doc,
  ...(shownDefault ? { shownDefault } : {}),
});
const flag = (attribute: string, doc: string, reflect = false): Spec<boolean> => ({ attribute, kind: 'boolean', default: false, type: 'boolean', doc, reflect });
const object = <T>(type: string, doc: string, shownDefault: string): Spec<T> => ({ attribute: false, kind: 'object', default: undefined, type, doc, shownDefault });

export const propertyTable = {
  endpoint: string('endpoint', "The API's URL (for `content-range`: the URL that creates an upload session; see Protocols for the others). Relative URLs resolve against the page."),
  protocol: string('protocol', 'Which server API to speak: `content-range`, `tus`, `session`, `phased`, `signed-parts` or `registry` (see Protocols).', 'content-range'),
  chunkSize: string('chunk-size', 'Part size: bytes, or `8MB`, `5MiB`, `1.5 GB` (kB/MB/GB are powers of 1000, KiB/MiB/GiB and bare K/M/G powers of 1024). Unset: the rest of the file in one request where the server keeps a cut-off part and no MD5 is sent (tus, content-range), else sized from measured throughput (8 MiB to start, about 4 s per request).', '', 'string', 'auto'),
  accept: string('accept', 'Accepted types, as on `<input type=file>`: `.pdf,image/*,video/mp4`. Removing it accepts any type again.', '', 'string', 'any'),
  maxFileSize: string('max-file-size', 'Largest file taken (same units as `chunk-size`). Removing it lifts the limit.', '', 'string', 'none'),
  maxFiles: number('max-files', 'Most files in the list.', 'none'),
  multiple: flag('multiple', 'Take more than one file (without it, a drop of several takes the first and says why not the rest).'),
  concurrency: number('concurrency', 'Files sending bytes at the same time. A file that only waits (a session commit waiting for the rest of its drop, the server processing it) gives its slot to the next one.', '2'),
  parallelParts: number('parallel-parts', "Parts of one file sent at the same time, where the API's parts are independent (`signed-parts`).", '3'),
  noAutoStart: flag('no-auto-start', 'Queue files and wait for `start()` or the Upload button.'),
  disabled: flag('disabled', 'Take no files (reflected). A disabled `<fieldset>` around the element disables it too, without touching this attribute, so re-enabling the fieldset enables the element again.', true),
  transport: string<'auto' | 'put' | 'form'>('transport', '`auto`: streaming parts where possible; `put`: always; `form`: one `multipart/form-data` POST per file.', 'auto', "'auto' | 'put' | 'form'"),
  noChecksum: flag('no-checksum', "Do not compute or send each part's MD5."),
  noResume: flag('no-resume', 'Keep no resume state in IndexedDB.'),
  withCredentials: flag('with-credentials', "Send cookies — to the endpoint's origin only."),
  allowedOrigins: string('allowed-origins', 'Other origins a server `Location` may move an upload to (space-separated).', '', 'string', 'none'),
  retryDelays: string('retry-delays', 'Milliseconds before each retry; their count is the number of retries.', '', 'string', '0 1000 3000 5000'),
  stallTimeout: number(
    'stall-timeout',
    'Milliseconds without progress after which a request counts as stalled (a laptop lid closed, a network switched): it is dropped, the element asks the server what it holds, and goes on. `0` turns it off.',
    '30000',
  ),
  storageEndpoint: string('storage-endpoint', '`registry` only: the `signed-parts` uploads collection that stores the bytes before the asset is registered.'),
  workerUrl: string(
    'worker-url',
    "Where to start the md5 worker from. Browsers start workers only from the page's own origin: when the element's script comes from a CDN on another origin, serve a copy of its `assets/md5.worker-*.js` from the page's origin and point this at it (else parts go without MD5, and the element says why).",
    '',
    'string',
    'beside the script',
  ),
  fields: string('fields', 'A JSON object of members added to the record the API creates: for `registry`, `{"user_id":"usr_ada"}` goes into `data`.'),
  name: string('name', 'Form field name. Each uploaded asset adds one entry: its URL (or its id).'),
  required: flag('required', 'The form is invalid until a file is uploaded.'),
  pasteAnywhere: flag('paste-anywhere', 'Take files pasted anywhere on the page, not only while the element has focus. Pastes into text fields stay there.'),
  token: string('token', "A bearer token for the endpoint (sent as `Authorization: Bearer …` to the endpoint's origin only, never stored). Prefer the property; the attribute exists for CMS templates."),
  headers: object<Readonly<Record<string, string>>>('Readonly<Record<string, string>>', "Extra request headers (e.g. `Authorization`), sent to the endpoint's origin only, never stored.", '{}'),
  i18n: object<unknown>('UploaderI18nInput', "Every text the element shows; deep-merged over the English defaults (`el.i18n = { status: { paused: 'En pause' } }`; see Texts and languages).", 'English'),
} satisfies Record<string, PropertySpec>;

type Table = typeof propertyTable;
type ValueOf<S> = S extends Spec<infer T> ? T : never;

/** The values the table declares, as the element holds them (`i18n` is typed by the element). */
export type UploaderPropertyValues = { -readonly [K in Exclude<keyof Table, 'i18n'>]: ValueOf<Table[K]> };

/** Lit's `static properties` for the table. */
export function litProperties(): Record<string, { type?: unknown; attribute?: string | false; reflect?: boolean }> {
  const types = { string: String, number: Number, boolean: Boolean, object: Object } as const;
  return Object.fromEntries(
    (Object.entries(propertyTable) as Array<[string, PropertySpec]>).map(([key, spec]) => [
      key,
      { ...(spec.attribute === false ? {} : { type: types[spec.kind] }), attribute: spec.attribute, ...(spec.reflect ? { reflect: true } : {}) },
    ]),
  );
}

/** A fresh default for `key` (objects are new each time). */
export function defaultOf(key: keyof Table): unknown {
  if (key === 'headers' || key === 'i18n') return {};
  return propertyTable[key].default;
}

/** Gives every property that holds `null` or `undefined` (a removed attribute) its default again. */
export function restoreDefaults(target: Record<string, unknown>, keys: Iterable<PropertyKey>): void {
  for (const key of keys) {
    if (typeof key !== 'string' || !(key in propertyTable)) continue;
    const value = target[key];
    if (value === null || (value === undefined && defaultOf(key as keyof Table) !== undefined)) target[key] = defaultOf(key as keyof Table);
    // A number attribute that is not a number (`max-files="many"`) reads as NaN: kept, so the parser warns about it.
  }
}
