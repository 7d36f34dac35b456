/**
 * The view in every state, light and dark: axe-core (WCAG 2.1 AA and best practices)
 * finds nothing; the layout holds at 320, 390 and 1280 px (checked by geometry, not by
 * pixels, so fonts do not matter); keyboard alone reaches everything in visual order.
 */
import { expect } from '@esm-bundle/chai';
import axe from 'axe-core';
import { sendKeys } from '@web/test-runner-commands';
import type { AssetUploader } from '../../src/asset-uploader.js';
import { clearLog, contentRangeEndpoint, PHASED_FULL_TOKEN, phasedEndpoint, setFaults } from '../support/ref-server.js';
import { makeFile } from '../support/data.js';
import { clickRowAction, mount, nextEvent, rendered, row, unmountAll, until, virtualized } from '../support/harness.js';

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
  document.documentElement.style.colorScheme = '';
  document.body.style.background = '';
  document.body.style.color = '';
});

const part = (scope: ParentNode, name: string) => scope.querySelector<HTMLElement>(`[part~=${name}]`);

async function contentRange(extra: Record<string, string | boolean> = {}, parent?: HTMLElement): Promise<AssetUploader> {
  return mount({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB', multiple: true, 'no-resume': true, 'retry-delays': '0 50', ...extra }, parent);
}

function scheme(name: 'light' | 'dark'): void {
  // A page that declares its scheme and uses the system colours for it, as a dark site does.
  document.documentElement.style.colorScheme = name;
  document.body.style.background = name === 'dark' ? '#121212' : '#ffffff';
  document.body.style.color = name === 'dark' ? '#e8e8e8' : '#111111';
}

async function axeViolations(): Promise<string[]> {
  const results = await axe.run(document.body, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  });
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

function labelled(element: AssetUploader, text: string, wrapper: HTMLElement): void {
  const label = document.createElement('label');
  label.textContent = text;
  label.htmlFor = element.id;
  wrapper.prepend(label);
}

/** One element per state, in a page with a landmark and labels, as an author would write it. */
async function everyState(): Promise<HTMLElement> {
  const main = document.createElement('main');
  document.body.append(main);
  const section = (name: string) => {
    const div = document.createElement('div');
    div.dataset.state = name;
    main.append(div);
    return div;
  };
  const field = async (name: string, extra: Record<string, string | boolean> = {}) => {
    const box = section(name);
    const element = await contentRange({ id: `state-${name}`, ...extra }, box);
    labelled(element, `Files (${name})`, box);
    return element;
  };
  await field('empty');
  (await field('queued', { 'no-auto-start': true })).addFiles([makeFile(10, 'queued.bin', 1)]);
  // Disabled with rows: their buttons and the summary bar's are disabled too.
  const disabled = await field('disabled', { 'no-auto-start': true });
  disabled.addFiles([makeFile(10, 'disabled-1.bin', 10), makeFile(10, 'disabled-2.bin', 11)]);
  disabled.disabled = true;
  const rejected = await field('rejected', { 'max-file-size': '1KB' });
  rejected.addFiles([makeFile(5000, 'too-big.bin', 2)]);

  // Failed for good: a 400.
  await setFaults([{ method: 'PUT', times: 1, action: { type: 'status', status: 400, body: '{"error":{"code":"no","message":"refused"}}' } }]);
  const failed = await field('error');
  const error = nextEvent(failed, 'upload-error');
  failed.addFiles([makeFile(1000, 'failed.bin', 3)]);
  await error;

  // Retrying: a 503, then a long wait before the next attempt.
  await setFaults([{ method: 'PUT', times: 1, action: { type: 'status', status: 503 } }]);
  const retrying = await field('retrying', { 'retry-delays': '60000' });
  const retry = nextEvent(retrying, 'upload-retry');
  retrying.addFiles([makeFile(1000, 'retrying.bin', 4)]);
  await retry;

  // Uploading, paused, success and the summary bar, in one list with more files than slots.
  await setFaults([{ method: 'PUT', times: 10_000, action: { type: 'throttle', bytesPerSecond: 8 * 1024 } }]);
  const busy = await field('busy', { concurrency: '2' });
  const done = nextEvent(busy, 'upload-success');
  busy.addFiles([
    makeFile(10, 'done.bin', 5),
    makeFile(300 * 1024, 'uploading.bin', 6),
    makeFile(300 * 1024, 'paused.bin', 7),
    makeFile(300 * 1024, 'waiting.bin', 8),
  ]);
  await done;
  await until(() => busy.uploads.find((u) => u.name === 'paused.bin')!.status === 'uploading', 'the second file to run');
  await clickRowAction(busy, busy.uploads.find((u) => u.name === 'paused.bin')!.id, 'pause');

  // Rename open: an API that can rename (phased).
  const renameBox = section('rename');
  const renaming = await mount({ id: 'state-rename', endpoint: await phasedEndpoint(), protocol: 'phased' }, renameBox);
  labelled(renaming, 'Files (rename)', renameBox);
  renaming.token = PHASED_FULL_TOKEN;
  const renamed = nextEvent(renaming, 'upload-success');
  renaming.addFiles([makeFile(10, 'rename-me.txt', 9, 'text/plain')]);
  const { detail } = await renamed;
  await clickRowAction(renaming, detail.id, 'rename');

  // A list long enough to be virtualized (40 rows and more).
  const long = await field('virtualized', { 'no-auto-start': true });
  long.addFiles(Array.from({ length: 60 }, (_, i) => new File(['x'], `many-${i}.bin`, { lastModified: i })));
  // In view: a virtualized list renders the rows that are on screen, and none while it is off screen.
  await virtualized(long);
  await rendered(long);
  long.scrollIntoView();
  await until(() => long.shadowRoot!.querySelectorAll('[part~=file]').length > 0, 'the virtualized rows');

  for (const element of main.querySelectorAll('asset-uploader')) await rendered(element as AssetUploader);
  return main;
}

describe('view: axe in every state', () => {
  it('finds nothing in light and dark, with every state on the page', async () => {
    const main = await everyState();
    const statuses = Array.from(main.querySelectorAll('asset-uploader')).flatMap((e) => (e as AssetUploader).uploads.map((u) => u.status));
    for (const status of ['queued', 'error', 'retrying', 'success', 'uploading', 'paused']) expect(statuses, status).to.include(status);
    expect(main.querySelector('#state-busy')!.shadowRoot!.querySelector('[part~=summary]')).not.to.equal(null);
    expect(main.querySelector('#state-rename')!.shadowRoot!.querySelector('[part~=rename-form]')).not.to.equal(null);
    expect(main.querySelector('#state-rejected')!.shadowRoot!.querySelector('[part~=rejection]')).not.to.equal(null);
    expect(main.querySelector('#state-disabled')!.shadowRoot!.querySelector('[part~=start-button]')!.hasAttribute('disabled')).to.equal(true);
    const virtualized = main.querySelector('#state-virtualized')!.shadowRoot!.querySelectorAll('[part~=file]').length;
    expect(virtualized).to.be.within(1, 59);
    for (const name of ['light', 'dark'] as const) {
      scheme(name);
      expect(await axeViolations(), name).to.deep.equal([]);
    }
    main.remove();
  });
});

/** Composites a CSS colour (with alpha) over an opaque one; returns relative luminance. */
function luminanceOver(color: string, under: string): number {
  const rgba = (c: string) => {
    const probe = document.createElement('canvas').getContext('2d')!;
    probe.fillStyle = c;
    probe.fillRect(0, 0, 1, 1);
    return Array.from(probe.getImageData(0, 0, 1, 1).data);
  };
  const [r, g, b, a] = rgba(color);
  const [R, G, B] = rgba(under);
  const mix = [r! * (a! / 255) + R! * (1 - a! / 255), g! * (a! / 255) + G! * (1 - a! / 255), b! * (a! / 255) + B! * (1 - a! / 255)];
  const lin = mix.map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * lin[0]! + 0.7152 * lin[1]! + 0.0722 * lin[2]!;
}

describe('view: layout at 320, 390 and 1280 px, light and dark', () => {
  for (const width of [320, 390, 1280]) {
    for (const name of ['light', 'dark'] as const) {
      it(`${width} px, ${name}: nothing overflows, names keep their room, rows stay compact`, async () => {
        scheme(name);
        const box = document.createElement('div');
        box.style.width = `${width}px`;
        document.body.append(box);
        await setFaults([{ method: 'PUT', times: 10_000, action: { type: 'throttle', bytesPerSecond: 8 * 1024 } }]);
        const element = await contentRange({ concurrency: '1', 'max-file-size': '1MB' }, box);
        const done = nextEvent(element, 'upload-success');
        element.addFiles([
          makeFile(10, 'a-short-one.txt', 10, 'text/plain'),
          makeFile(300 * 1024, 'quarterly-report-final-version-with-appendices-2024.pdf', 11, 'application/pdf'),
          makeFile(300 * 1024, 'holiday-video.mp4', 12, 'video/mp4'),
          makeFile(5_000_000, 'rejected-because-it-is-far-too-large.mov', 13, 'video/quicktime'),
        ]);
        await done;
        await until(() => element.uploads.some((u) => u.status === 'uploading' && u.bytesUploaded > 0), 'a running upload');
        await rendered(element);
        const host = element.getBoundingClientRect();
        expect(element.scrollWidth, 'no horizontal overflow').to.be.at.most(element.clientWidth + 1);
        const rows = Array.from(element.shadowRoot!.querySelectorAll<HTMLElement>('[part~=file]'));
        expect(rows).to.have.length(3);
        for (const r of rows) {
          const box = r.getBoundingClientRect();
          expect(box.width).to.be.at.most(host.width + 1);
          expect(box.height, `row ${r.dataset.status}`).to.be.within(48, 76);
          for (const child of r.querySelectorAll<HTMLElement>('*')) {
            // What a clipping box (an ellipsis) cuts off is not on screen: the box itself is checked.
            if (child.parentElement?.closest('.meta, .name-line') && child.parentElement !== r) continue;
            const c = child.getBoundingClientRect();
            if (c.width === 0 && c.height === 0) continue;
            expect(c.left, `${child.getAttribute('part') ?? child.className} inside its row`).to.be.at.least(box.left - 1);
            expect(c.right, `${child.getAttribute('part') ?? child.className} inside its row`).to.be.at.most(box.right + 1);
          }
          const nameWidth = part(r, 'file-name')!.closest('.name-line')!.getBoundingClientRect().width;
          if (width <= 390) expect(nameWidth / box.width, 'the name has at least 40% of the row').to.be.at.least(0.4);
        }
        const summary = part(element.shadowRoot!, 'summary')!.getBoundingClientRect();
        expect(summary.right).to.be.at.most(host.right + 1);
        const area = part(element.shadowRoot!, 'drop-area')!;
        const luminance = luminanceOver(getComputedStyle(area).backgroundColor, document.body.style.background);
        if (name === 'dark') expect(luminance, 'the drop area is dark under a dark scheme').to.be.below(0.05);
        else expect(luminance).to.be.above(0.8);
        box.remove();
      });
    }
  }
});

describe('view: keyboard only', () => {
  it('Tab reaches the drop zone, the summary buttons and every row button in visual order; Enter acts', async () => {
    await setFaults([{ method: 'PUT', times: 10_000, action: { type: 'throttle', bytesPerSecond: 8 * 1024 } }]);
    const element = await contentRange({ concurrency: '2' });
    element.addFiles([makeFile(300 * 1024, 'k1.bin', 14), makeFile(300 * 1024, 'k2.bin', 15)]);
    await until(() => element.uploads.every((u) => u.status === 'uploading'), 'both running');
    await rendered(element);
    const before = document.createElement('button');
    before.textContent = 'before';
    element.before(before);
    before.focus();
    const order: string[] = [];
    for (let i = 0; i < 7; i++) {
      await sendKeys({ press: 'Tab' });
      const active = element.shadowRoot!.activeElement as HTMLElement | null;
      order.push((active?.getAttribute('part') ?? 'outside').replace('action ', ''));
    }
    expect(order).to.deep.equal(['drop-zone', 'pause-all-button', 'cancel-all-button', 'pause-button', 'cancel-button', 'pause-button', 'cancel-button']);
    const [first] = element.uploads;
    before.focus();
    for (let i = 0; i < 6; i++) await sendKeys({ press: 'Tab' });
    const paused = nextEvent(element, 'upload-pause');
    await sendKeys({ press: 'Enter' });
    expect((await paused).detail.id).to.equal(element.uploads[1]!.id);
    // Escape closes nothing here; Space works like Enter on buttons.
    (part(row(element, first!.id), 'pause-button') as HTMLElement).focus();
    const pausedFirst = nextEvent(element, 'upload-pause');
    await sendKeys({ press: ' ' });
    expect((await pausedFirst).detail.id).to.equal(first!.id);
    before.remove();
  });
});
