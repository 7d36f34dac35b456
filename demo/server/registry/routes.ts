/**
 * The asset registry API (the seed's Candidio "Assets"), mounted under
 * `/registry`: once a file is in object storage (here: finished through
 * /signed-parts), the client registers it as an asset, which can then be
 * listed, shown, corrected and deleted (deleting removes the object too).
 *
 * Routes (JSON in and out; every one needs `Authorization: Bearer <token>`,
 * core/auth.ts: scope `assets` for GET, POST and PUT, `assets_delete` for
 * DELETE), each under `/v1/assets`, `/v1/workspaces/<wid>/assets` and
 * `/v1/workspaces/<wid>/productions/<pid>/assets` (a final "/" is allowed,
 * as in the seed's `POST /v1/assets/`):
 * - the collection: GET lists (`limit` 1..100, default 100; `page` from 1;
 *   newest first; the scopes `assetType`, `completed`, `stock`,
 *   `hasFailedJobs`, `user`, `workspace`, `production`, `descriptionType`),
 *   POST `{"data": {...}}` creates (201);
 * - `<collection>/<id>`: GET, PUT `{"data": {...}}` (200), DELETE (200
 *   `{"success": {"http_code": 200, "message": "Success"}}`);
 * - `POST .../productions/<pid>/assets/public`: creates in a public
 *   production (403 `production_not_public` otherwise).
 * Other methods answer 405 with Allow. A nested URL scopes everything: an
 * unknown workspace or production, a production of another workspace, or an
 * asset outside them answers 404. The `workspace_id` query parameter (the
 * seed's) scopes like the URL's workspace and must agree with it. GET, POST
 * and PUT take `include=owner,workspace,production,description`, which
 * embeds those fixtures (registry/fixtures.ts) as `"owner": {"data": ...}`.
 *
 * An asset is the seed's document plus `workspace_id`, `user_id`,
 * `production_id`, `description_id`, `bucket`, `object_key` and `asset_type`
 * (registry/store.ts). Refusals: 400 `malformed_body`, `missing_member`,
 * `invalid_member`, `unknown_member`, `read_only_member` (bucket, object_key,
 * size, file_type and mimetype never change; a PUT may repeat them unchanged, as
 * the seed's own example does, and they are then ignored), `bad_reference` (an unknown id, or a production or
 * description of another workspace), `url_mismatch` (the body or query names
 * another workspace or production than the URL), `bad_query`; 415 for a body
 * that is not JSON; 422 `object_missing` and `size_mismatch` (a create checks
 * the object); 409 `already_registered` (one asset per object; the document
 * carries the existing `asset_id` beside `error`).
 *
 * Readings picked where the seed is vague:
 * - Create needs `data.user_id`: the table says "yes", though the create
 *   example leaves it out; tokens here name no user to default to, so the
 *   example as written is 400 `missing_member`. `workspace_id` is needed
 *   unless the URL (or the `workspace_id` query) names it. `production_id`
 *   ("sometimes") is never needed; a production route gives it.
 * - Members are kept as sent: the example answers `file_name` "meowcats"
 *   and `mimetype` "video/mp4" to a request of "file.mp4" and "image/mp4",
 *   read as sample values. `file_type` is case-insensitive and stored in
 *   lower case.
 * - Status codes, which the seed never shows: create 201, update 200, delete
 *   200 with the seed's `success` document.
 * - Errors keep the shared `{"error": {"code", "message"}}` shape with
 *   `http_code` added inside, as in the delete's `success` document
 *   (registry/errors.ts).
 * - The seed's nested GET routes say "To create an asset for ..." under
 *   "List Assets": read as listing within that workspace or production.
 * - Scopes are query parameters named after the scope
 *   (`?assetType=video,image&completed=true`); booleans are true, false, 1
 *   or 0. The `scope` parameter listed for one asset has no stated meaning
 *   and is ignored; the URL and `workspace_id` scope a single asset.
 * - `include` works on lists too (the embeddable relationships are listed
 *   under "List Assets").
 * - Pages: `page` (the seed names none) from 1, `limit` 1..100, default 100
 *   as in the example. `links` is `[]` when there is no other page, as in
 *   the seed, else `{"previous"?, "next"?}` with URLs. `total` counts every
 *   match and `count` this page (the example's 4 beside one asset is
 *   shortened).
 * - `created_at` and `updated_at` are "YYYY-MM-DD HH:MM:SS" in UTC (the seed
 *   gives no zone).
 * - Every example request carries `Content-Type: application/json`, GET and
 *   DELETE too: it is ignored where there is no body.
 * - No thumbnails or previews are made here, so every `link_*` but
 *   `link_download` is null and `hasFailedJobs=true` matches every asset.
 * - PUT on a nested route cannot move the asset out of it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, ApiError } from '../core/errors.js';
import { mediaType, requestOrigin } from '../core/http.js';
import { fileNameProblem } from '../core/names.js';
import type { ObjectLookup } from '../core/object-store.js';
import { createAuthenticator, requireScope } from '../core/auth.js';
import type { ApiTokens } from '../core/auth.js';
import { parseJsonObject, readSmallBody } from '../core/body.js';
import { embedded, findProduction, findWorkspace, referenceProblem } from './fixtures.js';
import type { Include, References } from './fixtures.js';
import { ASSET_ID_PATTERN, assetDocument, filterOf, idParam, includesOf, integerParam, matches, RegistryStore } from './store.js';
import { isBucket, isFileType, isFlag, isId, isMimetype, isObjectKey, isSize } from './store.js';
import type { AssetChanges, AssetRecord, NewAsset } from './store.js';

export const REGISTRY_PREFIX = '/registry';

/** The largest (and default) page of a list. */
export const MAX_LIMIT = 100;

export interface RegistryOptions {
  readonly dataDir: string;
  /** Where the registered objects are: checked on create, linked to, removed on delete. */
  readonly objects: ObjectLookup;
  /** Bearer tokens and their scopes; none when absent (every request is refused). */
  readonly apiTokens?: ApiTokens | undefined;
  /** Fixed origin for the URLs handed out; default: the request's Host header. */
  readonly publicOrigin?: string | undefined;
}

export interface RegistryApi {
  init(): Promise<void>;
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>;
}

/** The workspace and production a request is confined to (by its URL, or `workspace_id`). */
interface Scope {
  readonly workspaceId?: string | undefined;
  readonly productionId?: string | undefined;
}

type Data = Readonly<Record<string, unknown>>;

const CREATE_MEMBERS = new Set([
  'workspace_id',
  'user_id',
  'production_id',
  'description_id',
  'bucket',
  'object_key',
  'file_name',
  'file_type',
  'size',
  'mimetype',
  'is_completed_production',
  'is_stock',
]);
const UPDATE_MEMBERS = new Set(['workspace_id', 'user_id', 'production_id', 'file_name', 'is_stock', 'is_transcoded']);
/**
 * Members a PUT may repeat but not change: the seed's own PUT example sends `bucket`,
 * `object_key`, `size`, `file_type` and `mimetype` beside the new `file_name`. Equal to
 * the stored value (file_type and mimetype case-insensitively): accepted and ignored.
 */
const FIXED_MEMBERS = new Set(['bucket', 'object_key', 'size', 'file_type', 'mimetype']);
const ROUTE = /^\/v1(?:\/workspaces\/([^/]+)(?:\/productions\/([^/]+))?)?\/assets(?:\/([^/]+))?\/?$/;

/** True when `pathname` belongs to this API (the prefix itself or anything under it). */
export function isRegistryPath(pathname: string): boolean {
  return pathname === REGISTRY_PREFIX || pathname.startsWith(`${REGISTRY_PREFIX}/`);
}

export function createRegistryApi(options: RegistryOptions): RegistryApi {
  const auth = createAuthenticator(options.apiTokens ?? new Map());
  const store = new RegistryStore(options.dataDir);
  const objects = options.objects;
  const originOf = (req: IncomingMessage): string => options.publicOrigin ?? requestOrigin(req);

  async function documentOf(req: IncomingMessage, asset: AssetRecord, includes: readonly Include[]): Promise<Record<string, unknown>> {
    const document = assetDocument(asset, await objects.downloadUrl(asset.bucket, asset.object_key, originOf(req)));
    for (const name of includes) document[name] = embedded(name, asset);
    return document;
  }

  async function create(req: IncomingMessage, res: ServerResponse, scope: Scope, query: URLSearchParams): Promise<void> {
    const includes = includesOf(query, badQuery);
    const data = await readData(req, 'the asset', CREATE_MEMBERS, (name) => `data has a member ${quoted(name)}, which a new asset does not have.`);
    const refs: References = {
      user_id: required(idMember(data, 'user_id'), 'user_id'),
      workspace_id: required(
        agreeing(idMember(data, 'workspace_id'), scope.workspaceId, 'workspace_id'),
        'workspace_id',
        ' unless the URL names the workspace',
      ),
      production_id: agreeing(nullableId(data, 'production_id'), scope.productionId, 'production_id') ?? null,
      description_id: nullableId(data, 'description_id') ?? null,
    };
    const problem = referenceProblem(refs);
    if (problem !== null) throw new ApiError(400, 'bad_reference', problem);
    const asset: NewAsset = {
      ...refs,
      bucket: required(member(data, 'bucket', isBucket, 'an S3 bucket name: 3 to 63 lowercase letters, digits, "." and "-"'), 'bucket'),
      object_key: required(member(data, 'object_key', isObjectKey, 'an object key: 1 to 1024 bytes of text without control characters'), 'object_key'),
      file_name: required(fileNameMember(data), 'file_name'),
      // Case-insensitive ("JPG" for IMG_0001.JPG), kept in lower case.
      file_type: required(
        member(data, 'file_type', isFileTypeAnyCase, 'the file extension without its dot: 1 to 16 letters and digits'),
        'file_type',
      ).toLowerCase(),
      size: required(member(data, 'size', isSize, 'a whole number of bytes, 0 or more'), 'size'),
      mimetype: required(member(data, 'mimetype', isMimetype, 'a media type such as "video/mp4" (type/subtype, no parameters)'), 'mimetype'),
      is_stock: flagMember(data, 'is_stock') ?? false,
      is_transcoded: false,
      is_completed_production: flagMember(data, 'is_completed_production') ?? false,
    };
    const record = await store.withLock(async () => {
      const twin = store.findObject(asset.bucket, asset.object_key);
      if (twin) {
        // The id lets a client whose first create's answer was lost find its asset.
        throw new ApiError(409, 'already_registered', `The object ${asset.object_key} in bucket ${asset.bucket} is already registered as asset ${twin.id}.`, {
          extra: { asset_id: twin.id },
        });
      }
      const object = await objects.head(asset.bucket, asset.object_key);
      if (object === null) {
        throw new ApiError(
          422,
          'object_missing',
          `There is no finished object ${asset.object_key} in bucket ${asset.bucket}; upload it before registering it.`,
        );
      }
      if (object.size !== asset.size) {
        throw new ApiError(422, 'size_mismatch', `data.size is ${asset.size} bytes, but the object ${asset.object_key} has ${object.size}.`);
      }
      return store.create(asset);
    });
    sendJson(res, 201, { data: await documentOf(req, record, includes) });
  }

  async function list(req: IncomingMessage, res: ServerResponse, pathname: string, scope: Scope, query: URLSearchParams): Promise<void> {
    const includes = includesOf(query, badQuery);
    const limit = integerParam(query, 'limit', 1, MAX_LIMIT, `a whole number from 1 to ${MAX_LIMIT}`, badQuery) ?? MAX_LIMIT;
    const page = integerParam(query, 'page', 1, Number.MAX_SAFE_INTEGER, 'a whole number, 1 or more', badQuery) ?? 1;
    const filter = filterOf(query, badQuery);
    const matching = store.list(scope).filter((asset) => matches(asset, filter));
    const totalPages = Math.max(1, Math.ceil(matching.length / limit));
    const shown = matching.slice((page - 1) * limit, page * limit);
    const pageUrl = (to: number): string => {
      const params = new URLSearchParams(query);
      params.set('page', String(to));
      return `${originOf(req)}${pathname}?${params}`;
    };
    const links: Record<string, string> = {};
    if (page > 1) links['previous'] = pageUrl(Math.min(page - 1, totalPages));
    if (page < totalPages) links['next'] = pageUrl(page + 1);
    const pagination = {
      total: matching.length,
      count: shown.length,
      per_page: limit,
      current_page: page,
      total_pages: totalPages,
      links: Object.keys(links).length === 0 ? [] : links,
    };
    const data = await Promise.all(shown.map((asset) => documentOf(req, asset, includes)));
    sendJson(res, 200, { data, meta: { pagination } });
  }

  async function show(req: IncomingMessage, res: ServerResponse, id: string, scope: Scope, query: URLSearchParams): Promise<void> {
    const includes = includesOf(query, badQuery);
    sendJson(res, 200, { data: await documentOf(req, existing(id, scope), includes) });
  }

  async function update(req: IncomingMessage, res: ServerResponse, id: string, scope: Scope, query: URLSearchParams): Promise<void> {
    const includes = includesOf(query, badQuery);
    const data = await readData(
      req,
      'the changes',
      new Set([...UPDATE_MEMBERS, ...FIXED_MEMBERS]),
      (name) => `data has a member ${quoted(name)}, which PUT cannot change; it takes ${[...UPDATE_MEMBERS].join(', ')}.`,
    );
    const given: AssetChanges = {
      workspace_id: agreeing(idMember(data, 'workspace_id'), scope.workspaceId, 'workspace_id'),
      user_id: idMember(data, 'user_id'),
      production_id: 'production_id' in data ? agreeing(nullableId(data, 'production_id'), scope.productionId, 'production_id') : undefined,
      file_name: fileNameMember(data),
      is_stock: flagMember(data, 'is_stock'),
      is_transcoded: flagMember(data, 'is_transcoded'),
    };
    const changes = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as AssetChanges;
    const record = await store.withLock(async () => {
      const current = existing(id, scope);
      const changed = [...FIXED_MEMBERS].find((name) => name in data && !sameValue(name, data[name], current[name as keyof AssetRecord]));
      if (changed !== undefined) {
        throw new ApiError(
          400,
          'read_only_member',
          `data.${changed} cannot change (it is ${JSON.stringify(current[changed as keyof AssetRecord])}): an asset stays tied to the object it was registered with; register another object as a new asset.`,
        );
      }
      const problem = referenceProblem({ ...current, ...changes });
      if (problem !== null) throw new ApiError(400, 'bad_reference', problem);
      return store.update(current, changes);
    });
    sendJson(res, 200, { data: await documentOf(req, record, includes) });
  }

  async function remove(res: ServerResponse, id: string, scope: Scope): Promise<void> {
    await store.withLock(async () => {
      const asset = existing(id, scope);
      // The record goes first: an object nobody refers to is harmless, an asset whose object is gone is not.
      await store.remove(asset.id);
      await objects.remove(asset.bucket, asset.object_key);
    });
    sendJson(res, 200, { success: { http_code: 200, message: 'Success' } });
  }

  /** The asset `id` when it exists within `scope`; 404 otherwise. */
  function existing(id: string, scope: Scope): AssetRecord {
    const asset = ASSET_ID_PATTERN.test(id) ? store.get(id) : undefined;
    if (asset === undefined || !matches(asset, scope)) {
      throw notFound(scope.workspaceId === undefined ? 'There is no such asset.' : 'There is no such asset in this workspace or production.');
    }
    return asset;
  }

  async function route(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const scopes = auth.scopesOf(req);
    const method = req.method ?? 'GET';
    const match = ROUTE.exec(pathname.slice(REGISTRY_PREFIX.length));
    if (!match) throw notFound('There is nothing at this address of the registry.');
    const [, workspaceId, productionId, item] = match;
    const isPublic = productionId !== undefined && item === 'public';
    const allowed = item === undefined ? ['GET', 'POST'] : isPublic ? ['POST'] : ['GET', 'PUT', 'DELETE'];
    if (!allowed.includes(method)) {
      const allow = [...allowed, 'OPTIONS'].join(', ');
      throw new ApiError(405, 'method_not_allowed', `This resource accepts ${allow}.`, { headers: { Allow: allow } });
    }
    requireScope(scopes, method === 'DELETE' ? 'assets_delete' : 'assets');
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const scope = scopeOf(workspaceId, productionId, query);
    if (isPublic && findProduction(productionId)?.is_public !== true) {
      throw new ApiError(403, 'production_not_public', `Production ${productionId} is not public; create its assets through its own collection.`);
    }
    if (item === undefined) return method === 'GET' ? list(req, res, pathname, scope, query) : create(req, res, scope, query);
    if (isPublic) return create(req, res, scope, query);
    if (method === 'GET') return show(req, res, item, scope, query);
    if (method === 'PUT') return update(req, res, item, scope, query);
    return remove(res, item, scope);
  }

  return {
    async init() {
      await store.init();
    },

    handle: route,
  };
}

/** The URL's workspace and production (404 when unknown or unrelated), else the query's `workspace_id`, which must agree with the URL. */
function scopeOf(workspaceId: string | undefined, productionId: string | undefined, query: URLSearchParams): Scope {
  if (workspaceId !== undefined && findWorkspace(workspaceId) === undefined) throw notFound(`There is no workspace ${workspaceId}.`);
  if (productionId !== undefined && findProduction(productionId)?.workspace_id !== workspaceId) {
    throw notFound(`There is no production ${productionId} in workspace ${workspaceId}.`);
  }
  const fromQuery = idParam(query, 'workspace_id', findWorkspace, 'workspace', badQuery);
  if (fromQuery !== undefined && workspaceId !== undefined && fromQuery !== workspaceId) {
    throw new ApiError(400, 'url_mismatch', `The query parameter workspace_id is ${fromQuery}, but the URL names ${workspaceId}; they must agree.`);
  }
  return { workspaceId: workspaceId ?? fromQuery, productionId };
}

/** The `data` object of a JSON body `{"data": {...}}`; a member not `allowed` is refused (400) with the sentence `refuse(name)`. */
async function readData(req: IncomingMessage, purpose: string, allowed: ReadonlySet<string>, refuse: (name: string) => string): Promise<Data> {
  if (mediaType(req) !== 'application/json') throw new ApiError(415, 'unsupported_media_type', `Send ${purpose} as application/json.`);
  const body = parseJsonObject((await readSmallBody(req)).toString('utf8'));
  const data = body['data'];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ApiError(400, 'malformed_body', `The body must be {"data": {...}}, with ${purpose} in data.`);
  }
  const extra = Object.keys(body).find((name) => name !== 'data');
  if (extra !== undefined) throw new ApiError(400, 'unknown_member', `The body has a member ${quoted(extra)}; only "data" is expected.`);
  const unknown = Object.keys(data).find((name) => !allowed.has(name));
  if (unknown !== undefined) {
    throw new ApiError(400, 'unknown_member', refuse(unknown));
  }
  return data as Data;
}

const isFileTypeAnyCase = (v: unknown): v is string => typeof v === 'string' && isFileType(v.toLowerCase());

/** Whether a repeated read-only member says what the asset holds (file_type and mimetype case-insensitively). */
function sameValue(name: string, given: unknown, stored: unknown): boolean {
  if ((name === 'file_type' || name === 'mimetype') && typeof given === 'string' && typeof stored === 'string')
    return given.toLowerCase() === stored.toLowerCase();
  return given === stored;
}

/** data[name] when it passes `check`; undefined when absent; 400 invalid_member saying `rule` otherwise. */
function member<T>(data: Data, name: string, check: (value: unknown) => value is T, rule: string): T | undefined {
  const value = data[name];
  if (value === undefined) return undefined;
  if (!check(value)) throw new ApiError(400, 'invalid_member', `data.${name} must be ${rule}.`);
  return value;
}

function idMember(data: Data, name: string): string | undefined {
  return member(data, name, isId, `an id such as "${name.slice(0, 3)}_…": lowercase letters, digits and "_"`);
}

function flagMember(data: Data, name: string): boolean | undefined {
  return member(data, name, isFlag, 'true or false');
}

function nullableId(data: Data, name: string): string | null | undefined {
  return data[name] === null ? null : idMember(data, name);
}

function fileNameMember(data: Data): string | undefined {
  const value = data['file_name'];
  if (value === undefined) return undefined;
  const problem = fileNameProblem(value);
  if (problem !== null) throw new ApiError(400, 'invalid_member', `data.${problem}`);
  return value as string;
}

/** `value`; 400 missing_member when it is not given. */
function required<T>(value: T | undefined, name: string, unless = ''): T {
  if (value === undefined) throw new ApiError(400, 'missing_member', `data.${name} is required${unless}.`);
  return value;
}

/** The id given in the body, else by the URL; 400 url_mismatch when both are given and differ. */
function agreeing<T extends string | null>(body: T | undefined, url: string | undefined, name: string): T | string | undefined {
  if (body !== undefined && url !== undefined && body !== url) {
    throw new ApiError(400, 'url_mismatch', `data.${name} is ${body === null ? 'null' : quoted(body)}, but the URL names ${url}; they must agree.`);
  }
  return body === undefined ? url : body;
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

function badQuery(name: string, rule: string): ApiError {
  return new ApiError(400, 'bad_query', `The query parameter ${name} must be ${rule}.`);
}

function notFound(message: string): ApiError {
  return new ApiError(404, 'not_found', message);
}
