/**
 * The drop-ins as a CMS page loads them: the built `dist/cdn/` folder served from another
 * origin (a CDN, with the CORS header module scripts need), one `<script type="module">`
 * per element, under a CSP that allows scripts from that origin only. A long list loads
 * the virtualized list's chunk from the CDN, relative to the drop-in, and nothing else.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright';
import { launchChromium, until } from './support.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

let cdnDir: string;
let cdn: Server;
let page: Server;
let cdnOrigin: string;
let pageOrigin: string;
let browser: Browser;
/** Paths the CDN was asked for, in order. */
const fetched: string[] = [];

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)));
}

before(async () => {
  cdnDir = await mkdtemp(join(tmpdir(), 'asset-uploader-cdn-'));
  const vite = join(root, 'node_modules/.bin/vite');
  execFileSync(vite, ['build', '--mode', 'cdn', '--outDir', cdnDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: root, stdio: 'pipe', timeout: 120_000 });
  execFileSync(vite, ['build', '--mode', 'cdn-library', '--outDir', cdnDir, '--logLevel', 'error'], { cwd: root, stdio: 'pipe', timeout: 120_000 });
  cdn = createServer(async (request, response) => {
    const path = new URL(request.url!, 'http://cdn').pathname;
    fetched.push(path);
    const file = normalize(join(cdnDir, path));
    try {
      if (!file.startsWith(cdnDir)) throw new Error('outside');
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' });
      response.end(body);
    } catch {
      response.writeHead(404, { 'access-control-allow-origin': '*' }).end();
    }
  });
  cdnOrigin = await listen(cdn);
  page = createServer((_request, response) => {
    response.writeHead(200, {
      'content-type': 'text/html',
      // Scripts from the CDN only: no inline script, no eval, no inline style.
      'content-security-policy': `default-src 'self'; script-src ${cdnOrigin}; style-src 'self'; worker-src 'self'`,
    });
    response.end(`<!doctype html><html lang="en"><body>
<script type="module" src="${cdnOrigin}/asset-uploader.js"></script>
<script type="module" src="${cdnOrigin}/asset-library.js"></script>
<asset-uploader multiple no-auto-start endpoint="/upload"></asset-uploader>
<asset-library endpoint="/assets"></asset-library>
</body></html>`);
  });
  pageOrigin = await listen(page);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => cdn?.close(resolve));
  await new Promise((resolve) => page?.close(resolve));
  await rm(cdnDir, { recursive: true, force: true });
});

describe('the drop-ins from another origin', () => {
  it('define their elements; a long list loads the virtualized list beside the drop-in, once', async () => {
    const tab = await browser.newPage();
    const problems: string[] = [];
    tab.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    tab.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    await tab.goto(pageOrigin);
    await tab.waitForFunction(() => !!customElements.get('asset-uploader') && !!customElements.get('asset-library'));
    // The element fetches the adapter it names (content-range, the default) and what that
    // imports, from the drop-in's origin, when it first renders: no other adapter, no list.
    const adapterChunks = () => fetched.filter((path) => path.includes('chunks/')).map((path) => path.replace(/-[\w-]{8}\.js$/, ''));
    await until(
      async () => adapterChunks(),
      (seen) => seen.includes('/chunks/content-range'),
      'the content-range adapter',
      10_000,
    );
    assert.deepEqual(
      adapterChunks().sort(),
      ['/chunks/content-range', '/chunks/http', '/chunks/location', '/chunks/members'],
      'only its adapter before a list is long',
    );

    const taken = await tab.evaluate(() => {
      const element = document.querySelector('asset-uploader') as HTMLElement & { addFiles(files: File[]): unknown[] };
      return element.addFiles(Array.from({ length: 60 }, (_, i) => new File(['x'], `many-${i}.bin`, { lastModified: i }))).length;
    });
    assert.equal(taken, 60);
    const laidOut = () =>
      tab.evaluate(() => {
        const list = document.querySelector('asset-uploader')!.shadowRoot!.querySelector<HTMLElement>('[part=file-list]');
        return { virtualized: !!list?.style.minHeight, rows: list?.querySelectorAll('[part~=file]').length ?? 0 };
      });
    const { rows } = await until(laidOut, (seen) => seen.virtualized, 'the virtualized list', 10_000);
    assert.ok(rows > 0 && rows < 60, `virtualized: ${rows} of 60 rows in the DOM`);

    const chunks = fetched.filter((path) => path.includes('chunks/') && !/\/chunks\/(content-range|http|location|members)-/.test(path));
    assert.equal(chunks.length, 1, `one more chunk: ${chunks.join(', ')}`);
    assert.match(chunks[0]!, /^\/chunks\/virtual-rows-[\w-]+\.js$/);
    assert.equal(fetched.filter((path) => path.includes('chunks/')).length, 5, 'each chunk fetched once');
    // The chunk imports lit from the drop-in by the same URL the page used: no second copy.
    assert.equal(fetched.filter((path) => path === '/asset-uploader.js').length, 1);
    assert.deepEqual(problems, []);
    await tab.close();
  });
});
