// @ts-check
/**
 * How Debian's Chromium is started everywhere here (web-test-runner, the e2e tests, the
 * bench, the screenshots): no sandbox (root in CI), no GPU, and nothing that would reach
 * beyond 127.0.0.1 on a closed network.
 */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
