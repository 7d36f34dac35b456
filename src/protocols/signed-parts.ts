/**
 * `signed-parts`: S3 multipart behind an API (shared/seeds/003, Wunderlist uploads).
 *
 * - `endpoint` is the uploads collection (`POST …/uploads`); the API's bearer token goes
 *   in the element's `token`.
 * - Create: `POST <endpoint>` `{content_type, file_name, file_size}` -> upload `id`.
 *   The seed lets the first part come with the create; here every part, the first too,
 *   is asked for once its MD5 is known, so each signature covers its part's MD5.
 * - Each part: `GET <endpoint>/<id>/parts?part_number=N&md5sum=<base64>` -> `{url, date,
 *   authorization}`; then `PUT url` with exactly `Content-Type: ""`, `Authorization`,
 *   `x-amz-date` and `Content-MD5`, and none of the API's credentials. A part may instead
 *   carry `headers`, the exact headers to send: a presigned S3 URL has its signature in
 *   the query and needs only `Content-MD5` (the reference server's S3 mode does this;
 *   the seed's three headers would make S3 refuse two signatures). The store answers the
 *   part's `ETag` (its MD5 in hex), checked against the MD5 computed here.
 * - Part numbers start at 1; parts are independent and go several at a time.
 * - Resume: `GET <endpoint>/<id>` lists the parts the store holds. The seed has no such
 *   call; a client that must resume needs one (S3's ListParts), so the reference server
 *   has it.
 * - Finish: `PATCH <endpoint>/<id>` `{state: "finished"}`; `400` when no part was sent.
 * - Cancel: `DELETE <endpoint>/<id>`, best effort (not in the seed, which garbage-collects
 *   abandoned uploads; the reference server has it, so a cancel frees the parts now).
 * - The store's errors are S3 XML: `BadDigest` (re-send), `AccessDenied` "expired" or
 *   `SignatureDoesNotMatch` (ask for a fresh signature). A failed PUT past the part's
 *   `expires_at` counts as expired too: Ceph RGW refuses an expired URL without CORS
 *   headers, so the browser only sees a network failure.
 *
 * Readings:
 * - Ids: the seed's are integers (2000); any number or string is kept as text.
 * - md5sum: the seed gives no encoding; it is sent as the base64 of the part's MD5 (what
 *   `Content-MD5` takes), and the same value goes in the PUT's `Content-MD5`, since a
 *   signature made over an MD5 needs it. Without checksums, neither is sent and the PUT
 *   carries only the seed's three headers.
 * - `Content-Type: ""` is sent as an empty header, as the seed insists. `date` and
 *   `authorization` go back unchanged; their format is not read. `expires_at` (ISO 8601)
 *   is read only to call a network failure after it an expired URL.
 * - Status codes: create `201` (as the seed shows; `200` taken too), a part `200`, finish
 *   `200`. The store's PUT answers `200` or `204`; its `ETag`, when readable, must be the
 *   part's MD5 in hex.
 * - Finish sends `{"state": "finished"}` only: the table's `id` is the URL's. The seed's
 *   example puts "200 OK" over this request body; read as a slip. The answer's
 *   `file_name`, `file_size`, `url` and `md5` are used when present, else the file's own.
 *   Its `400` (no parts) is a client error and is not retried.
 * - "If an upload fails, simply create a new upload": a saved upload the server no longer
 *   knows (`404`/`410`) is started afresh.
 * - Part sizes: the seed gives none; S3's limits hold (5 MiB but the last, at most 10,000
 *   parts, 5 GiB each).
 */
import { systemClock } from '../engine/clock.js';
import { errorFromResponse, jsonOf, type HttpResponse } from '../engine/http.js';
import { UploadError, UploadErrorCode } from '../engine/upload-error.js';
import { countOf, idOf } from './members.js';
import { itemUrl } from './location.js';
import type {
  ProtocolCapabilities,
  Asset,
  Json,
  JsonObject,
  PartToSend,
  Protocol,
  ProtocolContext,
  ProtocolUpload,
  ServerProgress,
  UploadTarget,
} from '../engine/protocol.js';

/**
 * S3's multipart limits: parts of 5 MiB to 5 GiB, at most 10,000. Written as literals: an
 * expression here (`5 * MiB`) would make bundlers keep this module in apps that import it
 * and use none of it.
 */
export const s3PartCapabilities: ProtocolCapabilities = {
  ordered: false,
  partChecksum: 'optional',
  minPartSize: 5_242_880,
  maxPartSize: 5_368_709_120,
  maxParts: 10_000,
};

export const signedParts: Protocol = {
  name: 'signed-parts',
  capabilities: s3PartCapabilities,
  create: (context, target) => new SignedPartsUpload(context, target),
};

class SignedPartsUpload implements ProtocolUpload {
  readonly #context: ProtocolContext;
  readonly #target: UploadTarget;
  #id: string | undefined;

  constructor(context: ProtocolContext, target: UploadTarget) {
    this.#context = context;
    this.#target = target;
  }

  saveState(): JsonObject | undefined {
    return this.#id === undefined ? undefined : { id: this.#id };
  }

  async open(signal: AbortSignal, saved?: JsonObject): Promise<ServerProgress> {
    if (saved && typeof saved['id'] === 'string') {
      this.#id = saved['id'];
      return this.sync(signal);
    }
    const response = await this.#context.http.request({
      method: 'POST',
      url: this.#context.endpoint,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ content_type: this.#target.type || 'application/octet-stream', file_name: this.#target.name, file_size: this.#target.size }),
      signal,
    });
    if (response.status !== 201 && response.status !== 200) throw errorFromResponse(response, 'Creating the upload');
    const json = jsonOf(response, 'Creating the upload');
    this.#id = idOf(json['id'], 'Creating the upload');
    if (this.#id === undefined) throw new UploadError(UploadErrorCode.BadResponse, 'Creating the upload: the server sent no id.');
    return { offset: 0, parts: [] };
  }

  async sync(signal: AbortSignal): Promise<ServerProgress> {
    const response = await this.#context.http.request({ method: 'GET', url: this.#url(), headers: { Accept: 'application/json' }, signal });
    if (response.status === 404 || response.status === 410)
      throw new UploadError(UploadErrorCode.SessionExpired, `The server no longer knows this upload (${response.status}).`, { status: response.status });
    if (response.status !== 200) throw errorFromResponse(response, 'Listing the uploaded parts');
    const json = jsonOf(response, 'Listing the uploaded parts');
    const parts = json['parts'];
    // The list is the truth the upload goes on from: without one, nothing can be said.
    if (!Array.isArray(parts)) throw new UploadError(UploadErrorCode.BadResponse, 'Listing the uploaded parts: the server sent no list of parts.');
    let offset = 0;
    const numbers: number[] = [];
    for (const part of parts as unknown[]) {
      const listed = (typeof part === 'object' && part !== null ? part : {}) as Record<string, unknown>;
      const number = countOf(listed['part_number']);
      const size = countOf(listed['size']);
      if (!Number.isSafeInteger(number) || number < 1 || !Number.isSafeInteger(size) || size < 0)
        throw new UploadError(UploadErrorCode.BadResponse, 'The server listed a part the protocol does not allow.');
      numbers.push(number);
      offset += size;
    }
    return { offset, parts: numbers };
  }

  async send(part: PartToSend): Promise<ServerProgress> {
    const number = part.number;
    if (number === undefined) throw new UploadError(UploadErrorCode.BadResponse, 'signed-parts sends numbered parts only.');
    const query = new URLSearchParams({ part_number: String(number), ...(part.md5 === undefined ? {} : { md5sum: part.md5 }) });
    const signing = await this.#context.http.request({
      method: 'GET',
      url: `${this.#url('/parts')}?${query}`,
      headers: { Accept: 'application/json' },
      signal: part.signal,
    });
    if (signing.status !== 200) throw errorFromResponse(signing, `Asking to send part ${number}`);
    const signed = jsonOf(signing, `Asking to send part ${number}`)['part'] as Record<string, unknown> | undefined;
    const url = signed?.['url'];
    const headers = typeof url === 'string' ? headersToSend(signed ?? {}, part.md5) : undefined;
    if (typeof url !== 'string' || headers === undefined) {
      throw new UploadError(UploadErrorCode.BadResponse, `The server sent no usable signature for part ${number}.`);
    }
    // Exactly the signer's headers; the API's bearer token never goes to the store.
    const expiresAt = typeof signed?.['expires_at'] === 'string' ? Date.parse(signed['expires_at']) : Number.NaN;
    let response: HttpResponse;
    try {
      response = await this.#context.http.request({
        method: 'PUT',
        url,
        anonymous: true,
        headers,
        body: part.body,
        signal: part.signal,
        onUploadProgress: part.onProgress,
      });
    } catch (err) {
      // A store may refuse an expired URL without CORS headers (Ceph RGW does), which a
      // browser reports as a network failure: past `expires_at`, call it what it is.
      if (err instanceof UploadError && err.code === UploadErrorCode.Network && (this.#context.clock ?? systemClock).now() >= expiresAt) {
        throw new UploadError(UploadErrorCode.UrlExpired, `Part ${number}'s signed URL expired before the store took it; asking for a fresh one.`);
      }
      throw err;
    }
    if (response.status === 200 || response.status === 204) {
      const etag = (response.header('ETag') ?? '').replace(/"/g, '').toLowerCase();
      if (part.md5 !== undefined && etag !== '' && etag !== hexOf(part.md5)) {
        throw new UploadError(UploadErrorCode.ChecksumMismatch, `The store holds part ${number} with another digest (ETag ${etag}).`);
      }
      return { offset: part.end, parts: [number] };
    }
    throw storeError(response, number);
  }

  async complete(signal: AbortSignal): Promise<Asset> {
    const response = await this.#context.http.request({
      method: 'PATCH',
      url: this.#url(),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ state: 'finished' }),
      signal,
    });
    if (response.status !== 200) throw errorFromResponse(response, 'Finishing the upload');
    const json = jsonOf(response, 'Finishing the upload');
    return {
      id: idOf(json['id'], 'Finishing the upload') ?? this.#id!,
      name: typeof json['file_name'] === 'string' ? json['file_name'] : this.#target.name,
      size: typeof json['file_size'] === 'number' ? json['file_size'] : this.#target.size,
      ...(typeof json['url'] === 'string' ? { url: json['url'] } : {}),
      ...(typeof json['md5'] === 'string' ? { md5: json['md5'] } : {}),
      raw: json as Json,
    };
  }

  async abort(): Promise<void> {
    if (this.#id === undefined) return;
    // Not in the seed, which garbage-collects abandoned uploads: a server that has it frees
    // the parts now (the reference server aborts the S3 multipart upload). Best effort.
    await this.#context.http.request({ method: 'DELETE', url: this.#url() }).catch(() => undefined);
  }

  #url(suffix = ''): string {
    if (this.#id === undefined) throw new UploadError(UploadErrorCode.BadResponse, 'The upload has no id yet; create it first.');
    return itemUrl(this.#context.endpoint, this.#id, suffix);
  }
}

/**
 * The headers of a part's PUT: the part's own `headers` when it has them (a presigned
 * S3 URL, whose signature is in the query: then only Content-MD5), else the seed's
 * `Content-Type: ""`, `Authorization` and `x-amz-date`, plus Content-MD5 when known.
 * Undefined when the part has neither usable form.
 */
function headersToSend(signed: Record<string, unknown>, md5: string | undefined): Record<string, string> | undefined {
  const given = signed['headers'];
  if (given !== undefined && given !== null) {
    if (typeof given !== 'object' || Array.isArray(given)) return undefined;
    const entries = Object.entries(given as Record<string, unknown>);
    if (!entries.every(([name, value]) => typeof value === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))) return undefined;
    const headers = Object.fromEntries(entries) as Record<string, string>;
    const signedMd5 = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-md5')?.[1];
    // A signature over another MD5 than this part's could only store other bytes.
    if (md5 !== undefined && signedMd5 !== undefined && signedMd5 !== md5) return undefined;
    return headers;
  }
  if (typeof signed['authorization'] !== 'string' || typeof signed['date'] !== 'string') return undefined;
  const headers: Record<string, string> = { 'Content-Type': '', Authorization: signed['authorization'], 'x-amz-date': signed['date'] };
  if (md5 !== undefined) headers['Content-MD5'] = md5;
  return headers;
}

/** S3's XML errors: `<Error><Code>…</Code><Message>…</Message></Error>`. */
function storeError(response: HttpResponse, number: number): UploadError {
  const code = /<Code>([^<]*)<\/Code>/.exec(response.body)?.[1] ?? '';
  const message = /<Message>([^<]*)<\/Message>/.exec(response.body)?.[1] ?? '';
  const options = { status: response.status, ...(code ? { serverCode: code } : {}) };
  if (code === 'BadDigest' || code === 'InvalidDigest')
    return new UploadError(UploadErrorCode.ChecksumMismatch, `The store rejected part ${number}'s checksum.`, options);
  if (response.status === 403 && (code === 'AccessDenied' || code === 'SignatureDoesNotMatch' || code === 'RequestTimeTooSkewed' || code === '')) {
    return new UploadError(
      UploadErrorCode.UrlExpired,
      `The store refused part ${number}'s signature${message ? ` (${message})` : ''}; asking for a fresh one.`,
      options,
    );
  }
  if (code === 'NoSuchUpload') return new UploadError(UploadErrorCode.SessionExpired, 'The store no longer knows this upload.', options);
  return errorFromResponse(response, `Sending part ${number}`);
}

function hexOf(base64: string): string {
  let hex = '';
  for (const char of atob(base64)) hex += char.charCodeAt(0).toString(16).padStart(2, '0');
  return hex;
}
