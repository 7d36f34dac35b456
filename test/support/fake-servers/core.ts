/**
 * What the in-memory fakes of the six APIs share (the adapter contract suite's servers,
 * test/browser/unit/adapter-contract.test.ts).
 *
 * A fake answers `HttpRequest`s the way the reference server (demo/server) does, for the
 * exchanges of an upload: create, data, status, complete, abort. It keeps the bytes it
 * received, so a test can compare them with the file, and it is itself the `HttpStack`
 * the adapter gets (Blob bodies are read with `arrayBuffer()`). Its fault hooks:
 *
 * - `cutNext(n)`: the next data request's body breaks off after n bytes, and the request
 *   fails as a network error. The route is told (`cut`), and keeps the prefix only where
 *   the real server does.
 * - `answerNext(kind, answer)`: the next request of that kind gets `answer` and the
 *   server does nothing (a failing server, or a proxy in front of it); given a function,
 *   the server does its work and the function changes what the client sees (a server
 *   answering wrongly).
 */
import SparkMD5 from 'spark-md5';
import type { HttpRequest, HttpResponse, HttpStack } from '../../../src/engine/http.js';
import type { Asset } from '../../../src/engine/protocol.js';
import { UploadError, UploadErrorCode } from '../../../src/engine/upload-error.js';

export interface FakeRequest {
  readonly method: string;
  readonly url: URL;
  /** A request header, by name in any case. */
  header(name: string): string | undefined;
  /** The body's bytes; for a form, those of its file. */
  readonly bytes: Uint8Array;
  /** A form's text fields, and the order of every field (the file's too). */
  readonly fields: ReadonlyMap<string, string>;
  readonly fieldOrder: readonly string[];
  /** The body as JSON, or undefined when it is not JSON. */
  json(): unknown;
}

export interface FakeAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface Route {
  /** What the request is to this API: `create`, `data`, `sync`, `complete`, `abort`, `sign`… */
  readonly kind: string;
  /** It carries a part's bytes: `cutNext` applies to it. */
  readonly data?: boolean;
  /** A signed URL: the API's own credentials must not come with it. */
  readonly signed?: boolean;
  /** Does the work; `cut` when the body broke off (then the answer is never seen). */
  handle(request: FakeRequest, cut: boolean): FakeAnswer;
}

/** What the server holds of the upload in progress. */
export interface Held {
  readonly bytes: number;
  /** Numbered parts, for APIs that have them, in ascending order. */
  readonly parts?: readonly number[];
}

/** A replacing answer, `'network'` (no answer at all), or a change to the real answer. */
export type AnswerChange = FakeAnswer | 'network' | ((real: FakeAnswer) => FakeAnswer);

/** One request as the fake saw it, with what it answered. */
export interface Logged {
  readonly kind: string;
  readonly method: string;
  readonly url: string;
  answer?: FakeAnswer;
}

export abstract class FakeServer implements HttpStack {
  abstract readonly endpoint: string;
  /** Where a register-after-storing API stores the bytes (`ProtocolContext.storageEndpoint`). */
  readonly storageEndpoint: string | undefined;
  /** The request kinds of an upload on this API (cancelling aside), in the order an upload meets them. */
  abstract readonly kinds: readonly string[];
  /** Whether the API can delete an upload in progress (then a cancel must leave none). */
  abstract readonly deletes: boolean;
  /** Kinds whose failure an adapter may shrug off (tus discovery is optional). */
  readonly optionalKinds: readonly string[] = [];
  /** Kinds whose answer body the adapter has no use for. */
  readonly ignoredBodies: readonly string[] = [];
  /**
   * Changes to an answer (`bad-answers.ts` labels) that the adapter cannot do without:
   * each must make the call that got it reject at once.
   */
  readonly required: Readonly<Record<string, readonly string[]>> = {};
  /** Every request, in order. */
  readonly log: Logged[] = [];
  /** Every token and signature handed out: none may be in an adapter's saved state. */
  readonly secrets: string[] = [];
  /** Index in `log` of the request whose answer `answerNext` last replaced or changed. */
  changedAt = -1;
  #cut: number | undefined;
  readonly #changes: Array<{ kind: string; skip: number; answer: AnswerChange }> = [];

  /** Which route a request takes; `notFound` when none. */
  protected abstract route(request: FakeRequest): Route;
  /** What the server holds of the latest upload. */
  abstract held(): Held;
  /** Uploads neither finished nor deleted. */
  abstract openUploads(): number;
  /** The stored file behind an asset the adapter reported; undefined when there is none. */
  abstract fileOf(asset: Asset): Uint8Array | undefined;

  cutNext(bytes: number): void {
    this.#cut = bytes;
  }

  /** Changes the answer to the next request of `kind`, or to the one after `skip` others. */
  answerNext(kind: string, answer: AnswerChange, skip = 0): void {
    this.#changes.push({ kind, skip, answer });
  }

  count(kind: string): number {
    return this.log.filter((entry) => entry.kind === kind).length;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    if (request.signal?.aborted) throw new UploadError(UploadErrorCode.Aborted, 'Aborted before it was sent (fake).');
    const received = await read(request);
    const route = this.route(received);
    const entry: Logged = { kind: route.kind, method: request.method, url: request.url };
    const index = this.log.push(entry) - 1;
    const pending = this.#changes.findIndex((change) => change.kind === route.kind);
    let change: AnswerChange | undefined;
    if (pending >= 0) {
      const found = this.#changes[pending]!;
      if (found.skip > 0) found.skip--;
      else change = this.#changes.splice(pending, 1)[0]!.answer;
    }
    if (change !== undefined) this.changedAt = index;
    if (change === 'network') throw new UploadError(UploadErrorCode.Network, 'The network failed (fake).');
    let answer: FakeAnswer;
    if (change !== undefined && typeof change !== 'function') {
      answer = change;
    } else if (route.signed && /^Bearer /i.test(received.header('Authorization') ?? '')) {
      // The signature is the authorization: the API's token must never travel with it.
      answer = json(400, { error: { code: 'credentials_leaked', message: 'A signed URL got the API bearer token.' } });
    } else {
      const cut = route.data ? this.#cut : undefined;
      if (cut !== undefined) {
        this.#cut = undefined;
        route.handle({ ...received, bytes: received.bytes.subarray(0, cut) }, true);
        request.onUploadProgress?.(cut);
        throw new UploadError(UploadErrorCode.Network, `The connection broke after ${cut} bytes (fake).`);
      }
      answer = route.handle(received, false);
      if (change !== undefined) answer = change(answer);
    }
    entry.answer = answer;
    request.onUploadProgress?.(received.bytes.length);
    const headers = new Map(Object.entries(answer.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    return { status: answer.status, url: request.url, header: (name) => headers.get(name.toLowerCase()) ?? null, body: answer.body ?? '' };
  }

  protected notFound(): Route {
    return { kind: 'unknown', handle: () => json(404, { error: { code: 'not_found', message: 'No such route (fake).' } }) };
  }
}

async function read(request: HttpRequest): Promise<FakeRequest> {
  const headers = new Map(Object.entries(request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const fields = new Map<string, string>();
  const fieldOrder: string[] = [];
  let bytes = new Uint8Array(0);
  const body = request.body;
  if (body instanceof Blob) bytes = new Uint8Array(await body.arrayBuffer());
  else if (typeof body === 'string') bytes = new TextEncoder().encode(body);
  else if (body instanceof FormData) {
    for (const [name, value] of body) {
      fieldOrder.push(name);
      if (typeof value === 'string') fields.set(name, value);
      else bytes = new Uint8Array(await value.arrayBuffer());
    }
  }
  return {
    method: request.method,
    url: new URL(request.url),
    header: (name) => headers.get(name.toLowerCase()),
    bytes,
    fields,
    fieldOrder,
    json: () => {
      if (body instanceof FormData) return undefined;
      try {
        return JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        return undefined;
      }
    },
  };
}

/** A JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeAnswer {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** The request's JSON object body, or undefined. */
export function objectBody(request: FakeRequest): Record<string, unknown> | undefined {
  const body = request.json();
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

export function md5Hex(bytes: Uint8Array): string {
  return SparkMD5.ArrayBuffer.hash(bytes.slice().buffer);
}

/** The `Content-MD5` form: base64 of the 16-byte digest. */
export function md5Base64(bytes: Uint8Array): string {
  const hex = md5Hex(bytes);
  let binary = '';
  for (let i = 0; i < hex.length; i += 2) binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return btoa(binary);
}

/** A growing byte store: a file's bytes as they arrive, at most `size`. */
export class Bytes {
  readonly data: Uint8Array;
  length = 0;

  constructor(size: number) {
    this.data = new Uint8Array(size);
  }

  append(bytes: Uint8Array): void {
    this.data.set(bytes, this.length);
    this.length += bytes.length;
  }

  get full(): boolean {
    return this.length === this.data.length;
  }
}

let serial = 0;
/**
 * An id no other fake upload has. Ids are digits (the seeds show numbers; a client reads
 * either as text); tokens and signatures get a prefix, so that none is part of an id.
 */
export function newId(prefix = ''): string {
  serial += 1;
  return `${prefix}${1_000_000 + serial}`;
}
