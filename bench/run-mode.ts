/**
 * One upload in a given mode, by name: the raw baselines and tus-js-client on the bench page,
 * the element's modes on the demo page, each with the check of what was stored.
 */
import type { Browser } from 'playwright';
import { ENDPOINT, PART_SIZE, SP_ENDPOINT, SP_PARALLEL, SP_TOKEN, TUS_ENDPOINT, type UploadMode } from './config.js';
import { elementRun, type ElementMode, type ElementSetup } from './element-mode.js';
import type { BenchFile } from './files.js';
import { rawRun, tusJsRun, type RunHooks, type UploadRun } from './modes.js';
import { check } from './processes.js';
import type { ObjectStore, Server } from './servers.js';
import { verifyAndDelete, verifyAndDeleteEmbedded, verifyAndDeleteS3, verifyAndDeleteTus, type SuccessAsset } from './verify.js';

/** Runs uploads of `file`; `s3` is there when sp-s3 is among the modes. */
export function modeRunner(
  browser: Browser,
  server: Server,
  file: BenchFile,
  s3: ObjectStore | undefined,
): (mode: UploadMode, hooks?: RunHooks) => Promise<UploadRun> {
  const contentRange = (a: SuccessAsset, what: string): Promise<void> => verifyAndDelete(server, file, a.id, a, what);
  const setups: { [M in ElementMode]?: ElementSetup } = {
    off: { mode: 'off', server, protocol: 'content-range', endpoint: ENDPOINT, checksum: false, putUrl: '/content-range/uploads/{id}', verify: contentRange },
    on: { mode: 'on', server, protocol: 'content-range', endpoint: ENDPOINT, checksum: true, putUrl: '/content-range/uploads/{id}', verify: contentRange },
    'sp-embedded': {
      mode: 'sp-embedded',
      server,
      protocol: 'signed-parts',
      endpoint: SP_ENDPOINT,
      checksum: true,
      parallelParts: SP_PARALLEL,
      token: SP_TOKEN,
      putUrl: `${server.origin}/signed-parts/store/{id}/`,
      signUrl: `${SP_ENDPOINT}/{id}/parts?`,
      verify: (a, what) => verifyAndDeleteEmbedded(server, file, a, what),
    },
    ...(s3
      ? {
          'sp-s3': {
            mode: 'sp-s3',
            server: s3.server,
            protocol: 'signed-parts',
            endpoint: SP_ENDPOINT,
            checksum: true,
            parallelParts: SP_PARALLEL,
            token: SP_TOKEN,
            // Path style: the browser PUTs to RGW itself, not to the reference server.
            putUrl: `${s3.rgw.endpoint}/${s3.rgw.bucket}/signed-parts/{id}?`,
            signUrl: `${SP_ENDPOINT}/{id}/parts?`,
            verify: (a, what) => verifyAndDeleteS3(s3, file, a, what),
          } satisfies ElementSetup,
        }
      : {}),
    // No `no-checksum`: the element's default. /tus/files announces no checksum extension, so it hashes nothing.
    'tus-el': {
      mode: 'tus-el',
      server,
      protocol: 'tus',
      endpoint: TUS_ENDPOINT,
      checksum: true,
      hashes: false,
      putUrl: `${TUS_ENDPOINT}/{id}`,
      verify: (a, what) => verifyAndDeleteTus(server, file, String(a.raw?.['location'] ?? ''), what),
    },
  };
  const runMode = (mode: UploadMode, hooks: RunHooks = {}): Promise<UploadRun> => {
    if (mode === 'raw' || mode === 'raw-progress' || mode === 'parts') return rawRun(browser, server, file, mode, hooks);
    if (mode === 'tus-js-8m') return tusJsRun(browser, server, file, mode, PART_SIZE, hooks);
    if (mode === 'tus-js') return tusJsRun(browser, server, file, mode, null, hooks);
    const setup = setups[mode];
    check(setup !== undefined, `${mode}: not set up`);
    return elementRun(browser, file, setup, hooks);
  };
  return runMode;
}
