// @ts-check
/**
 * Every browser test runs in three engines: Chromium (Debian's, through Playwright),
 * Firefox (Debian's firefox-esr, through puppeteer-core over WebDriver BiDi: Playwright's
 * Firefox launcher needs a patched build) and WebKit (Debian's WebKitWebDriver driving
 * MiniBrowser under Xvfb). `BROWSERS=chromium` (or a comma list) picks engines.
 */
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { webdriverLauncher } from '@web/test-runner-webdriver';
import * as puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/support/chromium.mjs';
import { refServerPlugin } from './test/support/ref-server-plugin.mjs';
import { miniBrowser, startWebKitDriver } from './test/support/webkit-driver.mjs';

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

const wanted = (process.env.BROWSERS ?? 'chromium,firefox,webkit').split(',').map((name) => name.trim());
const unknown = wanted.filter((name) => !['chromium', 'firefox', 'webkit'].includes(name));
if (unknown.length) throw new Error(`BROWSERS: unknown engine(s) ${unknown.join(', ')}; use chromium, firefox, webkit`);

const browsers = [];
if (wanted.includes('chromium')) {
  browsers.push(
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    }),
  );
}
if (wanted.includes('firefox')) {
  const firefox = chromeLauncher({
    puppeteer,
    launchOptions: {
      browser: 'firefox',
      executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
      headless: true,
      // Loopback only: no telemetry, updates or remote settings on a closed network.
      extraPrefsFirefox: {
        'network.proxy.allow_hijacking_localhost': false,
        'app.update.enabled': false,
        'datareporting.policy.dataSubmissionEnabled': false,
        'toolkit.telemetry.enabled': false,
        'browser.safebrowsing.downloads.remote.enabled': false,
      },
    },
  });
  // Firefox delivers keys only to the tab in front: with two test files at a time in two
  // tabs, a file's keystrokes were sometimes lost. One at a time, every file is in front.
  Object.assign(firefox, { concurrency: 1 });
  browsers.push(firefox);
}
if (wanted.includes('webkit')) {
  const driver = await startWebKitDriver();
  const webkit = webdriverLauncher({
    automationProtocol: 'webdriver',
    hostname: '127.0.0.1',
    port: driver.port,
    logLevel: 'error',
    capabilities: {
      browserName: 'MiniBrowser',
      // webdriverio 9 asks for BiDi (webSocketUrl) by default; WebKitWebDriver refuses it.
      'wdio:enforceWebDriverClassic': true,
      'webkitgtk:browserOptions': { binary: process.env.MINIBROWSER_PATH ?? miniBrowser, args: ['--automation'] },
    },
  });
  // With more than one test file at a time the launcher runs them in iframes of one
  // window, where WebKitWebDriver cannot send keys ("Invalid frame ID"). One at a time
  // it gives each file the whole window.
  const initialize = webkit.initialize.bind(webkit);
  webkit.initialize = (config) => initialize({ ...config, concurrency: 1 });
  Object.assign(webkit, { concurrency: 1 });
  browsers.push(webkit);
}

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 2,
  rootDir: '.',
  testFramework: { config: { timeout: 30_000 } },
  testsFinishTimeout: 10 * 60_000,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022' }), commonJsAsEsm(), refServerPlugin()],
  browsers,
};
