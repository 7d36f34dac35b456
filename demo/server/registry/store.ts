/**
 * The registry's asset records (registry/routes.ts): what one is, how it is kept,
 * shown and searched.
 *
 * Why this exists: the registry promises that an asset it answered 201 for is
 * still there after a crash or a restart, and that one it answered DELETE for
 * is gone. Layout under `<dataDir>/registry/`: one `<id>.json` per asset (an
 * AssetRecord), written aside, fsynced and renamed into place (core/durable.ts's
 * writeJsonDurably); a deletion unlinks it and fsyncs the directory. At
 * startup every record is read into memory (lists and scopes are answered
 * from there), checked with the same field rules the API validates with, and
 * the `.tmp` files a crash left are removed. Each record keeps a `seq`,
 * increasing with every creation, so "newest first" depends neither on clock
 * resolution nor on the order of directory entries.
 *
 * Why JSON files rather than SQLite: a native SQLite module needs a build
 * step on install, and node:sqlite needs Node 22 while this project supports
 * Node 20; the store is small (a demo's assets) and append-mostly (updates
 * are rare corrections), so whole-record files written atomically are
 * simple and enough, and they can be read with any editor.
 *
 * All changes go through `withLock` (one lock for the whole registry): a
 * creation must check that no other asset has its bucket and key, and a
 * deletion removes the record and then the object, with nothing in between.
 *
 * Beside the store: the field rules, the asset's JSON document (the seed's
 * members plus the references), its `asset_type`, and the list scopes read
 * from a query into an AssetFilter, all pure functions.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound, KeyedLock, readOrNull, removeLeftovers, syncDir, writeJsonDurably } from '../core/durable.js';
import { findDescription, findProduction, findUser, findWorkspace, INCLUDES } from './fixtures.js';
import type { Include } from './fixtures.js';

/** `ast_` and 20 lowercase hex digits. */
export const ASSET_ID_PATTERN = /^ast_[0-9a-z]{20}$/;

export type AssetType = 'audio' | 'image' | 'video' | 'other';
export const ASSET_TYPES: readonly AssetType[] = ['audio', 'image', 'video', 'other'];

// Field rules (type guards), shared by the API's validation and the check of stored records.
export const isId = (v: unknown): v is string => typeof v === 'string' && /^[a-z]{3}_[0-9a-z_]{1,60}$/.test(v);
export const isBucket = (v: unknown): v is string => typeof v === 'string' && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v);
export const isFileType = (v: unknown): v is string => typeof v === 'string' && /^[a-z0-9]{1,16}$/.test(v);
export const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
export const isFlag = (v: unknown): v is boolean => typeof v === 'boolean';
export const isMimetype = (v: unknown): v is string =>
  typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/.test(v);
// No C0 or C1 controls, no DEL, no lone surrogates (they cannot be encoded as UTF-8).
export const isObjectKey = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && Buffer.byteLength(v, 'utf8') <= 1024 && !/[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u.test(v);

export interface AssetRecord {
  readonly id: string;
  /** Creation order (newest has the largest); not shown to clients. */
  readonly seq: number;
  readonly user_id: string;
  readonly workspace_id: string;
  readonly production_id: string | null;
  readonly description_id: string | null;
  readonly bucket: string;
  readonly object_key: string;
  readonly file_name: string;
  readonly file_type: string;
  readonly mimetype: string;
  readonly size: number;
  readonly is_stock: boolean;
  readonly is_transcoded: boolean;
  readonly is_completed_production: boolean;
  /** ISO 8601 UTC. */
  readonly created_at: string;
  readonly updated_at: string;
}

export type NewAsset = Omit<AssetRecord, 'id' | 'seq' | 'created_at' | 'updated_at'>;

/** The members PUT may change. */
export type AssetChanges = Partial<Pick<AssetRecord, 'user_id' | 'workspace_id' | 'production_id' | 'file_name' | 'is_stock' | 'is_transcoded'>>;

/** What a list keeps (every member optional: absent means "any"). */
export interface AssetFilter {
  readonly workspaceId?: string | undefined;
  readonly productionId?: string | undefined;
  readonly userId?: string | undefined;
  readonly assetTypes?: ReadonlySet<AssetType> | undefined;
  readonly completed?: boolean | undefined;
  readonly stock?: boolean | undefined;
  /** True: assets missing a thumbnail or preview, which is every one here (no thumbnails are made). */
  readonly failedJobs?: boolean | undefined;
  /** The `type` of the asset's description. */
  readonly descriptionType?: string | undefined;
}

export class RegistryStore {
  readonly dir: string;
  readonly #lock = new KeyedLock();
  readonly #assets = new Map<string, AssetRecord>();
  #nextSeq = 1;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'registry');
  }

  /** Creates the directory, removes crash leftovers and loads every record. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await removeLeftovers(this.dir, (entry) => entry.endsWith('.tmp'));
    this.#assets.clear();
    for (const entry of await readdir(this.dir)) {
      const id = entry.endsWith('.json') ? entry.slice(0, -'.json'.length) : '';
      if (!ASSET_ID_PATTERN.test(id)) continue;
      const text = await readOrNull(join(this.dir, entry));
      if (text === null) continue;
      const record = parseRecord(text, entry);
      this.#assets.set(record.id, record);
      this.#nextSeq = Math.max(this.#nextSeq, record.seq + 1);
    }
  }

  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#lock.run('registry', fn);
  }

  get(id: string): AssetRecord | undefined {
    return this.#assets.get(id);
  }

  /** The assets `filter` keeps, newest first. */
  list(filter: AssetFilter = {}): AssetRecord[] {
    return [...this.#assets.values()].filter((asset) => matches(asset, filter)).sort((a, b) => b.seq - a.seq);
  }

  /** The asset registered for bucket/key, if any. */
  findObject(bucket: string, key: string): AssetRecord | undefined {
    for (const asset of this.#assets.values()) {
      if (asset.bucket === bucket && asset.object_key === key) return asset;
    }
    return undefined;
  }

  /** Records a new asset durably (under the lock). */
  async create(asset: NewAsset): Promise<AssetRecord> {
    const now = new Date().toISOString();
    const record: AssetRecord = { id: newAssetId(), seq: this.#nextSeq, ...asset, created_at: now, updated_at: now };
    await writeJsonDurably(this.dir, `${record.id}.json`, record);
    this.#nextSeq += 1;
    this.#assets.set(record.id, record);
    return record;
  }

  /** Applies `changes` to an existing asset durably and bumps updated_at (under the lock). */
  async update(current: AssetRecord, changes: AssetChanges): Promise<AssetRecord> {
    const record: AssetRecord = { ...current, ...changes, updated_at: new Date().toISOString() };
    await writeJsonDurably(this.dir, `${record.id}.json`, record);
    this.#assets.set(record.id, record);
    return record;
  }

  /** Removes an asset's record durably (under the lock); false when there was none. */
  async remove(id: string): Promise<boolean> {
    if (!this.#assets.has(id)) return false;
    try {
      await unlink(join(this.dir, `${id}.json`));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await syncDir(this.dir);
    this.#assets.delete(id);
    return true;
  }
}

/** A new random asset id. */
export function newAssetId(): string {
  return `ast_${randomBytes(10).toString('hex')}`;
}

/** Mimetypes that say nothing about the content, for which the file extension decides. */
const GENERIC_MIMETYPES = new Set(['application/octet-stream', 'binary/octet-stream', 'application/unknown', 'application/x-unknown']);

const EXTENSIONS: Readonly<Record<Exclude<AssetType, 'other'>, ReadonlySet<string>>> = {
  audio: new Set(['aac', 'aif', 'aiff', 'flac', 'm4a', 'mp3', 'oga', 'ogg', 'opus', 'wav', 'wma']),
  image: new Set(['avif', 'bmp', 'gif', 'heic', 'heif', 'jpeg', 'jpg', 'png', 'svg', 'tif', 'tiff', 'webp']),
  video: new Set(['3gp', 'avi', 'flv', 'm2ts', 'm4v', 'mkv', 'mov', 'mp4', 'mpeg', 'mpg', 'mts', 'mxf', 'ogv', 'webm', 'wmv']),
};

/** audio, image or video from the mimetype's top-level type; from the file extension when the mimetype is generic; else other. */
export function assetTypeOf(mimetype: string, fileType: string): AssetType {
  const type = mimetype.toLowerCase();
  const top = type.split('/')[0];
  if (top === 'audio' || top === 'image' || top === 'video') return top;
  if (GENERIC_MIMETYPES.has(type)) {
    for (const kind of ['audio', 'image', 'video'] as const) {
      if (EXTENSIONS[kind].has(fileType)) return kind;
    }
  }
  return 'other';
}

/** True when `asset` passes every condition of `filter`. */
export function matches(asset: AssetRecord, filter: AssetFilter): boolean {
  const description = asset.description_id === null ? undefined : findDescription(asset.description_id);
  return (
    (filter.workspaceId === undefined || asset.workspace_id === filter.workspaceId) &&
    (filter.productionId === undefined || asset.production_id === filter.productionId) &&
    (filter.userId === undefined || asset.user_id === filter.userId) &&
    (filter.assetTypes === undefined || filter.assetTypes.has(assetTypeOf(asset.mimetype, asset.file_type))) &&
    (filter.completed === undefined || asset.is_completed_production === filter.completed) &&
    (filter.stock === undefined || asset.is_stock === filter.stock) &&
    // No thumbnails or previews are ever made here, so every asset "has failed jobs".
    (filter.failedJobs === undefined || filter.failedJobs) &&
    (filter.descriptionType === undefined || description?.type === filter.descriptionType)
  );
}

/** The asset's JSON document: the seed's members, then the references, where the object is and asset_type. */
export function assetDocument(asset: AssetRecord, linkDownload: string): Record<string, unknown> {
  return {
    type: 'asset',
    id: asset.id,
    file_name: asset.file_name,
    file_type: asset.file_type,
    mimetype: asset.mimetype,
    size: asset.size,
    video_duration: null,
    is_stock: asset.is_stock,
    is_transcoded: asset.is_transcoded,
    is_completed_production: asset.is_completed_production,
    link_download: linkDownload,
    // No thumbnails, full-size images or previews are made here.
    link_thumbnail: null,
    link_fullsize: null,
    link_preview_mp4: null,
    link_preview_webm: null,
    created_at: timestamp(asset.created_at),
    updated_at: timestamp(asset.updated_at),
    workspace_id: asset.workspace_id,
    user_id: asset.user_id,
    production_id: asset.production_id,
    description_id: asset.description_id,
    bucket: asset.bucket,
    object_key: asset.object_key,
    asset_type: assetTypeOf(asset.mimetype, asset.file_type),
  };
}

/** "YYYY-MM-DD HH:MM:SS" of an ISO 8601 UTC time. */
function timestamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** Makes the error of a bad query parameter from its name and the rule it breaks. */
export type BadQuery = (name: string, rule: string) => Error;

/** The one value of a query parameter; an error when it is given more than once. */
export function queryParam(query: URLSearchParams, name: string, bad: BadQuery): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw bad(name, `given once, not ${values.length} times`);
  return values[0];
}

/** The relationships `include` names, in INCLUDES order. */
export function includesOf(query: URLSearchParams, bad: BadQuery): Include[] {
  const names = queryParam(query, 'include', bad)?.split(',') ?? [];
  if (!names.every((name) => (INCLUDES as readonly string[]).includes(name))) {
    throw bad('include', `a comma-separated list of ${INCLUDES.join(', ')}`);
  }
  return INCLUDES.filter((name) => names.includes(name));
}

/** A whole number from `min` to `max` (`rule` says so), or undefined when absent. */
export function integerParam(query: URLSearchParams, name: string, min: number, max: number, rule: string, bad: BadQuery): number | undefined {
  const text = queryParam(query, name, bad);
  if (text === undefined) return undefined;
  const value = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw bad(name, rule);
  return value;
}

/** The id of a known fixture (`find` finds it), or undefined when absent. */
export function idParam(query: URLSearchParams, name: string, find: (id: string) => unknown, kind: string, bad: BadQuery): string | undefined {
  const text = queryParam(query, name, bad);
  if (text !== undefined && find(text) === undefined) throw bad(name, `the id of a known ${kind}`);
  return text;
}

/** The list scopes of a query (the URL's workspace and production are applied apart). */
export function filterOf(query: URLSearchParams, bad: BadQuery): AssetFilter {
  const types = queryParam(query, 'assetType', bad)?.split(',');
  if (types !== undefined && !types.every((name) => (ASSET_TYPES as readonly string[]).includes(name))) {
    throw bad('assetType', `a comma-separated list of ${ASSET_TYPES.join(', ')}`);
  }
  const descriptionType = queryParam(query, 'descriptionType', bad);
  if (descriptionType !== undefined && !/^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/.test(descriptionType)) {
    throw bad('descriptionType', 'a description type such as "interview": 1 to 64 printable ASCII characters');
  }
  const flag = (name: string): boolean | undefined => {
    const text = queryParam(query, name, bad);
    if (text === undefined) return undefined;
    if (text === 'true' || text === '1' || text === 'false' || text === '0') return text === 'true' || text === '1';
    throw bad(name, 'true, false, 1 or 0');
  };
  return {
    assetTypes: types === undefined ? undefined : new Set(types as AssetType[]),
    completed: flag('completed'),
    stock: flag('stock'),
    failedJobs: flag('hasFailedJobs'),
    userId: idParam(query, 'user', findUser, 'user', bad),
    workspaceId: idParam(query, 'workspace', findWorkspace, 'workspace', bad),
    productionId: idParam(query, 'production', findProduction, 'production', bad),
    descriptionType,
  };
}

const nullOr =
  (check: (v: unknown) => boolean) =>
  (v: unknown): boolean =>
    v === null || check(v);
const isText = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
const RECORD_RULES: readonly (readonly [keyof AssetRecord, (v: unknown) => boolean])[] = [
  ['seq', (v) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0],
  ['user_id', isId],
  ['workspace_id', isId],
  ['production_id', nullOr(isId)],
  ['description_id', nullOr(isId)],
  ['bucket', isBucket],
  ['object_key', isObjectKey],
  ['file_name', isText],
  ['file_type', isFileType],
  ['mimetype', isMimetype],
  ['size', isSize],
  ['is_stock', isFlag],
  ['is_transcoded', isFlag],
  ['is_completed_production', isFlag],
  ['created_at', isText],
  ['updated_at', isText],
];

/** A stored record, checked so that a damaged file stops the server with its name rather than breaking answers later. */
function parseRecord(text: string, entry: string): AssetRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`The registry record ${entry} is not valid JSON; repair or remove it.`);
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (`${String(record['id'])}.json` !== entry) throw new Error(`The registry record ${entry} does not hold the asset its name says; repair or remove it.`);
  const broken = RECORD_RULES.find(([name, check]) => !check(record[name]));
  if (broken !== undefined) throw new Error(`The registry record ${entry} has an invalid ${broken[0]}; repair or remove it.`);
  return record as unknown as AssetRecord;
}
