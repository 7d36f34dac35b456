/**
 * `registry` end to end, shared by the two modes of the reference server (embedded
 * store: test/browser/registry.test.ts; Ceph RGW: test/browser/registry.s3.test.ts):
 * the bytes go through signed-parts to the object store, the asset is registered, and
 * `<asset-library>` shows it, renames it and deletes it, by keyboard, with axe clean.
 */
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import axe from 'axe-core';
import '../../src/library.js';
import type { AssetLibrary } from '../../src/asset-library.js';
import { clearLog, PHASED_FULL_TOKEN, registryEndpoint, requestLog, s3Object, setFaults, signedPartsEndpoint } from './ref-server.js';
import { makeFile, sha256 } from './data.js';
import { dropFiles, mount, nextEvent, rendered, unmountAll, until, expectQuietConsole } from './harness.js';
import { library, main } from './library.js';
import type { StoreMode } from './signed-parts-suite.js';

const MiB = 1024 * 1024;

async function axeViolations(element: Element): Promise<string[]> {
  const results = await axe.run(element, { resultTypes: ['violations'] });
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const names = (element: AssetLibrary) => [...element.shadowRoot!.querySelectorAll('[part=name]')].map((node) => node.textContent!.trim());
const shadowFocus = (element: AssetLibrary) => element.shadowRoot!.activeElement as HTMLElement | null;

async function uploader(extra: Record<string, string> = {}) {
  const element = await mount(
    {
      id: 'registry-uploader',
      endpoint: await registryEndpoint(),
      protocol: 'registry',
      'storage-endpoint': await signedPartsEndpoint(),
      fields: '{"user_id":"usr_ada"}',
      'chunk-size': '5MiB',
      'retry-delays': '0 100 300',
      ...extra,
    },
    main(),
  );
  element.token = PHASED_FULL_TOKEN;
  return element;
}

export function describeRegistry(mode: StoreMode): void {
  const removeAll = () => {
    unmountAll();
    for (const node of document.querySelectorAll('asset-library')) node.remove();
  };
  afterEach(async () => {
    removeAll();
    await setFaults([]);
    await clearLog();
  });
  // Every upload here must leave the console quiet (a refused header, a CSP report, a warning).
  before(() => expectQuietConsole());
  afterEach(() => expectQuietConsole());

  describe(`registry + <asset-library> (${mode === 's3' ? 'real S3: Ceph RADOS Gateway' : 'embedded store'})`, () => {
    it('stores the bytes by signed parts, registers the asset, and the library shows it without a reload', async () => {
      const list = await library({ for: 'registry-uploader' });
      await until(() => list.shadowRoot!.querySelector('.empty, [part=list]') !== null, 'the library to load');
      const before = names(list);
      const element = await uploader({ 'no-resume': '' });
      const file = makeFile(2 * 5 * MiB + 777, 'clip one.mp4', 211, 'video/mp4');
      const success = nextEvent(element, 'upload-success', () => true, 60_000);
      await dropFiles(element, [file]);
      const { detail } = await success;
      const asset = detail.asset;
      expect(asset.id).to.match(/^ast_/);
      const raw = asset.raw as Record<string, unknown>;
      expect(raw).to.include({
        file_name: 'clip one.mp4',
        file_type: 'mp4',
        mimetype: 'video/mp4',
        size: file.size,
        asset_type: 'video',
        user_id: 'usr_ada',
        workspace_id: 'wrk_acme',
      });
      expect(raw['object_key']).to.match(/^signed-parts\/[0-9a-f]{32}$/);
      if (mode === 's3') {
        expect(raw['bucket']).to.equal('asset-uploader');
        expect((await s3Object(String(raw['object_key'])))?.sha256).to.equal(await sha256(file));
      } else {
        expect(await sha256(await (await fetch(asset.url!)).blob())).to.equal(await sha256(file));
      }
      await until(() => names(list).includes('clip one.mp4'), 'the new asset in the library');
      expect(names(list).length).to.equal(before.length + 1);
      expect(
        element.value.map((entry) => entry.id),
        "the field's value is what was registered",
      ).to.include(asset.id);

      const log = await requestLog();
      expect(
        log.filter((e) => e.target === 'store').some((e) => e.authorization?.includes(PHASED_FULL_TOKEN)),
        'the bearer token never reaches the store',
      ).to.equal(false);
      expect(log.filter((e) => e.path.startsWith('/registry/') && e.method === 'POST')).to.have.length(1);
    });

    it('goes through the same store checks: a corrupted part is re-sent, a re-created element sends only missing parts', async () => {
      const partPath = mode === 's3' ? 'partNumber=' : '/store/';
      const storePuts = async () => (await requestLog()).filter((e) => e.target === 'store' && e.method === 'PUT');
      const file = makeFile(3 * 5 * MiB + 999, 'resumed interview.mov', 241, 'video/quicktime');
      const first = await uploader({ 'parallel-parts': '1' });
      await setFaults([
        { target: 'store', method: 'PUT', path: partPath, nth: 1, action: { type: 'corrupt' } },
        { target: 'store', method: 'PUT', path: partPath, nth: 3, times: 100, action: { type: 'throttle', bytesPerSecond: 2 * MiB } },
      ]);
      const confirmed = nextEvent(first, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= 5 * MiB, 60_000);
      await dropFiles(first, [file]);
      await confirmed;
      first.remove();
      const before = await storePuts();
      expect(
        before.filter((e) => e.status === 400 && e.fault === 'corrupt'),
        'the store refused the corrupted part',
      ).to.have.length(1);
      await setFaults([]);
      await clearLog();

      const second = await uploader();
      const success = nextEvent(second, 'upload-success', () => true, 60_000);
      await dropFiles(second, [new File([file], file.name, { type: file.type, lastModified: file.lastModified })]);
      const { detail } = await success;
      expect(detail.upload.resumedFrom).to.be.at.least(5 * MiB);
      const after = await storePuts();
      const missing = 4 - Math.floor(detail.upload.resumedFrom / (5 * MiB));
      expect(after.filter((e) => e.status === 200).length, 'only the missing parts').to.equal(missing);
      const raw = detail.asset.raw as Record<string, unknown>;
      expect(raw).to.include({ file_name: 'resumed interview.mov', size: file.size, asset_type: 'video' });
      const digest = mode === 's3' ? (await s3Object(String(raw['object_key'])))?.sha256 : await sha256(await (await fetch(detail.asset.url!)).blob());
      expect(digest, 'the registered object is the file').to.equal(await sha256(file));
      const log = await requestLog();
      expect(
        log.filter((e) => e.target === 'api' && e.method === 'POST' && e.path.startsWith('/signed-parts/')),
        'the same upload, re-attached',
      ).to.have.length(0);
      expect(
        log.filter((e) => e.method === 'POST' && e.path.startsWith('/registry/')),
        'registered once',
      ).to.have.length(1);
    });

    it('renames and deletes from the library with the keyboard alone; axe finds nothing in any state', async () => {
      const element = await uploader({ 'no-resume': '' });
      const file = makeFile(1000, 'poster.png', 212, 'image/png');
      const success = nextEvent(element, 'upload-success', () => true, 60_000);
      await dropFiles(element, [file]);
      const { detail } = await success;
      const list = await library({ 'asset-type': 'image' });
      await until(() => names(list).includes('poster.png'), 'the image in the filtered library');
      expect(await axeViolations(document.body)).to.deep.equal([]);
      const row = () => list.shadowRoot!.querySelector<HTMLElement>(`[data-id="${detail.asset.id}"]`)!;

      // Rename: focus the row's Rename button, Enter, type, Enter.
      row().querySelector<HTMLButtonElement>('.rename-button')!.focus();
      await sendKeys({ press: 'Enter' });
      await until(
        () => shadowFocus(list)?.localName === 'input',
        `the name field to take the focus (focus: ${shadowFocus(list)?.className}, form: ${row().querySelector('form') !== null})`,
      );
      expect(await axeViolations(document.body)).to.deep.equal([]);
      const field = shadowFocus(list) as HTMLInputElement;
      expect([field.selectionStart, field.selectionEnd], 'the name is selected, so typing replaces it').to.deep.equal([0, 'poster.png'.length]);
      await sendKeys({ type: 'cover art.png' });
      const renamed = nextEvent(list as unknown as EventTarget, 'library-rename' as never, () => true, 20_000);
      await sendKeys({ press: 'Enter' });
      await renamed;
      await until(() => names(list).includes('cover art.png'), 'the new name in the list');
      await until(() => shadowFocus(list)?.classList.contains('rename-button') === true, 'the focus back on Rename');
      await until(
        () => list.shadowRoot!.querySelector('[role=status]')!.textContent!.includes('Renamed to cover art.png'),
        'the announcement: Renamed to cover art.png',
      );
      const stored = await (
        await fetch(`${await registryEndpoint()}/${detail.asset.id}`, { headers: { Authorization: `Bearer ${PHASED_FULL_TOKEN}` } })
      ).json();
      expect(stored.data.file_name, 'the server has the new name').to.equal('cover art.png');

      // Delete: Tab to Delete, Enter asks; Escape keeps it; Enter on Delete again, then confirm.
      await sendKeys({ press: 'Tab' });
      expect(shadowFocus(list)?.classList.contains('delete-button')).to.equal(true);
      await sendKeys({ press: 'Enter' });
      await until(() => shadowFocus(list)?.classList.contains('keep') === true, 'the confirmation, focus on Keep');
      expect(row().textContent).to.contain('Delete cover art.png? This cannot be undone.');
      expect(await axeViolations(document.body)).to.deep.equal([]);
      await sendKeys({ press: 'Escape' });
      await until(() => shadowFocus(list)?.classList.contains('delete-button') === true, 'Escape keeps the asset');
      await sendKeys({ press: 'Enter' });
      await until(() => shadowFocus(list)?.classList.contains('keep') === true, 'the confirmation again');
      await sendKeys({ press: 'Tab' });
      expect(shadowFocus(list)?.classList.contains('confirm-delete')).to.equal(true);
      const deleted = nextEvent(list as unknown as EventTarget, 'library-delete' as never, () => true, 20_000);
      await sendKeys({ press: 'Enter' });
      await deleted;
      await until(() => !names(list).includes('cover art.png'), 'the asset gone from the list');
      await until(
        () => list.shadowRoot!.querySelector('[role=status]')!.textContent!.includes('Deleted cover art.png'),
        'the announcement: Deleted cover art.png',
      );
      const gone = await fetch(`${await registryEndpoint()}/${detail.asset.id}`, { headers: { Authorization: `Bearer ${PHASED_FULL_TOKEN}` } });
      expect(gone.status, 'the registry forgot it').to.equal(404);
      if (mode === 's3')
        expect(await s3Object(String((detail.asset.raw as Record<string, unknown>)['object_key'])), 'and the object is gone from S3').to.equal(null);
      expect(await axeViolations(document.body)).to.deep.equal([]);
    });

    it('registers once when the answer to the registration is lost, and shows a loading state', async () => {
      const element = await uploader({ 'no-resume': '' });
      await setFaults([{ method: 'POST', path: '/registry/', action: { type: 'lose-answer' } }]);
      const file = makeFile(2000, 'lost answer.wav', 231, 'audio/wav');
      const success = nextEvent(element, 'upload-success', () => true, 60_000);
      await dropFiles(element, [file]);
      const { detail } = await success;
      const log = await requestLog();
      const posts = log.filter((e) => e.method === 'POST' && e.path.startsWith('/registry/'));
      expect(
        posts.map((e) => e.status),
        'registered, answer lost, then 409 naming the asset',
      ).to.deep.equal([201, 409]);
      expect(
        log.filter((e) => e.method === 'GET' && e.path.includes(`/assets/${detail.asset.id}`)),
        'the client read the asset it had registered',
      ).to.have.length(1);
      expect((detail.asset.raw as Record<string, unknown>)['file_name']).to.equal('lost answer.wav');

      await setFaults([{ method: 'GET', path: '/registry/', action: { type: 'delay', ms: 1500 } }]);
      const list = await library({ 'asset-type': 'audio' });
      expect(list.shadowRoot!.querySelector('[part=status]')?.textContent, 'a loading state while the list comes').to.contain('Loading assets…');
      expect(list.shadowRoot!.querySelector('[part=base]')!.getAttribute('aria-busy')).to.equal('true');
      await until(() => names(list).includes('lost answer.wav'), 'the asset, listed once');
      expect(names(list).filter((name) => name === 'lost answer.wav')).to.have.length(1);
      expect(list.shadowRoot!.querySelector('[part=base]')!.getAttribute('aria-busy')).to.equal('false');
    });

    it('says what is wrong with a registry uploader set up badly, and sends nothing', async () => {
      const warnings: string[] = [];
      const original = console.warn;
      console.warn = (message: string) => warnings.push(String(message));
      try {
        const element = await uploader({ 'storage-endpoint': '', fields: '{"user_id": ' });
        await clearLog();
        const failed = nextEvent(element, 'upload-error', () => true, 20_000);
        await dropFiles(element, [makeFile(100, 'nowhere.txt', 251, 'text/plain')]);
        const { detail } = await failed;
        expect(
          warnings.filter((w) => w.includes('fields must be a JSON object')),
          'one warning for the bad fields',
        ).to.have.length(1);
        expect(detail.error.message).to.contain('set storage-endpoint to a signed-parts uploads URL');
        await rendered(element);
        expect(element.shadowRoot!.textContent).to.contain('storage-endpoint');
        expect(
          (await requestLog()).filter((e) => e.method !== 'OPTIONS'),
          'nothing was sent',
        ).to.have.length(0);
      } finally {
        console.warn = original;
      }
    });

    it('pages, filters by type, and shows load and action errors with a way out', async () => {
      const element = await uploader({ 'no-resume': '', multiple: '' });
      const files = [makeFile(300, 'a.txt', 221, 'text/plain'), makeFile(300, 'b.mp3', 222, 'audio/mpeg'), makeFile(300, 'c.txt', 223, 'text/plain')];
      let done = 0;
      const all = new Promise<void>((resolve) => element.addEventListener('upload-success', () => ++done === files.length && resolve()));
      await dropFiles(element, files);
      await all;
      const list = await library({ 'page-size': '2' });
      await until(() => list.shadowRoot!.querySelector('[part=pagination]') !== null, 'a first page');
      expect(names(list)).to.have.length(2);
      expect(list.shadowRoot!.querySelector('[part=pagination]')!.textContent).to.match(/Page 1 of \d+/);
      list.shadowRoot!.querySelector<HTMLButtonElement>('.next')!.click();
      await until(() => /Page 2 of/.test(list.shadowRoot!.querySelector('[part=pagination]')?.textContent ?? ''), 'page 2');
      const select = list.shadowRoot!.querySelector<HTMLSelectElement>('[part=filter]')!;
      select.value = 'audio';
      select.dispatchEvent(new Event('change'));
      const metas = () => [...list.shadowRoot!.querySelectorAll('[part=meta]')].map((node) => node.textContent!.trim());
      // No load under way: a check that passes mid-load reads a page that is about to change.
      const idle = () => list.shadowRoot!.querySelector('[part=base]')?.getAttribute('aria-busy') === 'false';
      // Page 2 of every type can be [b.mp3] alone, which looks the same before the filtered load is out.
      await until(
        () =>
          idle() &&
          !/Page 2 of/.test(list.shadowRoot!.querySelector('[part=pagination]')?.textContent ?? '') &&
          names(list).includes('b.mp3') &&
          metas().every((meta) => meta.startsWith('Audio ·')),
        'only audio',
      );
      expect(names(list)).to.not.include('a.txt');
      expect(list.getAttribute('asset-type')).to.equal('audio');

      // The API fails: the list says so and offers to try again, which recovers.
      await setFaults([
        {
          method: 'GET',
          path: '/registry/',
          times: 1000,
          action: { type: 'status', status: 503, body: '{"error":{"code":"down","message":"The registry is down for maintenance."}}' },
        },
      ]);
      list.shadowRoot!.querySelector<HTMLButtonElement>('.refresh')!.click();
      await until(() => idle() && list.shadowRoot!.querySelector('[role=alert]') !== null, 'the error');
      expect(list.shadowRoot!.querySelector('[role=alert]')!.textContent).to.contain('The registry is down for maintenance. (503)');
      expect(await axeViolations(document.body), 'axe, in the error state').to.deep.equal([]);
      await setFaults([]);
      list.shadowRoot!.querySelector<HTMLButtonElement>('.retry')!.click();
      await until(() => list.shadowRoot!.querySelector('[role=alert]') === null && names(list).length > 0, 'recovered');

      // A refused delete keeps the asset and says why.
      await setFaults([
        {
          method: 'DELETE',
          path: '/registry/',
          times: 2,
          action: { type: 'status', status: 403, body: '{"error":{"code":"insufficient_scope","message":"This token may not delete assets."}}' },
        },
      ]);
      const first = list.shadowRoot!.querySelector<HTMLElement>('[part=item]')!;
      const id = first.dataset['id'];
      first.querySelector<HTMLButtonElement>('.delete-button')!.click();
      await until(() => list.shadowRoot!.querySelector('.confirm-delete') !== null, 'the confirmation');
      list.shadowRoot!.querySelector<HTMLButtonElement>('.confirm-delete')!.click();
      await until(() => list.shadowRoot!.querySelector('[role=alert]')?.textContent?.includes('This token may not delete assets.') === true, 'the refusal');
      expect(list.shadowRoot!.querySelector(`[data-id="${id}"]`), 'the asset is still listed').to.not.equal(null);
      // Refused again, in the same words: a new alert (the same text left in place is not spoken again).
      const firstAlert = list.shadowRoot!.querySelector('[role=alert]');
      list.shadowRoot!.querySelector<HTMLButtonElement>('.confirm-delete')!.click();
      await until(() => {
        const alert = list.shadowRoot!.querySelector('[role=alert]');
        return alert !== null && alert !== firstAlert && alert.textContent!.includes('This token may not delete assets.');
      }, 'the second refusal, as a new alert');
      expect(list.shadowRoot!.querySelector(`[data-id="${id}"]`), 'the asset is still listed').to.not.equal(null);
    });
  });
}
