/**
 * What a hostile server answer or a hostile file name can do to the page: nothing.
 *
 * - Links: only `http(s)` URLs become an `href`, in both elements, whatever the case,
 *   whitespace or control characters around the scheme (ui/safe-url.ts).
 * - Names: rendered as text (a trap on `window` catches any script that runs), and with
 *   their bidi controls made visible and isolated, so `invoice\u202Egpj.exe` cannot read
 *   as "invoiceexe.jpg" (ui/bidi.ts).
 *
 * The hostile answers come from the fault proxy in front of the real reference server.
 */
import { expect } from '@esm-bundle/chai';
import '../../src/library.js';
import type { AssetLibrary } from '../../src/asset-library.js';
import { clearLog, contentRangeEndpoint, PHASED_FULL_TOKEN, registryEndpoint, sessionEndpoint, setFaults, stored } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { dropFiles, mount, nextEvent, rendered, row, unmountAll, until } from '../support/harness.js';

const HOSTILE_URLS = [
  'javascript:window.__pwned=1',
  'JaVaScRiPt:window.__pwned=1',
  '  javascript:window.__pwned=1',
  '\u0001javascript:window.__pwned=1',
  'java\tscr\nipt:window.__pwned=1',
  'data:text/html,<script>window.__pwned=1</script>',
  'vbscript:msgbox(1)',
  'blob:http://127.0.0.1/x',
  'file:///etc/passwd',
];
const GOOD_URL = 'https://cdn.example.test/asset.bin';

/** Names that must stay text: markup, attribute breakers, script URLs, template syntax. */
const HOSTILE_NAMES = [
  '<img src=x onerror="window.__pwned=1">.bin',
  '"><svg onload=window.__pwned=1>.txt',
  "'><script>window.__pwned=1</script>.txt",
  'javascript:window.__pwned=1.txt',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile name that looks like a template, on purpose
  '${window.__pwned=1}{{constructor.constructor("window.__pwned=1")()}}.txt',
  '<!--<style>*{display:none}</style>-->.txt',
];

const pwned = () => (window as { __pwned?: unknown }).__pwned;

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
  delete (window as { __pwned?: unknown }).__pwned;
});

/** Every `href` in a shadow root (links and anything else that has one). */
function hrefs(root: ShadowRoot): string[] {
  return [...root.querySelectorAll('[href]')].map((node) => node.getAttribute('href')!);
}

describe('security: server-sent URLs', () => {
  it('<asset-uploader> links only http(s) asset URLs; a hostile one is shown as no link', async () => {
    for (const url of [...HOSTILE_URLS, GOOD_URL]) {
      const element = await mount({ endpoint: await contentRangeEndpoint(), 'no-resume': true, 'retry-delays': '0' });
      // The last PUT's answer is the server's asset JSON: here, one with a hostile url.
      await setFaults([{ method: 'PUT', action: { type: 'status', status: 200, body: JSON.stringify({ id: 'x1', url }) } }]);
      const success = nextEvent(element, 'upload-success');
      await dropFiles(element, [makeFile(10, 'link.bin', 9)]);
      const { detail } = await success;
      await rendered(element);
      const links = hrefs(element.shadowRoot!);
      if (url === GOOD_URL) expect(links, url).to.deep.equal([GOOD_URL]);
      else expect(links, JSON.stringify(url)).to.deep.equal([]);
      expect(row(element, detail.id).querySelector('[part=file-link]'), JSON.stringify(url)).to.equal(
        url === GOOD_URL ? row(element, detail.id).querySelector('a') : null,
      );
      unmountAll();
    }
    expect(pwned()).to.equal(undefined);
  });

  it('<asset-uploader> links only http(s) URLs among the assets a session produced', async () => {
    const element = await mount({ endpoint: await sessionEndpoint(), protocol: 'session', 'retry-delays': '0' });
    element.token = PHASED_FULL_TOKEN;
    const assets = [...HOSTILE_URLS, GOOD_URL].map((url, i) => ({ id: `a${i}`, name: `asset-${i}`, url }));
    // The status poll (GET of the session) answers done, with hostile asset URLs.
    await setFaults([
      {
        method: 'GET',
        path: '/upload_sessions/',
        times: 100,
        action: { type: 'status', status: 200, body: JSON.stringify({ files: [{ name: 'zip.bin', status: 'done', assets }] }) },
      },
    ]);
    const success = nextEvent(element, 'upload-success', () => true, 30_000);
    await dropFiles(element, [makeFile(100, 'zip.bin', 10)]);
    const { detail } = await success;
    await rendered(element);
    expect(hrefs(element.shadowRoot!)).to.deep.equal([GOOD_URL]);
    const items = [...row(element, detail.id).querySelectorAll('[part=produced] li')].map((li) => li.textContent!.trim());
    expect(items, 'every produced asset is still listed, by name').to.deep.equal(assets.map((a) => a.name));
    expect(pwned()).to.equal(undefined);
  });

  it('<asset-library> links only http(s) downloads', async () => {
    const endpoint = await registryEndpoint();
    const data = [...HOSTILE_URLS, GOOD_URL].map((url, i) => ({
      id: `ast_${i}`,
      file_name: `file-${i}.bin`,
      size: 10,
      mimetype: 'application/octet-stream',
      link_download: url,
    }));
    await setFaults([
      {
        method: 'GET',
        path: '/assets',
        times: 100,
        action: { type: 'status', status: 200, body: JSON.stringify({ data, meta: { pagination: { total: data.length, current_page: 1, total_pages: 1 } } }) },
      },
    ]);
    const element = document.createElement('asset-library') as AssetLibrary;
    element.setAttribute('endpoint', endpoint);
    element.token = PHASED_FULL_TOKEN;
    document.body.append(element);
    try {
      await until(() => element.shadowRoot?.querySelectorAll('[part=item]').length === data.length, 'the listed assets');
      expect(hrefs(element.shadowRoot!)).to.deep.equal([GOOD_URL]);
      expect(pwned()).to.equal(undefined);
    } finally {
      element.remove();
    }
  });
});

describe('security: file names', () => {
  it('renders hostile names as text in rows and rejections; nothing runs', async () => {
    const element = await mount({ endpoint: await contentRangeEndpoint(), 'no-resume': true, multiple: true, 'max-file-size': '100' });
    const files = HOSTILE_NAMES.map((name, i) => new File([`content ${i}`], name, { lastModified: 1_700_000_000_000 + i }));
    const tooBig = new File([new Uint8Array(200)], HOSTILE_NAMES[0]!.replace('.bin', '-big.bin'));
    const complete = nextEvent(element, 'upload-complete', () => true, 30_000);
    element.addFiles([...files, tooBig]);
    const { detail } = await complete;
    // The server refuses names with a path separator (a clear 400); the others are stored.
    const withSlash = files.filter((f) => f.name.includes('/')).map((f) => f.name);
    expect(detail.failed.map((u) => u.name)).to.deep.equal(withSlash);
    expect(detail.successful).to.have.length(files.length - withSlash.length);
    await rendered(element);
    for (const upload of [...detail.successful, ...detail.failed]) {
      expect(row(element, upload.id).querySelector('[part=file-name]')!.textContent).to.equal(upload.name);
    }
    for (const upload of detail.successful) {
      expect((await stored(upload.asset!.id)).sha256).to.equal(await sha256(files.find((f) => f.name === upload.name)!));
    }
    for (const upload of detail.failed) {
      expect(row(element, upload.id).querySelector('[part=file-error]')!.textContent).to.contain('must not contain "/"');
    }
    expect(element.shadowRoot!.querySelector('[part=rejection]')!.textContent).to.contain(tooBig.name);
    // The element's own icons are SVG (paths only); nothing else that could come from a name.
    expect(element.shadowRoot!.querySelectorAll('img, svg:not(.icon), script, style:not([data-lit])').length, 'no element made of a name').to.equal(0);
    expect(element.shadowRoot!.querySelectorAll('svg.icon :not(path, circle, rect)').length, 'icons hold shapes only').to.equal(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pwned()).to.equal(undefined);
  });

  it('<asset-library> renders hostile names as text, in the list, the rename field and the delete question', async () => {
    const data = HOSTILE_NAMES.map((name, i) => ({ id: `ast_${i}`, file_name: name, size: 10, mimetype: 'text/plain', link_download: GOOD_URL }));
    await setFaults([
      {
        method: 'GET',
        path: '/assets',
        times: 100,
        action: { type: 'status', status: 200, body: JSON.stringify({ data, meta: { pagination: { total: data.length, current_page: 1, total_pages: 1 } } }) },
      },
    ]);
    const library = document.createElement('asset-library') as AssetLibrary;
    library.setAttribute('endpoint', await registryEndpoint());
    library.token = PHASED_FULL_TOKEN;
    document.body.append(library);
    try {
      await until(() => library.shadowRoot?.querySelectorAll('[part=item]').length === data.length, 'the listed assets');
      const root = library.shadowRoot!;
      expect([...root.querySelectorAll('[part=name]')].map((n) => n.textContent!.trim())).to.deep.equal(HOSTILE_NAMES);
      // Open the rename field and the delete question of the first one: the name is text there too.
      root.querySelector<HTMLButtonElement>('.rename-button')!.click();
      await library.updateComplete;
      expect(root.querySelector<HTMLInputElement>('[part=input]')!.value).to.equal(HOSTILE_NAMES[0]);
      root.querySelector<HTMLButtonElement>('.cancel')!.click();
      await library.updateComplete;
      root.querySelector<HTMLButtonElement>('.delete-button')!.click();
      await library.updateComplete;
      expect(root.querySelector('.confirm')!.textContent).to.contain(HOSTILE_NAMES[0]);
      expect(root.querySelectorAll('img, svg, script').length, 'no element made of a name').to.equal(0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(pwned()).to.equal(undefined);
    } finally {
      library.remove();
    }
  });

  it('shows a right-to-left override in a name, isolated, in rows, rejections and the library', async () => {
    const spoof = 'invoice\u202Egpj.exe';
    const element = await mount({ endpoint: await contentRangeEndpoint(), 'no-resume': true, multiple: true, accept: '.pdf' });
    const accepted = new File(['x'], `${spoof}.pdf`);
    const refused = new File(['y'], spoof);
    const success = nextEvent(element, 'upload-success');
    element.addFiles([accepted, refused]);
    const { detail } = await success;
    await rendered(element);
    const name = row(element, detail.id).querySelector('[part=file-name]')!;
    expect(name.textContent, 'the override is shown, not obeyed').to.equal('invoice\uFFFDgpj.exe.pdf');
    expect(name.getAttribute('title'), 'the exact name stays available').to.equal(accepted.name);
    expect(getComputedStyle(name.querySelector('bdi')!).unicodeBidi).to.equal('isolate');
    const rejection = element.shadowRoot!.querySelector('[part=rejection]')!;
    expect(rejection.textContent).to.contain('invoice\uFFFDgpj.exe').and.not.contain('\u202E');
    expect(rejection.querySelector('bdi')?.textContent).to.equal('invoice\uFFFDgpj.exe');
    expect((await stored(detail.asset.id)).record['name'], 'the server gets the exact name').to.equal(accepted.name);

    const data = [{ id: 'ast_1', file_name: spoof, size: 1, mimetype: 'application/pdf', link_download: GOOD_URL }];
    await setFaults([
      {
        method: 'GET',
        path: '/assets',
        times: 100,
        action: { type: 'status', status: 200, body: JSON.stringify({ data, meta: { pagination: { total: 1, current_page: 1, total_pages: 1 } } }) },
      },
    ]);
    const library = document.createElement('asset-library') as AssetLibrary;
    library.setAttribute('endpoint', await registryEndpoint());
    library.token = PHASED_FULL_TOKEN;
    document.body.append(library);
    try {
      await until(() => library.shadowRoot?.querySelector('[part=name]') != null, 'the listed asset');
      const listed = library.shadowRoot!.querySelector('[part=name]')!;
      expect(listed.textContent!.trim()).to.equal('invoice\uFFFDgpj.exe');
      expect(getComputedStyle(listed.querySelector('bdi')!).unicodeBidi).to.equal('isolate');
    } finally {
      library.remove();
    }
  });
});
