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

/**
 * spark-md5 and axe-core ship as UMD/CommonJS only; the dev server serves browsers ES
 * modules, so those two files get a CommonJS wrapper (Vite's build converts them itself).
 */
const commonJs = ['/spark-md5/spark-md5.js', '/axe-core/axe.js'];
const wrapperHead = 'const module = { exports: {} }; const exports = module.exports;\n';
const wrapperTail = '\nexport default module.exports;\n';

function commonJsAsEsm() {
  return {
    name: 'commonjs-as-esm',
    transform(context) {
      if (!commonJs.some((suffix) => context.path.endsWith(suffix))) return undefined;
      const body = typeof context.body === 'string' ? context.body : String(context.body);
      return { body: wrapperHead + body + wrapperTail };
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
  plugins: [esbuildPlugin({ ts: true, target: 'es2022' }), commonJsAsEsm(), refServerPlugin()],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
    }),
  ],
};
