// @ts-check
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { refServerPlugin } from './test/support/ref-server-plugin.mjs';

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** spark-md5 ships as UMD/CommonJS only; the dev server serves browsers ES modules. */
function sparkMd5AsEsm() {
  return {
    name: 'spark-md5-esm',
    transform(context) {
      if (!context.path.endsWith('/spark-md5/spark-md5.js')) return undefined;
      const body = typeof context.body === 'string' ? context.body : String(context.body);
      return { body: `const module = { exports: {} }; const exports = module.exports;\n${body}\nexport default module.exports;\n` };
    },
  };
}

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 2,
  rootDir: '.',
  testFramework: { config: { timeout: 30_000 } },
  testsFinishTimeout: 10 * 60_000,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022' }), sparkMd5AsEsm(), refServerPlugin()],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
    }),
  ],
};
