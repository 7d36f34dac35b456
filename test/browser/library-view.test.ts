/**
 * `<asset-library>` as a person meets it, against the reference server's registry: focus
 * after each action (never lost to the page), what is announced, a slow server (no double
 * submission, nothing stale), paging at the edges, a list that changes under an open
 * rename, and odd server answers. The flows of test/support/registry-suite.ts are not
 * repeated here.
 */
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/library.js';
import type { AssetLibrary } from '../../src/asset-library.js';
import { clearLog, PHASED_FULL_TOKEN, registryEndpoint, requestLog, setFaults, signedPartsEndpoint } from '../support/ref-server.js';
import { makeFile } from '../support/data.js';
import { dropFiles, mount, nextEvent, unmountAll, until } from '../support/harness.js';
import { library, main } from '../support/library.js';

async function uploader(extra: Record<string, string> = {}) {
  const element = await mount(
    {
      id: 'view-uploader',
      endpoint: await registryEndpoint(),
      protocol: 'registry',
      'storage-endpoint': await signedPartsEndpoint(),
      fields: '{"user_id":"usr_ada"}',
      'no-resume': '',
      multiple: '',
      'retry-delays': '0 100 300',
      ...extra,
    },
    main(),
  );
  element.token = PHASED_FULL_TOKEN;
  return element;
}

/** Uploads `files` through a real uploader (signed parts, then registered), one at a time so the list's order is theirs, newest first. */
async function upload(element: Awaited<ReturnType<typeof uploader>>, files: File[]): Promise<void> {
  for (const file of files) {
    const success = nextEvent(element, 'upload-success', (event) => event.detail.upload.name === file.name, 30_000);
    await dropFiles(element, [file]);
    await success;
  }
}

/** The registry holds exactly these assets (uploaded oldest first; the list shows them newest first). */
async function seed(fileNames: string[]): Promise<void> {
  const element = await uploader({ id: 'seeding-uploader' });
  await upload(
    element,
    fileNames.map((name, i) => makeFile(100 + i, name, 300 + i, name.endsWith('.mp3') ? 'audio/mpeg' : 'text/plain')),
  );
  element.remove();
}

const auth = { Authorization: `Bearer ${PHASED_FULL_TOKEN}` };

/** Deletes every asset of the workspace (straight to the API), so each test starts from nothing. */
async function wipe(): Promise<void> {
  const endpoint = await registryEndpoint();
  const listing = await (await fetch(`${endpoint}?limit=100`, { headers: auth })).json();
  for (const asset of listing.data as Array<{ id: string }>) {
    await fetch(`${endpoint}/${asset.id}`, { method: 'DELETE', headers: auth });
  }
}

const root = (element: AssetLibrary) => element.shadowRoot!;
const names = (element: AssetLibrary) => [...root(element).querySelectorAll('[part=name]')].map((node) => node.textContent!.trim());
const ids = (element: AssetLibrary) => [...root(element).querySelectorAll<HTMLElement>('[part=item]')].map((node) => node.dataset['id']!);
const shadowFocus = (element: AssetLibrary) => root(element).activeElement as HTMLElement | null;
const idle = (element: AssetLibrary) => root(element).querySelector('[part=base]')?.getAttribute('aria-busy') === 'false';
const pagination = (element: AssetLibrary) => root(element).querySelector('[part=pagination]')?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const announced = (element: AssetLibrary) => root(element).querySelector('[role=status]')?.textContent ?? '';
const alertText = (element: AssetLibrary) => root(element).querySelector('[role=alert]')?.textContent?.trim() ?? null;
const item = (element: AssetLibrary, id: string) => root(element).querySelector<HTMLElement>(`[data-id="${id}"]`);
/** Where the keyboard is: inside the library (not on the page's body). */
const focusInside = (element: AssetLibrary) => document.activeElement === element && shadowFocus(element) !== null;
const describeFocus = (element: AssetLibrary) =>
  `focus on ${document.activeElement?.localName}${shadowFocus(element) ? ` > ${shadowFocus(element)!.localName}.${shadowFocus(element)!.className}` : ''}`;
const deletes = async () => (await requestLog()).filter((entry) => entry.method === 'DELETE' && entry.path.startsWith('/registry/'));
const puts = async () => (await requestLog()).filter((entry) => entry.method === 'PUT' && entry.path.startsWith('/registry/'));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  unmountAll();
  for (const node of document.querySelectorAll('asset-library')) node.remove();
  await setFaults([]);
  await clearLog();
});

describe('<asset-library>: delete', () => {
  beforeEach(wipe);

  it('puts the focus on the next asset after a delete, and keeps it there once the list has reloaded', async () => {
    await seed(['one.txt', 'two.txt', 'three.txt']);
    const list = await library();
    await until(() => names(list).length === 3 && idle(list), 'three assets');
    const [, middle, last] = ids(list) as [string, string, string];
    item(list, middle)!.querySelector<HTMLButtonElement>('.delete-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => shadowFocus(list)?.classList.contains('keep') === true, 'the confirmation, focus on Keep');
    await sendKeys({ press: 'Tab' });
    const deleted = nextEvent(list as unknown as EventTarget, 'library-delete' as never, () => true, 20_000);
    await sendKeys({ press: 'Enter' });
    await deleted;
    await until(() => ids(list).length === 2 && idle(list), 'the list without the deleted asset');
    await list.updateComplete;
    expect(ids(list)).to.not.include(middle);
    expect(focusInside(list), describeFocus(list)).to.equal(true);
    expect(shadowFocus(list)!.closest<HTMLElement>('[part=item]')?.dataset['id'], 'on the asset that followed').to.equal(last);
    expect(shadowFocus(list)!.classList.contains('rename-button')).to.equal(true);
  });

  it('takes the deleted asset off the list at once while a slow server sends the new list', async () => {
    await seed(['keep me.txt', 'delete me.txt']);
    const list = await library();
    await until(() => names(list).length === 2 && idle(list), 'two assets');
    const target = ids(list)[0]!;
    await setFaults([{ method: 'GET', path: '/registry/', times: 5, action: { type: 'delay', ms: 1500 } }]);
    item(list, target)!.querySelector<HTMLButtonElement>('.delete-button')!.click();
    await list.updateComplete;
    const deleted = nextEvent(list as unknown as EventTarget, 'library-delete' as never, () => true, 20_000);
    root(list).querySelector<HTMLButtonElement>('.confirm-delete')!.click();
    await deleted;
    await list.updateComplete;
    expect(idle(list), 'the new list is still on its way').to.equal(false);
    expect(ids(list), 'the deleted asset is not offered (with live Rename and Delete) meanwhile').to.not.include(target);
    expect(focusInside(list), describeFocus(list)).to.equal(true);
    await until(() => idle(list), 'the new list');
    expect(ids(list)).to.not.include(target);
    expect(alertText(list), 'no error').to.equal(null);
  });

  it('sends one DELETE when the confirmation is clicked twice in a row', async () => {
    await seed(['double.txt']);
    const list = await library();
    await until(() => names(list).length === 1 && idle(list), 'the asset');
    root(list).querySelector<HTMLButtonElement>('.delete-button')!.click();
    await list.updateComplete;
    await clearLog();
    const confirm = root(list).querySelector<HTMLButtonElement>('.confirm-delete')!;
    confirm.click();
    confirm.click();
    await until(() => idle(list) && root(list).querySelector('.empty') !== null, 'the empty list');
    await pause(300);
    expect(await deletes(), 'one DELETE').to.have.length(1);
    expect(alertText(list), 'no "That did not work" for a second, pointless DELETE').to.equal(null);
    await until(() => announced(list).includes('Deleted double.txt.'), `the announcement (it says "${announced(list)}")`, 5000);
  });

  it('keeps the focus on the confirmation while a slow server deletes, and Enter again sends nothing more', async () => {
    await seed(['slow delete.txt']);
    const list = await library();
    await until(() => names(list).length === 1 && idle(list), 'the asset');
    await setFaults([{ method: 'DELETE', path: '/registry/', action: { type: 'delay', ms: 1500 } }]);
    root(list).querySelector<HTMLButtonElement>('.delete-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => shadowFocus(list)?.classList.contains('keep') === true, 'the confirmation');
    await sendKeys({ press: 'Tab' });
    const deleted = nextEvent(list as unknown as EventTarget, 'library-delete' as never, () => true, 20_000);
    await clearLog();
    await sendKeys({ press: 'Enter' });
    await list.updateComplete;
    expect(root(list).querySelector('.confirm-delete')?.getAttribute('aria-disabled'), 'the confirmation says it is busy').to.equal('true');
    expect(focusInside(list), `while the DELETE is out: ${describeFocus(list)}`).to.equal(true);
    await sendKeys({ press: 'Enter' });
    await deleted;
    await until(() => idle(list) && root(list).querySelector('.empty') !== null, 'the empty list');
    expect(await deletes(), 'one DELETE').to.have.length(1);
    expect(focusInside(list), `after the delete: ${describeFocus(list)}`).to.equal(true);
    expect(alertText(list)).to.equal(null);
  });

  it('shows the page before when the only asset of the last page is deleted, with the focus kept', async () => {
    await seed(['p1.txt', 'p2.txt', 'p3.txt']);
    const list = await library({ 'page-size': '2' });
    await until(() => idle(list) && /Page 1 of 2/.test(pagination(list)), 'page 1 of 2');
    root(list).querySelector<HTMLButtonElement>('.next')!.click();
    await until(() => idle(list) && /Page 2 of 2/.test(pagination(list)), 'page 2 of 2');
    expect(names(list)).to.deep.equal(['p1.txt']);
    root(list).querySelector<HTMLButtonElement>('.delete-button')!.click();
    await list.updateComplete;
    await setFaults([{ method: 'GET', path: '/registry/', times: 5, action: { type: 'delay', ms: 1000 } }]);
    const deleted = nextEvent(list as unknown as EventTarget, 'library-delete' as never, () => true, 20_000);
    root(list).querySelector<HTMLButtonElement>('.confirm-delete')!.click();
    await deleted;
    await list.updateComplete;
    expect(idle(list), 'the new list is still on its way').to.equal(false);
    expect(root(list).querySelector('.empty') === null, 'no "No assets yet." while page 1 still holds two').to.equal(true);
    expect(root(list).querySelector('[part=status]')?.textContent).to.contain('Loading assets…');
    await until(() => idle(list) && names(list).length === 2, 'the page before');
    expect(pagination(list)).to.contain('Page 1 of 1');
    expect(names(list)).to.have.members(['p2.txt', 'p3.txt']);
    expect(focusInside(list), describeFocus(list)).to.equal(true);
  });
});

describe('<asset-library>: rename', () => {
  beforeEach(wipe);

  it('keeps the focus in the field while a slow server renames; Enter again sends one PUT; Escape does not drop it', async () => {
    await seed(['draft.txt']);
    const list = await library();
    await until(() => names(list).length === 1 && idle(list), 'the asset');
    await setFaults([{ method: 'PUT', path: '/registry/', action: { type: 'delay', ms: 1500 } }]);
    root(list).querySelector<HTMLButtonElement>('.rename-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => shadowFocus(list)?.localName === 'input', 'the name field');
    await sendKeys({ type: 'final.txt' });
    const renamed = nextEvent(list as unknown as EventTarget, 'library-rename' as never, () => true, 20_000);
    await clearLog();
    await sendKeys({ press: 'Enter' });
    await list.updateComplete;
    expect(focusInside(list), `while the PUT is out: ${describeFocus(list)}`).to.equal(true);
    await sendKeys({ press: 'Enter' });
    await sendKeys({ press: 'Escape' });
    await list.updateComplete;
    expect(focusInside(list), `after Escape, the PUT still out: ${describeFocus(list)}`).to.equal(true);
    expect(
      root(list).querySelector('[part=input]') !== null,
      'the field stays until the server answers (Escape cannot take back a rename already sent)',
    ).to.equal(true);
    await renamed;
    await until(() => idle(list) && names(list).includes('final.txt'), 'the new name');
    await until(() => shadowFocus(list)?.classList.contains('rename-button') === true, `the focus on Rename (${describeFocus(list)})`);
    expect(await puts(), 'one PUT').to.have.length(1);
    await until(() => announced(list).includes('Renamed to final.txt.'), `the announcement (it says "${announced(list)}")`, 5000);
  });

  it('keeps what is typed in an open rename when a followed uploader adds an asset above it', async () => {
    await seed(['older.txt', 'newer.txt']);
    const element = await uploader();
    const list = await library({ for: 'view-uploader' });
    await until(() => names(list).length === 2 && idle(list), 'two assets');
    const target = ids(list)[1]!;
    item(list, target)!.querySelector<HTMLButtonElement>('.rename-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => shadowFocus(list)?.localName === 'input', 'the name field');
    await sendKeys({ type: 'half typed' });
    await upload(element, [makeFile(123, 'arrived.txt', 401, 'text/plain')]);
    await until(() => idle(list) && names(list).includes('arrived.txt'), 'the new upload in the list');
    await list.updateComplete;
    const field = item(list, target)?.querySelector('input');
    expect(field != null, 'the rename is still open on the same asset').to.equal(true);
    expect(field!.value, 'and holds what was typed').to.equal('half typed');
    expect(shadowFocus(list) === field, `and has the focus (${describeFocus(list)})`).to.equal(true);
  });

  it('a rename the server refuses (a name too long in bytes) says why and leaves the field open with the focus', async () => {
    await seed(['short.txt']);
    const list = await library();
    await until(() => names(list).length === 1 && idle(list), 'the asset');
    root(list).querySelector<HTMLButtonElement>('.rename-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => shadowFocus(list)?.localName === 'input', 'the name field');
    const field = shadowFocus(list) as HTMLInputElement;
    // 200 characters (within the field's 255) but 400 bytes of UTF-8 (beyond the server's 255).
    field.value = 'é'.repeat(200);
    await sendKeys({ press: 'End' });
    await sendKeys({ press: 'Enter' });
    await until(() => root(list).querySelector('[role=alert]') !== null, 'the refusal');
    expect(root(list).querySelector('[role=alert]')!.textContent).to.contain('the limit is 255 bytes');
    await until(() => shadowFocus(list)?.localName === 'input', `the focus back in the field (${describeFocus(list)})`);
    expect((shadowFocus(list) as HTMLInputElement).value).to.equal('é'.repeat(200));
    expect(names(list)).to.deep.equal(['short.txt']);
  });

  it('renames to a right-to-left name; the same name or only spaces closes the field and sends nothing', async () => {
    await seed(['plain.txt']);
    const list = await library();
    await until(() => names(list).length === 1 && idle(list), 'the asset');
    const open = async () => {
      root(list).querySelector<HTMLButtonElement>('.rename-button')!.focus();
      await sendKeys({ press: 'Enter' });
      await until(() => shadowFocus(list)?.localName === 'input', 'the name field');
      return shadowFocus(list) as HTMLInputElement;
    };
    await clearLog();
    for (const same of ['plain.txt', '   ']) {
      const field = await open();
      field.value = same;
      await sendKeys({ press: 'End' });
      await sendKeys({ press: 'Enter' });
      await until(() => shadowFocus(list)?.classList.contains('rename-button') === true, `the field closed for ${JSON.stringify(same)}`);
    }
    expect(await puts(), 'nothing sent').to.have.length(0);
    const field = await open();
    field.value = 'שלום עולם.txt';
    await sendKeys({ press: 'End' });
    const renamed = nextEvent(list as unknown as EventTarget, 'library-rename' as never, () => true, 20_000);
    await sendKeys({ press: 'Enter' });
    await renamed;
    await until(() => idle(list) && names(list)[0] === 'שלום עולם.txt', 'the right-to-left name');
    expect(getComputedStyle(root(list).querySelector('[part=name] bdi')!).unicodeBidi).to.equal('isolate');
    await until(() => announced(list).includes('Renamed to שלום עולם.txt.'), `the announcement (it says "${announced(list)}")`, 5000);
  });
});

describe('<asset-library>: paging and filtering', () => {
  beforeEach(wipe);

  it('keeps the keyboard in the pagination when Next reaches the last page and Previous the first', async () => {
    await seed(['k1.txt', 'k2.txt', 'k3.txt']);
    const list = await library({ 'page-size': '2' });
    await until(() => idle(list) && /Page 1 of 2/.test(pagination(list)), 'page 1 of 2');
    root(list).querySelector<HTMLButtonElement>('.next')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => idle(list) && /Page 2 of 2/.test(pagination(list)), 'page 2 of 2');
    await list.updateComplete;
    expect(focusInside(list), `on the last page: ${describeFocus(list)}`).to.equal(true);
    expect(shadowFocus(list)!.classList.contains('previous'), 'Next cannot be pressed there: the focus is on Previous').to.equal(true);
    await sendKeys({ press: 'Enter' });
    await until(() => idle(list) && /Page 1 of 2/.test(pagination(list)), 'page 1 again');
    await list.updateComplete;
    expect(focusInside(list), `on the first page: ${describeFocus(list)}`).to.equal(true);
    expect(shadowFocus(list)!.classList.contains('next')).to.equal(true);
  });

  it('announces the page a person turned to, and the result of a new filter', async () => {
    await seed(['s1.txt', 's2.txt', 's3.mp3']);
    const list = await library({ 'page-size': '2' });
    await until(() => idle(list) && /Page 1 of 2/.test(pagination(list)), 'page 1 of 2');
    root(list).querySelector<HTMLButtonElement>('.next')!.click();
    await until(() => announced(list).includes('Page 2 of 2, 3 assets.'), `"Page 2 of 2, 3 assets." announced (it says "${announced(list)}")`, 5000);
    const select = root(list).querySelector<HTMLSelectElement>('[part=filter]')!;
    select.value = 'video';
    select.dispatchEvent(new Event('change'));
    await until(() => announced(list).includes('No assets of this type.'), `"No assets of this type." announced (it says "${announced(list)}")`, 5000);
    select.value = 'audio';
    select.dispatchEvent(new Event('change'));
    await until(() => announced(list).includes('Page 1 of 1, 1 asset.'), `the audio page announced (it says "${announced(list)}")`, 5000);
  });

  it('shows the answer for the filter chosen last when it changes while a slow list is loading', async () => {
    await seed(['all.txt', 'song.mp3']);
    await setFaults([{ method: 'GET', path: '/registry/', action: { type: 'delay', ms: 1200 } }]);
    const list = await library();
    expect(idle(list)).to.equal(false);
    const select = root(list).querySelector<HTMLSelectElement>('[part=filter]')!;
    select.value = 'audio';
    select.dispatchEvent(new Event('change'));
    await until(() => idle(list) && names(list).length > 0, 'a list');
    expect(names(list)).to.deep.equal(['song.mp3']);
    // The slow, unfiltered answer comes (or is dropped) later: it must not replace the filtered one.
    await pause(1500);
    await list.updateComplete;
    expect(names(list)).to.deep.equal(['song.mp3']);
    expect(list.getAttribute('asset-type')).to.equal('audio');
  });

  it('reads page-size within 1..100 whatever it is given', async () => {
    const cases: Array<[string, string]> = [
      ['1', '1'],
      ['0', '20'],
      ['-3', '20'],
      ['2.9', '2'],
      ['abc', '20'],
      ['100', '100'],
      ['101', '100'],
    ];
    for (const [given, sent] of cases) {
      await clearLog();
      const list = await library({ 'page-size': given });
      await until(() => idle(list) && root(list).querySelector('.empty, [part=list]') !== null, `the list for page-size ${given}`);
      const gets = (await requestLog()).filter((entry) => entry.method === 'GET' && entry.path.startsWith('/registry/'));
      expect(new URL(gets.at(-1)!.path, 'http://x').searchParams.get('limit'), `page-size="${given}"`).to.equal(sent);
      list.remove();
    }
  });
});

describe('<asset-library>: odd server answers', () => {
  it('lists assets with missing members, skips what is not an asset, shows each id once, and copes with a huge page count', async () => {
    const data = [
      { id: 'ast_bare' },
      { id: 'ast_named', file_name: 'named.txt', size: 'big', created_at: 7 },
      { file_name: 'no id.txt' },
      'not an asset',
      null,
      { id: 'ast_named', file_name: 'named again.txt' },
    ];
    await setFaults([
      {
        method: 'GET',
        path: '/registry/',
        times: 100,
        action: { type: 'status', status: 200, body: JSON.stringify({ data, meta: { pagination: { total: 9e12, total_pages: 1e12 } } }) },
      },
    ]);
    const list = await library();
    await until(() => idle(list) && names(list).length > 0, 'the list');
    expect(names(list)).to.deep.equal(['ast_bare', 'named.txt']);
    expect(pagination(list)).to.contain('Page 1 of 1000000000000');
    expect(root(list).querySelector<HTMLButtonElement>('.next')!.matches(':disabled, [aria-disabled=true]')).to.equal(false);
    expect(root(list).querySelector<HTMLButtonElement>('.previous')!.matches(':disabled, [aria-disabled=true]')).to.equal(true);
  });

  it('says "1 asset", not "1 assets"', async () => {
    const page = (total: number) => ({
      data: [{ id: 'ast_one', file_name: 'one.txt', size: 1 }],
      meta: { pagination: { total, current_page: 1, total_pages: 1 } },
    });
    await setFaults([{ method: 'GET', path: '/registry/', times: 100, action: { type: 'status', status: 200, body: JSON.stringify(page(1)) } }]);
    const list = await library();
    await until(() => idle(list) && names(list).length === 1, 'the list');
    expect(pagination(list)).to.contain('Page 1 of 1 · 1 asset').and.not.contain('1 assets');
    root(list).querySelector<HTMLButtonElement>('.refresh')!.click();
    await until(() => announced(list).includes('Page 1 of 1, 1 asset.'), `the announcement (it says "${announced(list)}")`, 5000);
    expect(announced(list)).to.not.contain('1 assets');
  });

  it("shows an asset's date as a person reads it, in the page's language, with the exact one in datetime", async () => {
    const created = '2024-05-03T09:10:11.000Z';
    const data = [
      { id: 'ast_dated', file_name: 'dated.txt', size: 1, created_at: created },
      { id: 'ast_odd', file_name: 'odd date.txt', size: 1, created_at: 'last Tuesday' },
    ];
    await setFaults([
      {
        method: 'GET',
        path: '/registry/',
        times: 100,
        action: { type: 'status', status: 200, body: JSON.stringify({ data, meta: { pagination: { total: 2, current_page: 1, total_pages: 1 } } }) },
      },
    ]);
    const list = await library({ lang: 'de' });
    await until(() => idle(list) && names(list).length === 2, 'the list');
    const [dated, odd] = [...root(list).querySelectorAll('time')];
    expect(dated!.getAttribute('datetime')).to.equal(created);
    expect(dated!.textContent).to.equal(new Intl.DateTimeFormat('de', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(created)));
    expect(dated!.textContent, 'not the machine form').to.not.contain('T09:10');
    expect(odd!.textContent, 'a date it cannot read is shown as sent').to.equal('last Tuesday');
  });

  // The name link had the browser's own link blue: on a dark page that declares no
  // color-scheme (a dark background by CSS alone) it was unreadable (about 2:1).
  it('names its links in the page text colour, underlined, so they read on a dark page that declares no color-scheme', async () => {
    const data = [{ id: 'ast_link', file_name: 'linked.txt', size: 1, link_download: 'https://files.test/linked.txt' }];
    await setFaults([
      {
        method: 'GET',
        path: '/registry/',
        times: 100,
        action: { type: 'status', status: 200, body: JSON.stringify({ data, meta: { pagination: { total: 1, current_page: 1, total_pages: 1 } } }) },
      },
    ]);
    const box = document.createElement('div');
    box.style.cssText = 'background: #111; color: #eee; padding: 1rem';
    main().append(box);
    const list = await library();
    box.append(list);
    await until(() => idle(list) && names(list).length === 1, 'the list');
    const link = root(list).querySelector<HTMLAnchorElement>('a[part=name]')!;
    expect(link.href).to.equal('https://files.test/linked.txt');
    const style = getComputedStyle(link);
    expect(style.color).to.equal('rgb(238, 238, 238)');
    expect(style.textDecorationLine).to.contain('underline');
    box.remove();
  });
});
