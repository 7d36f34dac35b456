/**
 * Lagoa upload sessions as demo/server/session.ts answers them: `POST` makes one session
 * with a signed URL per file; `PUT` to that URL takes the whole file (checked against
 * `Content-MD5`; a cut-off one is not kept; a repeated one replaces it); `PUT
 * <session>.json` commits once (409 `session_committed` after); `GET <session>.json`
 * tells each file's status: `transcoding` at the first look after the commit, `done`
 * (its one asset) at the next. The API deletes nothing.
 */
import type { Asset } from '../../../src/engine/protocol.js';
import { needed, neededId, typed } from '../bad-answers.js';
import { FakeServer, json, md5Base64, md5Hex, newId, objectBody, type FakeAnswer, type FakeRequest, type Held, type Route } from './core.js';

const ORIGIN = 'https://lagoa.example.test';

interface SessionFile {
  readonly name: string;
  readonly signature: string;
  bytes?: Uint8Array;
  status: 'waiting' | 'uploaded' | 'transcoding' | 'done' | 'error';
  /** The asset it produced, once done. */
  asset?: string;
}

interface Session {
  readonly token: string;
  readonly files: SessionFile[];
  committed: boolean;
}

export class FakeSession extends FakeServer {
  readonly endpoint = `${ORIGIN}/session/v1/upload_sessions.json`;
  readonly kinds = ['create', 'data', 'commit', 'status'];
  readonly deletes = false;
  // The file's PUT answers {name, size, md5}; the adapter has no use for it.
  override readonly ignoredBodies = ['data'];
  override readonly required = {
    create: [...needed('session_token', 'files[0].name', 'files[0].url'), ...typed('files', 'files[0]', 'errors')],
    commit: typed('files', 'files[0]'),
    status: typed('files', 'files[0]'),
    // The second look: the file is done, with its asset.
    'status #2': [...needed('files[0].assets'), ...typed('files[0].assets[0]'), ...neededId('files[0].assets[0].id')],
  };
  readonly #sessions = new Map<string, Session>();
  readonly #assets = new Map<string, Uint8Array>();
  #latest: Session | undefined;

  held(): Held {
    return { bytes: this.#latest?.files[0]?.bytes?.length ?? 0 };
  }

  openUploads(): number {
    return [...this.#sessions.values()].filter((session) => !session.committed).length;
  }

  fileOf(asset: Asset): Uint8Array | undefined {
    const produced = asset.produced ?? [];
    return produced.length === 1 ? this.#assets.get(produced[0]!.id) : undefined;
  }

  protected route(request: FakeRequest): Route {
    const { method, url } = request;
    if (url.origin !== ORIGIN) return this.notFound();
    if (url.href === this.endpoint && method === 'POST') return { kind: 'create', handle: () => this.#create(request) };
    const blob = /^\/session\/v1\/blobs\/([^/]+)\/(\d+)$/.exec(url.pathname);
    if (blob && method === 'PUT') {
      return { kind: 'data', data: true, signed: true, handle: (sent, cut) => this.#put(this.#sessions.get(blob[1]!)?.files[Number(blob[2])], sent, cut) };
    }
    const token = /^\/session\/v1\/upload_sessions\/([^/]+)\.json$/.exec(url.pathname)?.[1];
    const session = token === undefined ? undefined : this.#sessions.get(token);
    if (token === undefined) return this.notFound();
    if (method === 'PUT') return { kind: 'commit', handle: () => (session ? this.#commit(session) : gone()) };
    if (method === 'GET') return { kind: 'status', handle: () => (session ? this.#status(session) : gone()) };
    return this.notFound();
  }

  #create(request: FakeRequest): FakeAnswer {
    const files = objectBody(request)?.['files'];
    if (!Array.isArray(files) || files.length === 0) return json(400, { error: { code: 'malformed_body', message: 'files is a list of {name}.' } });
    const session: Session = { token: newId('tok'), files: [], committed: false };
    const errors: object[] = [];
    for (const file of files as Array<{ name?: unknown }>) {
      if (typeof file?.name !== 'string' || file.name.includes('/'))
        errors.push({ name: file?.name ?? null, code: 'bad_file_name', message: 'A file name cannot contain "/".' });
      else session.files.push({ name: file.name, signature: newId('sig'), status: 'waiting' });
    }
    this.#sessions.set(session.token, session);
    this.#latest = session;
    this.secrets.push(session.token, ...session.files.map((file) => file.signature));
    const urls = session.files.map((file, index) => ({
      name: file.name,
      url: `${ORIGIN}/session/v1/blobs/${session.token}/${index}?expires=1893456000&signature=${file.signature}`,
    }));
    return json(200, { response_code: 200, session_token: session.token, files: urls, errors });
  }

  #put(file: SessionFile | undefined, request: FakeRequest, cut: boolean): FakeAnswer {
    if (!file || request.url.searchParams.get('signature') !== file.signature) {
      return json(403, { error: { code: 'signature_invalid', message: 'This upload URL is not valid.' } });
    }
    if (this.#latest?.committed) return json(409, { error: { code: 'session_committed', message: 'This upload session is already committed.' } });
    if (cut) return { status: 0 };
    const digest = request.header('Content-MD5');
    if (digest !== undefined && digest !== md5Base64(request.bytes)) {
      return json(400, { error: { code: 'bad_digest', message: 'The MD5 of the received file does not match Content-MD5; the file was not kept.' } });
    }
    file.bytes = request.bytes.slice();
    file.status = 'uploaded';
    return json(200, { name: file.name, size: file.bytes.length, md5: md5Hex(file.bytes) });
  }

  #commit(session: Session): FakeAnswer {
    if (session.committed) return json(409, { error: { code: 'session_committed', message: 'This upload session is already committed.' } });
    session.committed = true;
    for (const file of session.files) file.status = file.status === 'uploaded' ? 'transcoding' : 'error';
    return json(200, {
      files: session.files.map((file) =>
        file.status === 'transcoding'
          ? { name: file.name, status_code: 200, status_message: 'OK' }
          : { name: file.name, status_code: 400, status_message: 'The file was not uploaded.' },
      ),
    });
  }

  #status(session: Session): FakeAnswer {
    const answer = json(200, {
      files: session.files.map((file) => ({
        name: file.name,
        status: file.status,
        ...(file.status === 'error' ? { status_message: 'The file was not uploaded.' } : {}),
        assets: file.asset
          ? [{ id: file.asset, name: file.name, url: `${ORIGIN}/session/v1/assets/${file.asset}`, size: file.bytes!.length, md5: md5Hex(file.bytes!) }]
          : [],
      })),
      errors: [],
    });
    // Processing takes one look: the next answer says done.
    for (const file of session.files) {
      if (file.status !== 'transcoding') continue;
      file.status = 'done';
      file.asset = newId();
      this.#assets.set(file.asset, file.bytes!);
    }
    return answer;
  }
}

function gone(): FakeAnswer {
  return json(404, { error: { code: 'not_found', message: 'No such session.' } });
}
