/**
 * The S3 mode of /signed-parts: the parts go from the browser straight to a
 * real S3 (AWS, Ceph RGW, MinIO, R2); this server only signs and records.
 *
 * Why this exists: one machine's disk is where the embedded mode stops. Here
 * every S3 request is made and signed by the AWS SDK (no hand-written
 * SigV4):
 * - a new upload is a CreateMultipartUpload on `signed-parts/<upload id>`
 *   (never the file's name);
 * - a part is, by default (S3_PART_SIGNATURE=url), a presigned UploadPart
 *   URL (SigV4 query-string signature, lifetime SIGNED_PARTS_TTL) that covers
 *   the part's Content-MD5, so S3 itself refuses a corrupted part (400
 *   BadDigest) and a changed or missing MD5 (403). The part object says so in
 *   `headers: {"Content-MD5": …}` (the only header to send) and has no
 *   `authorization` member, the signature being in the URL;
 * - with S3_PART_SIGNATURE=header, a part is what the seed shows: a plain
 *   UploadPart URL, a `date` and an `authorization` of the form
 *   `AWS <key>:<signature>`, S3's header signature (version 2: HMAC-SHA1 over
 *   the verb, Content-MD5, the empty Content-Type, `x-amz-date` and the
 *   resource), so a client written from the seed alone (`Content-Type: ""`,
 *   `Authorization`, `x-amz-date`, and Content-MD5 when it gave `md5sum`) is
 *   let in by S3. Ceph RGW and MinIO take it, as do AWS buckets that still
 *   allow version 2 (new AWS regions do not: keep the default there). Such a
 *   signature is good while S3 accepts the date (15 minutes of clock skew),
 *   so `expires_at` is at most that. Hand-written, because the AWS SDK no
 *   longer signs version 2; the tests check it against RGW;
 * - the parts an upload holds are S3's ListParts (all pages);
 * - finishing checks that list (1..n, 5 MiB but the last, the declared
 *   size), sends CompleteMultipartUpload with S3's own ETags, then reads the
 *   object with HeadObject: Ceph RGW 16 answers Complete with an empty ETag,
 *   and the size is checked once more against the record;
 * - abandoning an upload (DELETE) is AbortMultipartUpload, so S3 frees its
 *   parts (a bucket lifecycle rule AbortIncompleteMultipartUpload catches
 *   the uploads nobody finishes or deletes);
 * - a download is a 302 to a presigned GetObject that forces an attachment
 *   named after the file, as application/octet-stream.
 *
 * The client is created with `requestChecksumCalculation` and
 * `responseChecksumValidation` set to WHEN_REQUIRED: the SDK's default CRC32
 * checksums make RGW 16 refuse streamed bodies (411), and a presigned URL
 * with a checksum parameter could not be used by a browser.
 *
 * The bucket must exist and allow the page's origin by CORS, with `ETag`
 * exposed (README, "S3 mode"); init() checks that it exists and says what is
 * wrong when not.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListPartsCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentDisposition } from '../core/http.js';
import type { ObjectLookup } from '../core/object-store.js';
import { checkParts, isoSeconds, objectKey, uploadIdOfKey } from './backend.js';
import type { PartsBackend, SignedPart } from './backend.js';
import type { LocalPartStore, PartRecord, UploadRecord } from './store.js';
import { ApiError } from '../core/errors.js';

export interface S3Config {
  /** e.g. http://127.0.0.1:7480 or https://s3.eu-west-1.amazonaws.com: where this server reaches S3. */
  readonly endpoint: string;
  /** Where browsers reach the same S3, when not at `endpoint` (a container network, say): the URLs handed out are signed for it. */
  readonly publicEndpoint?: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKey: string;
  readonly secretKey: string;
  /** How a part's PUT is signed: a presigned URL (SigV4, default) or the seed's `Authorization` header (SigV2). */
  readonly partSignature?: 'url' | 'header';
}

/** How long S3 accepts a header signature's date: its allowed clock skew. */
const HEADER_SIGNATURE_SECONDS = 900;

/** Lifetime of a download link. */
const DOWNLOAD_TTL_SECONDS = 300;

/** Reads S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION and S3_PUBLIC_ENDPOINT: undefined when none is set, an Error naming what is missing when only some are. */
export function s3ConfigFromEnv(env: NodeJS.ProcessEnv): S3Config | undefined {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const endpoint = read('S3_ENDPOINT');
  const bucket = read('S3_BUCKET');
  const accessKey = read('S3_ACCESS_KEY');
  const secretKey = read('S3_SECRET_KEY');
  const region = read('S3_REGION') ?? 'us-east-1';
  if ([endpoint, bucket, accessKey, secretKey].every((value) => value === undefined)) return undefined;
  const missing = Object.entries({ S3_ENDPOINT: endpoint, S3_BUCKET: bucket, S3_ACCESS_KEY: accessKey, S3_SECRET_KEY: secretKey })
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  if (missing.length > 0) throw new Error(`S3 mode needs ${missing.join(', ')} as well (or no S3_* variable, for the embedded store).`);
  const publicEndpoint = read('S3_PUBLIC_ENDPOINT');
  const partSignature = read('S3_PART_SIGNATURE') ?? 'url';
  if (partSignature !== 'url' && partSignature !== 'header')
    throw new Error(
      `S3_PART_SIGNATURE must be "url" (presigned SigV4 URLs, the default) or "header" (the seed's Authorization header, SigV2), not "${partSignature}".`,
    );
  return {
    partSignature,
    endpoint: originOf('S3_ENDPOINT', endpoint as string),
    ...(publicEndpoint === undefined ? {} : { publicEndpoint: originOf('S3_PUBLIC_ENDPOINT', publicEndpoint) }),
    bucket: bucket as string,
    region,
    accessKey: accessKey as string,
    secretKey: secretKey as string,
  };
}

function originOf(name: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${name} must be a URL such as http://127.0.0.1:7480, not "${text}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must be an http: or https: URL, not "${text}".`);
  return url.origin;
}

export function createS3Backend(store: LocalPartStore, config: S3Config, ttlSeconds: number): PartsBackend {
  const clientFor = (endpoint: string): S3Client =>
    new S3Client({
      endpoint,
      region: config.region,
      forcePathStyle: true,
      credentials: { accessKeyId: config.accessKey, secretAccessKey: config.secretKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const client = clientFor(config.endpoint);
  // Signs the URLs browsers use; it never sends a request itself.
  const signer = config.publicEndpoint === undefined ? client : clientFor(config.publicEndpoint);
  const Bucket = config.bucket;

  /** The seed's part: a plain UploadPart URL and an `AWS key:signature` header (SigV2) over exactly what the seed's client sends. */
  function headerSigned(record: UploadRecord, partNumber: number, md5sum: string | undefined): SignedPart {
    const signedAt = Math.floor(Date.now() / 1000) * 1000;
    const date = new Date(signedAt).toUTCString();
    const path = `/${Bucket}/${objectKey(record.id).split('/').map(encodeURIComponent).join('/')}`;
    const uploadId = uploadIdOf(record);
    // Sub-resources in the string to sign are sorted by name and not encoded (SigV2).
    const stringToSign = `${['PUT', md5sum ?? '', '', '', `x-amz-date:${date}`].join('\n')}\n${path}?partNumber=${partNumber}&uploadId=${uploadId}`;
    const signature = createHmac('sha1', config.secretKey).update(stringToSign, 'utf8').digest('base64');
    const authorization = `AWS ${config.accessKey}:${signature}`;
    return {
      part_number: partNumber,
      url: `${config.publicEndpoint ?? config.endpoint}${path}?partNumber=${partNumber}&uploadId=${encodeURIComponent(uploadId)}`,
      date,
      authorization,
      expires_at: isoSeconds(signedAt + Math.min(ttlSeconds, HEADER_SIGNATURE_SECONDS) * 1000),
      headers: { 'Content-Type': '', Authorization: authorization, 'x-amz-date': date, ...(md5sum === undefined ? {} : { 'Content-MD5': md5sum }) },
    };
  }

  function uploadIdOf(record: UploadRecord): string {
    if (record.s3_upload_id === undefined) throw new Error(`upload ${record.id} has no S3 UploadId (made in the embedded mode?)`);
    return record.s3_upload_id;
  }

  /** Every part S3 holds for the upload; `seen` gets each part's LastModified (ms). */
  async function listParts(record: UploadRecord, seen?: (modified: number) => void): Promise<PartRecord[]> {
    const parts: PartRecord[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 20; page += 1) {
      const answer = await client
        .send(
          new ListPartsCommand({
            Bucket,
            Key: objectKey(record.id),
            UploadId: uploadIdOf(record),
            ...(marker === undefined ? {} : { PartNumberMarker: marker }),
          }),
        )
        .catch((err: unknown) => {
          if (isS3Error(err, 'NoSuchUpload')) throw new ApiError(404, 'not_found', 'The object store no longer knows this upload.');
          throw err;
        });
      for (const part of answer.Parts ?? []) {
        parts.push({ part_number: part.PartNumber ?? 0, size: part.Size ?? 0, md5: unquote(part.ETag) });
        if (part.LastModified !== undefined) seen?.(part.LastModified.getTime());
      }
      if (!answer.IsTruncated || answer.NextPartNumberMarker === undefined) return parts.sort((a, b) => a.part_number - b.part_number);
      marker = answer.NextPartNumberMarker;
    }
    throw new Error('ListParts did not end within 20 pages (20,000 parts); S3 allows 10,000.');
  }

  const objects: ObjectLookup = {
    async head(bucket, key) {
      if (bucket !== Bucket) return null;
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { bucket, key, size: head.ContentLength ?? 0, etag: unquote(head.ETag) };
      } catch (err) {
        if (isS3Error(err, 'NotFound') || isS3Error(err, 'NoSuchKey')) return null;
        throw err;
      }
    },
    async downloadUrl(bucket, key) {
      const id = uploadIdOfKey(key);
      const record = id === null ? null : await store.get(id);
      return getSignedUrl(
        signer,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentType: 'application/octet-stream',
          ...(record ? { ResponseContentDisposition: contentDisposition(record.file_name) } : {}),
        }),
        { expiresIn: DOWNLOAD_TTL_SECONDS },
      );
    },
    async remove(bucket, key) {
      if (bucket !== Bucket) return;
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      const id = uploadIdOfKey(key);
      if (id !== null) await store.withLock(id, () => store.remove(id));
    },
  };

  return {
    mode: 's3',
    bucket: Bucket,
    objects,

    async init() {
      await store.init();
      try {
        await client.send(new HeadBucketCommand({ Bucket }));
      } catch (err) {
        const why = err instanceof S3ServiceException ? `${err.name} (${err.$metadata.httpStatusCode ?? 'no status'})` : String(err);
        throw new Error(
          `S3 mode: the bucket "${Bucket}" at ${config.endpoint} cannot be used: ${why}. Check S3_ENDPOINT, S3_BUCKET and the keys; create the bucket first.`,
        );
      }
    },

    async begin(record) {
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: objectKey(record.id), ContentType: record.content_type }));
      if (!created.UploadId) throw new Error('S3 answered CreateMultipartUpload without an UploadId.');
      return { ...record, s3_upload_id: created.UploadId };
    },

    async presign(record, partNumber, md5sum): Promise<SignedPart> {
      if (config.partSignature === 'header') return headerSigned(record, partNumber, md5sum);
      const command = new UploadPartCommand({
        Bucket,
        Key: objectKey(record.id),
        UploadId: uploadIdOf(record),
        PartNumber: partNumber,
        ...(md5sum === undefined ? {} : { ContentMD5: md5sum }),
      });
      const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      const url = await getSignedUrl(signer, command, { expiresIn: ttlSeconds, signingDate: signedAt });
      return {
        part_number: partNumber,
        url,
        date: signedAt.toUTCString(),
        expires_at: isoSeconds(signedAt.getTime() + ttlSeconds * 1000),
        headers: md5sum === undefined ? {} : ({ 'Content-MD5': md5sum } as Record<string, string>),
      };
    },

    parts: (record) => listParts(record),

    async lastActivity(record) {
      let latest = await store.lastWritten(record.id);
      // An upload S3 no longer knows has nothing arriving: only the record's time counts.
      await listParts(record, (modified) => {
        latest = Math.max(latest, modified);
      }).catch((err: unknown) => {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      });
      return latest;
    },

    async abandon(record) {
      await client.send(new AbortMultipartUploadCommand({ Bucket, Key: objectKey(record.id), UploadId: uploadIdOf(record) })).catch((err: unknown) => {
        if (!isS3Error(err, 'NoSuchUpload')) throw err;
      });
    },

    async finish(record) {
      const parts = await listParts(record);
      checkParts(record, parts);
      const Key = objectKey(record.id);
      await client
        .send(
          new CompleteMultipartUploadCommand({
            Bucket,
            Key,
            UploadId: uploadIdOf(record),
            MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.part_number, ETag: `"${part.md5}"` })) },
          }),
        )
        .catch((err: unknown) => {
          if (isS3Error(err, 'InvalidPart') || isS3Error(err, 'InvalidPartOrder') || isS3Error(err, 'EntityTooSmall')) {
            throw new ApiError(400, 'incomplete_parts', `The object store refused to join the parts (${(err as Error).name}); upload the parts again.`);
          }
          throw err;
        });
      const head = await client.send(new HeadObjectCommand({ Bucket, Key }));
      if (head.ContentLength !== record.file_size) {
        throw new Error(`S3 holds ${head.ContentLength} bytes for upload ${record.id}, not ${record.file_size}.`);
      }
      const done: UploadRecord = { ...record, state: 'finished', parts, etag: unquote(head.ETag) };
      await store.save(done);
      await store.removeParts(record.id);
      return done;
    },

    async download(_req: IncomingMessage, res: ServerResponse, record: UploadRecord) {
      res.statusCode = 302;
      res.setHeader('Location', await objects.downloadUrl(Bucket, objectKey(record.id), ''));
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Length', '0');
      res.end();
    },

    async handleStore() {
      return false;
    },
  };
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/"/g, '').toLowerCase();
}

function isS3Error(err: unknown, name: string): boolean {
  return err instanceof S3ServiceException && (err.name === name || (err as { Code?: string }).Code === name);
}
