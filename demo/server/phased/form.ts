/**
 * Streaming multipart/form-data reader for the phased API.
 *
 * Why this exists: a chunk must go straight from the socket to its place in
 * the data file, and whether it may go there depends on the fields sent
 * before it (`upload_phase`, `start_offset`). busboy hands out fields and
 * files in the order they appear in the body; this wrapper calls the route's
 * handlers in that order and turns every way a form can go wrong (malformed
 * body, too many parts, client gone, a handler refusing) into one rejection,
 * given only after every file handler has stopped touching the disk, so the
 * caller can then undo what was written.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { requestGone } from '../core/http.js';
import { SMALL_BODY_LIMIT } from '../core/body.js';
import type { Write } from './store.js';
import { ApiError } from '../core/errors.js';

export interface FileInfo {
  readonly filename: string | undefined;
  readonly mimeType: string;
}

export interface FormHandlers {
  /** A text field, in body order; throw to refuse the form. */
  field(name: string, value: string): void;
  /**
   * A file part, in body order. Called synchronously when the part begins, so
   * that checks against the fields seen so far are made before any later
   * field is read: throw (synchronously) to refuse the part, or return a
   * promise that consumes `stream`.
   */
  file(name: string, stream: Readable, info: FileInfo): Promise<void>;
}

/**
 * Reads the multipart body of `req`, files being at most `maxFileBytes` long
 * as far as busboy is concerned (handlers enforce their own exact limits).
 */
export function readForm(req: IncomingMessage, maxFileBytes: number, handlers: FormHandlers): Promise<void> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8', // browsers send file names as raw UTF-8
      limits: { fileSize: maxFileBytes + 1, fields: 50, fieldSize: SMALL_BODY_LIMIT, files: 10, parts: 60 },
    });
  } catch {
    return Promise.reject(malformed('The multipart/form-data body has no usable boundary.'));
  }

  return new Promise<void>((resolve, reject) => {
    const pending = new Set<Promise<void>>();
    const streams = new Set<Readable>();
    let failure: unknown;
    let failed = false;
    let settled = false;

    const settle = (): void => {
      void Promise.allSettled([...pending]).then(() => {
        if (settled) return;
        settled = true;
        req.off('close', onRequestClose);
        req.unpipe(parser);
        if (failed) reject(failure);
        else resolve();
      });
    };
    const fail = (err: unknown): void => {
      if (failed || settled) return;
      failed = true;
      failure = err;
      req.unpipe(parser);
      for (const stream of streams) stream.destroy(malformed('The form was abandoned.'));
      parser.destroy();
      settle();
    };
    const onRequestClose = (): void => {
      if (!req.complete) fail(malformed('The client went away before the form was complete; nothing of it was kept.'));
    };

    parser.on('field', (name, value, info) => {
      if (failed) return;
      if (info.valueTruncated) {
        fail(new ApiError(413, 'body_too_large', `The field "${name}" is longer than ${SMALL_BODY_LIMIT} bytes.`));
        return;
      }
      try {
        handlers.field(name, value);
      } catch (err) {
        fail(err);
      }
    });
    parser.on('file', (name, stream, info) => {
      // busboy destroys an unfinished part with an error when the form fails; that is reported through `fail`.
      stream.on('error', () => {});
      if (failed) {
        stream.resume();
        return;
      }
      let consuming: Promise<void>;
      try {
        consuming = handlers.file(name, stream, { filename: info.filename, mimeType: info.mimeType });
      } catch (err) {
        stream.resume();
        fail(err);
        return;
      }
      streams.add(stream);
      const work = consuming.then(
        () => {
          streams.delete(stream);
          // A handler that did not read its part would stall the form.
          if (!stream.readableEnded) stream.resume();
        },
        (err: unknown) => {
          streams.delete(stream);
          fail(err);
        },
      );
      pending.add(work);
    });
    const tooMany = (): void => fail(malformed('The form has too many parts.'));
    parser.on('partsLimit', tooMany);
    parser.on('filesLimit', tooMany);
    parser.on('fieldsLimit', tooMany);
    parser.on('error', () => fail(malformed('The multipart/form-data body is malformed or was cut short.')));
    parser.on('close', () => {
      if (!failed) settle();
    });
    req.on('close', onRequestClose);
    // Called after a lock wait and a record load: the client may have left already, its
    // 'close' unheard (seen in WebKit under load: a reset transfer held the asset for good).
    if (requestGone(req)) onRequestClose();
    req.pipe(parser);
  });
}

/** Writes every byte of a file part with `write`, in order. */
export async function copyPart(stream: Readable, write: Write): Promise<void> {
  for await (const chunk of stream) await write(chunk as Buffer);
}

function malformed(message: string): ApiError {
  return new ApiError(400, 'malformed_body', message);
}
