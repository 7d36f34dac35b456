/**
 * The demo as a person uses it: the built page served by the reference server under its
 * strict Content-Security-Policy, a real page reload in the middle of an upload, and
 * keyboard-only use.
 */
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, FileChooser, Page } from 'playwright';
import { fileOnDisk, launchChromium, startDemo, storedSha256, until, type Demo, type LogEntry } from './support.js';

const MiB = 1024 * 1024;

let demo: Demo;
let browser: Browser;
let files: string;

before(async () => {
  demo = await startDemo();
  browser = await launchChromium();
  files = await mkdtemp(join(tmpdir(), 'asset-uploader-files-'));
});

after(async () => {
  await browser?.close();
  await demo?.stop();
  await rm(files, { recursive: true, force: true });
});

interface Seen {
  uploads: Array<{ id: string; status: string; bytesConfirmed: number; bytesPerSecond: number; resumedFrom: number; asset?: { id: string; url?: string } }>;
}

const state = (page: Page) =>
  page.evaluate(() => {
    const element = document.querySelector('asset-uploader') as unknown as Seen;
    return { uploads: element.uploads.map((u) => ({ ...u })) } as Seen;
  });

/** Collects CSP violations and console errors from the first script on. */
async function watch(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return problems;
}

const dataPuts = (log: LogEntry[]) => log.filter((e) => e.method === 'PUT' && e.contentRange !== null && !e.contentRange.includes('*'));

describe('demo page', () => {
  it('is served with a strict CSP and uploads under it', async () => {
    const page = await browser.newPage();
    const problems = await watch(page);
    const response = await page.goto(`${demo.proxy.origin}/?chunk-size=1MiB`);
    const csp = response!.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const file = await fileOnDisk(files, 'csp.bin', 3 * MiB + 5);
    await page.locator('asset-uploader input[type=file]').setInputFiles(file.path);
    const done = await until(
      () => state(page),
      (s) => s.uploads[0]?.status === 'success',
      'upload success',
    );
    assert.equal(await storedSha256(demo.dataDir, done.uploads[0]!.asset!.id), file.sha256);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('continues after a real page reload from where the server is', async () => {
    const page = await browser.newPage();
    const problems = await watch(page);
    const size = 12 * MiB + 321;
    const file = await fileOnDisk(files, 'reload.bin', size);
    demo.proxy.clearLog();
    demo.proxy.setRules([{ method: 'PUT', times: 10_000, action: { type: 'throttle', bytesPerSecond: 2 * MiB } }]);
    await page.goto(`${demo.proxy.origin}/?chunk-size=1MiB`);
    await page.locator('asset-uploader input[type=file]').setInputFiles(file.path);
    const before = await until(
      () => state(page),
      (s) => (s.uploads[0]?.bytesConfirmed ?? 0) >= 3 * MiB,
      'three parts confirmed',
    );
    await page.reload();
    demo.proxy.setRules([]);

    await page.locator('asset-uploader input[type=file]').setInputFiles(file.path);
    const done = await until(
      () => state(page),
      (s) => s.uploads[0]?.status === 'success',
      'upload success after reload',
    );
    const upload = done.uploads[0]!;
    assert.ok(upload.resumedFrom >= before.uploads[0]!.bytesConfirmed, `resumed from ${upload.resumedFrom}`);
    assert.match((await page.locator('asset-uploader [part=file-resumed]').textContent()) ?? '', /continued from/);
    assert.equal(await storedSha256(demo.dataDir, upload.asset!.id), file.sha256);
    const log = demo.proxy.log();
    assert.equal(log.filter((e) => e.method === 'POST').length, 1, 'one upload session, re-attached after the reload');
    const sent = dataPuts(log).reduce((sum, e) => sum + e.bodyBytes, 0);
    assert.ok(sent - size <= MiB, `sent ${sent - size} bytes again; at most one part may be`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('registry: parts into the embedded object store survive a reload, and the library lists the asset', async () => {
    const page = await browser.newPage();
    const problems = await watch(page);
    const size = 3 * 5 * MiB + 4321; // four parts of the S3 minimum size and a tail
    const file = await fileOnDisk(files, 'registry clip.mp4', size);
    demo.proxy.clearLog();
    demo.proxy.setRules([{ method: 'PUT', path: '/signed-parts/store/', times: 10_000, action: { type: 'throttle', bytesPerSecond: 4 * MiB } }]);
    await page.goto(`${demo.proxy.origin}/?protocol=registry&parallel-parts=1`);
    await page.locator('asset-uploader input[type=file]').setInputFiles(file.path);
    const before = await until(
      () => state(page),
      (s) => (s.uploads[0]?.bytesConfirmed ?? 0) >= 5 * MiB,
      'a part confirmed',
    );
    await page.reload();
    demo.proxy.setRules([]);

    await page.locator('asset-uploader input[type=file]').setInputFiles(file.path);
    const done = await until(
      () => state(page),
      (s) => s.uploads[0]?.status === 'success',
      'registered after the reload',
    );
    const upload = done.uploads[0]!;
    assert.ok(upload.resumedFrom >= before.uploads[0]!.bytesConfirmed, `resumed from ${upload.resumedFrom}`);
    assert.match(upload.asset!.id, /^ast_/);
    await page.locator('asset-library [part=name]', { hasText: 'registry clip.mp4' }).waitFor({ timeout: 20_000 });
    const log = demo.proxy.log();
    const stored = log.filter((e) => e.method === 'PUT' && e.path.startsWith('/signed-parts/store/') && e.status === 200);
    assert.ok(stored.length <= 5, `${stored.length} parts stored for 4: at most one again after the reload`);
    assert.equal(log.filter((e) => e.method === 'POST' && e.path.startsWith('/signed-parts/')).length, 1, 'one upload, re-attached after the reload');
    assert.equal(log.filter((e) => e.method === 'POST' && e.path.startsWith('/registry/')).length, 1, 'registered once');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('lets a person pick the server API: tus with md5 checksums', async () => {
    const page = await browser.newPage();
    const problems = await watch(page);
    await page.goto(`${demo.proxy.origin}/?chunk-size=1MiB`);
    await page.selectOption('#protocol', { label: 'tus 1.0 with md5 checksums, served by @tus/server' });
    demo.proxy.clearLog();
    const file = await fileOnDisk(files, 'picked-tus.bin', 2 * MiB + 3);
    await page.locator('asset-uploader input[type=file]').setInputFiles(file.path);
    const done = await until(
      () => state(page),
      (s) => s.uploads[0]?.status === 'success',
      'tus upload',
    );
    assert.equal(await storedSha256(demo.dataDir, done.uploads[0]!.asset!.id, 'tus-md5'), file.sha256);
    const patches = demo.proxy.log().filter((e) => e.method === 'PATCH');
    assert.equal(patches.length, 3);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('says so when the file changed on disk after it was picked, and sends none of it', async () => {
    const page = await browser.newPage();
    await page.goto(`${demo.proxy.origin}/?chunk-size=1MiB`);
    await page.evaluate(() => document.querySelector('asset-uploader')!.setAttribute('no-auto-start', ''));
    const file = await fileOnDisk(files, 'edited.bin', 3 * MiB + 5);
    demo.proxy.clearLog();
    await page.locator('asset-uploader input[type=file]').setInputFiles(file.path);
    await until(
      () => state(page),
      (s) => s.uploads[0]?.status === 'queued',
      'the picked file queued',
    );
    // Edited after it was picked: the browser refuses to read the File's bytes from now on.
    await appendFile(file.path, 'one more line');
    await page.locator('asset-uploader [part~=start-button]').click();
    const failed = await until(
      () => state(page),
      (s) => s.uploads[0]?.status === 'error',
      'the upload failed',
    );
    assert.equal(failed.uploads.length, 1);
    const shown = (await page.locator('asset-uploader [part=file-error]').textContent()) ?? '';
    assert.match(shown, /could not be read\. It may have been changed or moved since you picked it/);
    assert.equal(
      dataPuts(demo.proxy.log()).reduce((sum, e) => sum + e.bodyBytes, 0),
      0,
      'no byte of the edited file reached the server',
    );
    await page.close();
  });

  it('says under the API picker what each API is and what to try with it', async () => {
    const page = await browser.newPage();
    const problems = await watch(page);
    await page.goto(`${demo.proxy.origin}/`);
    const about = page.locator('#protocol-about');
    assert.equal(await page.locator('#protocol').getAttribute('aria-describedby'), 'protocol-about');
    const count = await page.locator('#protocol option').count();
    const seen = new Set<string>();
    for (let index = 0; index < count; index++) {
      await page.selectOption('#protocol', { index });
      const text = ((await about.textContent()) ?? '').trim();
      assert.match(text, /Try/, `option ${index} says what to try: ${text}`);
      assert.ok(!seen.has(text), `option ${index} has a description of its own`);
      seen.add(text);
    }
    // Picked by the query string too.
    await page.goto(`${demo.proxy.origin}/?protocol=registry`);
    assert.match((await about.textContent()) ?? '', /Registered assets/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('at phone width: no dangling separator for the hidden speed, the Open link whole, the event log within the page', async () => {
    // 360 px: a small phone; the row's line is short of room there in any font.
    const page = await browser.newPage({ viewport: { width: 360, height: 900 } });
    const problems = await watch(page);
    demo.proxy.setRules([{ method: 'PUT', path: '/signed-parts/store/', times: 10_000, action: { type: 'throttle', bytesPerSecond: 512 * 1024 } }]);
    await page.goto(`${demo.proxy.origin}/?protocol=registry`);
    const file = await fileOnDisk(files, 'phone.bin', 3 * MiB);
    await page.locator('asset-uploader input[type=file]').setInputFiles(file.path);
    await until(
      () => state(page),
      (s) => s.uploads[0]?.status === 'uploading' && s.uploads[0].bytesPerSecond > 0,
      'uploading with a speed',
    );
    // Every piece of the status line that is shown (with its ' · ' before it) shows something.
    const empty = await page.evaluate(() =>
      [...document.querySelector('asset-uploader')!.shadowRoot!.querySelectorAll<HTMLElement>('[part=file-meta] .piece')]
        .filter((piece) => getComputedStyle(piece).display !== 'none' && piece.firstElementChild!.getBoundingClientRect().width === 0)
        .map((piece) => piece.firstElementChild!.getAttribute('part')),
    );
    assert.deepEqual(empty, [], 'a separator without its piece');
    demo.proxy.setRules([]);
    await until(
      () => state(page),
      (s) => s.uploads[0]?.status === 'success',
      'registered',
    );
    // Beside Rename, Delete and Remove, the finished row's line (its Open link last) is not cut off.
    const meta = await page.evaluate(() => {
      const line = document.querySelector('asset-uploader')!.shadowRoot!.querySelector('[part=file-meta]')!;
      return { scroll: line.scrollWidth, client: line.clientWidth, link: !!line.querySelector('[part=file-link]') };
    });
    assert.ok(meta.link && meta.scroll <= meta.client, `the status line is cut off: ${JSON.stringify(meta)}`);
    await page.locator('#event-log li', { hasText: 'upload-success' }).waitFor({ timeout: 10_000 });
    const log = await page.locator('#event-log').evaluate((ol) => ({ scroll: ol.scrollWidth, client: ol.clientWidth }));
    assert.ok(log.scroll <= log.client, `the event log overflows sideways: ${JSON.stringify(log)}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('the form value: refused while uploading, and says so, then the uploaded URLs', async () => {
    const page = await browser.newPage();
    const problems = await watch(page);
    await page.goto(`${demo.proxy.origin}/`);
    const submit = page.getByRole('button', { name: 'Submit the form' });
    const output = page.locator('#form-value');
    await submit.click();
    assert.equal(await output.textContent(), 'No file uploaded yet.');
    demo.proxy.setRules([{ method: 'PUT', times: 10_000, action: { type: 'throttle', bytesPerSecond: 256 * 1024 } }]);
    const file = await fileOnDisk(files, 'form.bin', 2 * MiB);
    await page.locator('asset-uploader input[type=file]').setInputFiles(file.path);
    await until(
      () => state(page),
      (s) => s.uploads[0]?.status === 'uploading',
      'uploading',
    );
    await submit.click();
    // Not the earlier "No file uploaded yet.", which would be stale.
    assert.equal(await output.textContent(), 'Not submitted: Wait until the uploads finish.');
    demo.proxy.setRules([]);
    const done = await until(
      () => state(page),
      (s) => s.uploads[0]?.status === 'success',
      'uploaded',
    );
    await submit.click();
    assert.equal(await output.textContent(), `assets = ${done.uploads[0]!.asset!.url}`);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('works with the keyboard alone', async () => {
    const page = await browser.newPage();
    // Listen before any key: Playwright intercepts file choosers only once someone listens,
    // and that switch is asynchronous.
    const choosers: FileChooser[] = [];
    page.on('filechooser', (chooser) => choosers.push(chooser));
    const nextChooser = async () => {
      const seen = choosers.length;
      await until(
        async () => choosers.length,
        (n) => n > seen,
        'a file chooser',
        10_000,
      );
      return choosers[seen]!;
    };
    await page.goto(`${demo.proxy.origin}/?chunk-size=1MiB`);
    const file = await fileOnDisk(files, 'keyboard.bin', MiB + 7);
    // Tab from the top of the page: the API picker, then the uploader's drop zone.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'protocol');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('part'));
    assert.equal(focused, 'drop-zone');
    const chooser = nextChooser();
    await page.keyboard.press('Enter');
    await (await chooser).setFiles(file.path);
    const done = await until(
      () => state(page),
      (s) => s.uploads[0]?.status === 'success',
      'keyboard upload',
    );
    assert.equal(await storedSha256(demo.dataDir, done.uploads[0]!.asset!.id), file.sha256);
    // Space opens the picker too.
    const again = nextChooser();
    await page.keyboard.press('Space');
    await (await again).setFiles([]);
    // The row's actions and link are reachable by Tab.
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('part'));
    assert.ok(next === 'action remove-button' || next === 'file-link', `focus went to ${next}`);
    await page.close();
  });
});
