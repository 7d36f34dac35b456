/**
 * Entry point of the reference server: reads the environment, listens on
 * 127.0.0.1 only, prints one line with the URL, and stops cleanly on
 * SIGTERM/SIGINT.
 *
 * Environment: PORT (default 8787, 0 for any free port), DATA_DIR (default
 * ./.data), MAX_FILE_SIZE (bytes, default unlimited), CORS_ORIGINS
 * (comma-separated, `*` for any origin; default any origin, but only the
 * server's own while it accepts the published demo-token), PUBLIC_DIR (serve these static
 * files), API_TOKENS (bearer tokens of the /phased, /session, /signed-parts
 * and /registry APIs, "tok=scope,scope;tok2=scope"; required without
 * `--demo`, where the server refuses to start without it; with `--demo` it
 * defaults to DEFAULT_API_TOKENS in core/auth.ts, the published
 * `demo-token`),
 * PHASED_CHUNK_SIZE (bytes per /phased transfer window, default 52428800),
 * WEBHOOK_URL and WEBHOOK_SECRET (where /phased asset events are POSTed, and
 * their HMAC key), SESSION_SIGNING_KEY (key of the /session upload URL
 * signatures, at least 16 bytes; default a random key kept in
 * DATA_DIR/session/signing.key), SESSION_URL_TTL (their lifetime in
 * seconds, default 3600), SIGNED_PARTS_KEY (key of the /signed-parts part
 * signatures, at least 16 bytes; default a random key kept in
 * DATA_DIR/signed-parts/signing.key), SIGNED_PARTS_TTL (their lifetime in
 * seconds, default 900), and S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY,
 * S3_SECRET_KEY, S3_REGION (default us-east-1), S3_PART_SIGNATURE (url, the
 * default: presigned SigV4 URLs; header: the seed's Authorization, SigV2),
 * S3_PUBLIC_ENDPOINT (where
 * browsers reach that S3, when not at S3_ENDPOINT): with these, /signed-parts
 * keeps parts and files in that S3 bucket instead of the embedded store
 * (signed-parts/s3.ts). Limits on unfinished uploads (core/limits.ts):
 * MAX_OPEN_UPLOADS_PER_CLIENT (content-range and tus, per client address,
 * default 1000), MAX_OPEN_UPLOADS_PER_TOKEN (phased, session files and
 * signed-parts, per bearer token, default 1000), MAX_OPEN_UPLOADS (every API
 * together, default 10000), MAX_RESERVED_BYTES (sum of their declared sizes,
 * default 107374182400), UPLOAD_TTL (seconds without new bytes after which
 * one is removed as abandoned, default 86400). `--demo` serves `dist/demo` of the repository unless
 * PUBLIC_DIR says otherwise.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { parseOriginList } from './core/cors.js';
import { DEFAULT_API_TOKENS, parseApiTokens } from './core/auth.js';
import { s3ConfigFromEnv } from './signed-parts/s3.js';

const HOST = '127.0.0.1';

function fail(message: string): never {
  console.error(`asset-uploader server: ${message}`);
  process.exit(1);
}

function integerFromEnv(name: string, fallback: number | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value > max) {
    fail(`${name} must be a whole number between 0 and ${max}, not "${text}".`);
  }
  return value;
}

/**
 * The bearer tokens. Outside the demo there is no default: a published token
 * (`demo-token`) would open the token-protected APIs to anyone who read the
 * README, so the server refuses to start rather than run them open or
 * half-configured (issue 9, defect 8).
 */
function apiTokensFromEnv(demo: boolean): ReturnType<typeof parseApiTokens> {
  const text = process.env['API_TOKENS'];
  if (text !== undefined && text.trim() !== '') return parseApiTokens(text);
  if (demo) return parseApiTokens(DEFAULT_API_TOKENS);
  fail(
    'API_TOKENS is not set. The /phased, /session, /signed-parts and /registry APIs need bearer tokens: ' +
      'set API_TOKENS="<token>=assets,assets_publish,assets_delete" (several separated by ";"), ' +
      'or run the demo with --demo (npm start), which accepts the published demo-token.',
  );
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

function seconds(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1000;
}

async function main(): Promise<void> {
  const demo = process.argv.slice(2).includes('--demo');
  const port = integerFromEnv('PORT', 8787, 65535) ?? 8787;
  const maxFileSize = integerFromEnv('MAX_FILE_SIZE', undefined);
  const dataDir = resolve(process.env['DATA_DIR'] || './.data');
  const repoRoot = new URL('../../', import.meta.url);
  const publicEnv = process.env['PUBLIC_DIR'];
  let publicDir: string | undefined;
  if (publicEnv) publicDir = resolve(publicEnv);
  else if (demo) publicDir = fileURLToPath(new URL('dist/demo/', repoRoot));
  if (publicDir !== undefined && !existsSync(publicDir)) {
    console.error(`asset-uploader server: ${publicDir} does not exist yet (run "vite build" first); only the API is useful.`);
  }

  const app = createApp({
    dataDir,
    publicDir,
    maxFileSize,
    corsOrigins: parseOriginList(process.env['CORS_ORIGINS']),
    // A malformed value throws here, and main() fails with its message.
    apiTokens: apiTokensFromEnv(demo),
    phasedChunkSize: integerFromEnv('PHASED_CHUNK_SIZE', undefined),
    limits: {
      ...optional('maxOpenPerClient', integerFromEnv('MAX_OPEN_UPLOADS_PER_CLIENT', undefined)),
      ...optional('maxOpenPerToken', integerFromEnv('MAX_OPEN_UPLOADS_PER_TOKEN', undefined)),
      ...optional('maxOpenTotal', integerFromEnv('MAX_OPEN_UPLOADS', undefined)),
      ...optional('maxReservedBytes', integerFromEnv('MAX_RESERVED_BYTES', undefined)),
    },
    uploadTtlMs: seconds(integerFromEnv('UPLOAD_TTL', undefined)),
    webhookUrl: process.env['WEBHOOK_URL'] || undefined,
    webhookSecret: process.env['WEBHOOK_SECRET'] || undefined,
    sessionSigningKey: process.env['SESSION_SIGNING_KEY'] || undefined,
    sessionUrlTtl: integerFromEnv('SESSION_URL_TTL', undefined),
    signedPartsKey: process.env['SIGNED_PARTS_KEY'] || undefined,
    signedPartsTtl: integerFromEnv('SIGNED_PARTS_TTL', undefined),
    // Throws, with a sentence, when only some S3_* variables are set.
    s3: s3ConfigFromEnv(process.env),
  });

  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(0);
    stopping = true;
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('asset-uploader server: error while closing:', err);
        process.exit(0);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  const { port: actual } = await app.listen(port, HOST);
  process.stdout.write(`asset-uploader reference server listening on http://${HOST}:${actual}\n`);
}

main().catch((err: unknown) => {
  fail(err instanceof Error ? err.message : String(err));
});
