/**
 * Every public property of `<asset-uploader>`, declared once. The element builds Lit's
 * `static properties` and its defaults from this table, the attribute parser
 * (`attributes.ts`) reads the values by these names, and the manifest plugin
 * (`custom-elements-manifest.config.mjs`) writes attributes and fields into
 * `custom-elements.json` from it and from their docs (`property-docs.ts`, which the
 * compiler holds to exactly these keys), which the README's reference is generated from.
 *
 * Only what the element needs at run time is here: the docs stay out of the bundle. An
 * attribute is its property's name in kebab case (`maxFileSize` is `max-file-size`).
 *
 * Removing an attribute gives the property its default again (Lit sets `null` for a
 * removed string or number attribute; `restoreDefaults` turns that back into the default),
 * so the element behaves the same whatever order attributes come and go in.
 *
 * No DOM here: the manifest plugin imports this file in Node.
 */

export type Kind = 'string' | 'number' | 'boolean' | 'object';

export interface PropertySpec {
  readonly kind: Kind;
  readonly default: unknown;
  /** Reflected to the attribute (only where styling needs it). */
  readonly reflect?: boolean;
}

/** A spec that also carries its value's TypeScript type (never set at run time). */
interface Spec<T> extends PropertySpec {
  readonly valueType?: T;
}

const text = <T extends string = string>(fallback = ''): Spec<T> => ({ kind: 'string', default: fallback });
const count = (): Spec<number | undefined> => ({ kind: 'number', default: undefined });
const flag = (reflect = false): Spec<boolean> => ({ kind: 'boolean', default: false, ...(reflect ? { reflect } : {}) });
/** Property only: no attribute. */
const object = <T>(): Spec<T> => ({ kind: 'object', default: undefined });

export const propertyTable = {
  endpoint: text(),
  protocol: text('content-range'),
  chunkSize: text(),
  accept: text(),
  maxFileSize: text(),
  maxFiles: count(),
  multiple: flag(),
  concurrency: count(),
  parallelParts: count(),
  noAutoStart: flag(),
  disabled: flag(true),
  transport: text<'auto' | 'put' | 'form'>('auto'),
  noChecksum: flag(),
  noResume: flag(),
  withCredentials: flag(),
  allowedOrigins: text(),
  retryDelays: text(),
  stallTimeout: count(),
  storageEndpoint: text(),
  workerUrl: text(),
  fields: text(),
  name: text(),
  required: flag(),
  pasteAnywhere: flag(),
  token: text(),
  headers: object<Readonly<Record<string, string>>>(),
  i18n: object<unknown>(),
} satisfies Record<string, PropertySpec>;

type Table = typeof propertyTable;
type ValueOf<S> = S extends Spec<infer T> ? T : never;

/** The values the table declares, as the element holds them (`i18n` is typed by the element). */
export type UploaderPropertyValues = { -readonly [K in Exclude<keyof Table, 'i18n'>]: ValueOf<Table[K]> };

/** The attribute of a property (`maxFileSize` -> `max-file-size`); `false` for a property-only member. */
export function attributeOf(key: string): string | false {
  return (propertyTable as Record<string, PropertySpec>)[key]?.kind === 'object' ? false : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Lit's `static properties` for the table. */
export function litProperties(): Record<string, { type?: unknown; attribute?: string | false; reflect?: boolean }> {
  const types = { string: String, number: Number, boolean: Boolean } as const;
  return Object.fromEntries(
    (Object.entries(propertyTable) as Array<[string, PropertySpec]>).map(([key, spec]) => {
      const attribute = attributeOf(key);
      return [key, { ...(attribute === false ? {} : { type: types[spec.kind as keyof typeof types] }), attribute, ...(spec.reflect ? { reflect: true } : {}) }];
    }),
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
