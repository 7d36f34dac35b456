/**
 * The bench's constants and its environment (BENCH_ONLY, BENCH_MODES, BENCH_SIZE_MIB, ...),
 * read once when the bench starts: a bad value stops it before anything is started.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SECTIONS, type Section } from './results.js';
import { VIEW_WAYS, type ViewWay } from './view-ways.js';

export const MiB = 1024 * 1024;
export const MB = 1_000_000;
export const PART_SIZE = 8 * MiB;
/** The md5 worker's read size (src/engine/md5.worker.ts), reused by the split measurements. */
export const READ_SIZE = 4 * MiB;
export const ENDPOINT = '/content-range/videos/upload.json';
/** The signed-parts modes: the uploads collection, the bench's own token (given to the server as API_TOKENS), parts in flight. */
export const SP_ENDPOINT = '/signed-parts/api/v1/uploads';
export const SP_TOKEN = 'bench-token';
export const SP_PARALLEL = 3;
/** The reference server's plain `@tus/server` route (demo/server/tus/routes.ts; no checksum extension). */
export const TUS_ENDPOINT = '/tus/files';
/** The tus-js-client the bench page is built with (for the report). */
export const TUS_JS_VERSION = (() => {
  try {
    return (
      JSON.parse(readFileSync(join(fileURLToPath(new URL('..', import.meta.url)), 'node_modules/tus-js-client/package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return '(version unknown)';
  }
})();
/** The token demo/demo.ts gives the demo page's <asset-library>; accepted only for listing (scope `assets`). */
export const DEMO_PAGE_TOKEN = 'demo-token';
/** RGW's memstore never gets less than startRadosgw's default. */
export const MIN_MEMSTORE_BYTES = 4 * 1024 ** 3;
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

export function integerEnv(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  return value;
}

/** BENCH_ONLY: which parts run (both when unset). */
function onlyEnv(): ReadonlySet<Section> {
  const text = process.env['BENCH_ONLY']?.trim() ?? '';
  if (text === '') return new Set(SECTIONS);
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(SECTIONS as readonly string[]).includes(name))
      throw new Error(`BENCH_ONLY must be one of ${SECTIONS.join(', ')} (or several, comma-separated), not "${text}"`);
  }
  // Always in SECTIONS order.
  return new Set(SECTIONS.filter((name) => names.includes(name)));
}

/** A comma-separated list of MiB sizes (BENCH_MEMORY_MIB). */
function mibListEnv(name: string, fallback: number[]): number[] {
  const text = process.env[name]?.trim() ?? '';
  if (text === '') return fallback;
  const sizes = text.split(',').map((part) => part.trim());
  if (!sizes.every((part) => /^\d+$/.test(part) && Number(part) >= 1 && Number(part) <= 16 * 1024))
    throw new Error(`${name} must be sizes in MiB from 1 to 16384, comma-separated, not "${text}"`);
  return [...new Set(sizes.map(Number))];
}

/** BENCH_VIEW_SIZES: comma-separated numbers of files. */
function sizesEnv(fallback: number[]): number[] {
  const text = process.env['BENCH_VIEW_SIZES']?.trim() ?? '';
  if (text === '') return fallback;
  const sizes = text.split(',').map((part) => part.trim());
  if (!sizes.every((part) => /^\d+$/.test(part) && Number(part) >= 1 && Number(part) <= 100_000))
    throw new Error(`BENCH_VIEW_SIZES must be whole numbers from 1 to 100000, comma-separated, not "${text}"`);
  return sizes.map(Number);
}

/** BENCH_VIEW_WAYS: how the view part adds files, in the order given (both when unset). */
function waysEnv(): ViewWay[] {
  const text = process.env['BENCH_VIEW_WAYS']?.trim() ?? '';
  if (text === '') return [...VIEW_WAYS];
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(VIEW_WAYS as readonly string[]).includes(name))
      throw new Error(`BENCH_VIEW_WAYS must be one of ${VIEW_WAYS.join(', ')} (or several, comma-separated), not "${text}"`);
  }
  return [...new Set(names as ViewWay[])];
}

/** The throughput part's upload modes, in their order in the tables. */
export const UPLOAD_MODES = ['raw', 'raw-progress', 'parts', 'off', 'on', 'sp-embedded', 'sp-s3', 'tus-js-8m', 'tus-js', 'tus-el'] as const;
export type UploadMode = (typeof UPLOAD_MODES)[number];

/** BENCH_MODES: which upload modes run (all when unset); `raw` must be one, as every ratio is to it. */
function modesEnv(): UploadMode[] {
  const text = process.env['BENCH_MODES']?.trim() ?? '';
  if (text === '') return [...UPLOAD_MODES];
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(UPLOAD_MODES as readonly string[]).includes(name))
      throw new Error(`BENCH_MODES must be some of ${UPLOAD_MODES.join(', ')} (comma-separated), not "${text}"`);
  }
  if (!names.includes('raw')) throw new Error(`BENCH_MODES must include raw (every ratio is to it), not "${text}"`);
  // Always in UPLOAD_MODES order.
  return UPLOAD_MODES.filter((mode) => names.includes(mode));
}

export const ONLY = onlyEnv();
export const MODES = modesEnv();
export const WITH_S3 = MODES.includes('sp-s3');
export const SIZE_MIB = integerEnv('BENCH_SIZE_MIB', 256, 1, 16 * 1024);
export const RUNS = integerEnv('BENCH_RUNS', 5, 1, 50);
export const FILE_SIZE = SIZE_MIB * MiB;
export const VIEW_SIZES = sizesEnv([1000, 10_000]);
export const VIEW_RUNS = integerEnv('BENCH_VIEW_RUNS', 5, 1, 50);
export const VIEW_WAYS_RUN = waysEnv();

/** latency: the same modes under Chromium's network emulation (latency.ts). */
export const LATENCY_SIZE = integerEnv('BENCH_LATENCY_MIB', 64, 1, 4 * 1024) * MiB;
export const LATENCY_RUNS = integerEnv('BENCH_LATENCY_RUNS', 3, 1, 50);
export const LATENCY_MS = integerEnv('BENCH_LATENCY_MS', 40, 0, 10_000);
export const LATENCY_MBIT = integerEnv('BENCH_LATENCY_MBIT', 100, 1, 100_000);
/** pool: the md5 HashPool with 1..N workers (pool.ts). */
export const POOL_SIZE = integerEnv('BENCH_POOL_MIB', SIZE_MIB, 1, 16 * 1024) * MiB;
export const POOL_RUNS = integerEnv('BENCH_POOL_RUNS', 3, 1, 50);
/** longtasks: long tasks of the page during an upload with MD5 (longtasks.ts). */
export const LONGTASKS_SIZE = integerEnv('BENCH_LONGTASKS_MIB', 512, 1, 16 * 1024) * MiB;
export const LONGTASKS_RUNS = integerEnv('BENCH_LONGTASKS_RUNS', 3, 1, 50);
/** memory: peak memory of the page and its workers during uploads with MD5 of these sizes (memory.ts). */
export const MEMORY_SIZES = mibListEnv('BENCH_MEMORY_MIB', [256, 2048]).map((mib) => mib * MiB);
export const MEMORY_RUNS = integerEnv('BENCH_MEMORY_RUNS', 2, 1, 50);

/** RGW's memstore keeps every sp-s3 upload in RAM until its garbage-collection wait (2 h) is over: throughput's and latency's. */
export const S3_BYTES = WITH_S3 ? (ONLY.has('throughput') ? RUNS * FILE_SIZE : 0) + (ONLY.has('latency') ? LATENCY_RUNS * LATENCY_SIZE : 0) : 0;
/** The device size is only a cap (the OSD refuses writes near it), so it is generous. */
export const MEMSTORE_BYTES = Math.max(MIN_MEMSTORE_BYTES, 2 * S3_BYTES);
/** Bound on one measured operation on `bytes`: generous even at 2 MB/s. */
export const opTimeout = (bytes: number): number => 60_000 + Math.ceil(bytes / (2 * MB)) * 1000;
/** The same for the throughput file. */
export const OP_TIMEOUT_MS = opTimeout(FILE_SIZE);
