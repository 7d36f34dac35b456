/**
 * The element's view as a person meets it: each defect an outside tester found (with a
 * test that failed before the fix), the rows' parts, previews, the summary bar, folder
 * paths, attribute removal, focus, announcements, labels, paste, i18n and RTL. Assertions
 * are on the rendered DOM, focus, the live region and what the server stored.
 */
import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import type { AssetUploader } from '../../src/asset-uploader.js';
import { clearLog, contentRangeEndpoint, logOnceAnswered, setFaults, stored } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { clickRowAction, dropZone, mount, nextEvent, rendered, row, unmountAll, until, virtualized } from '../support/harness.js';

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
});

async function uploader(extra: Record<string, string | boolean> = {}, parent?: HTMLElement): Promise<AssetUploader> {
  return mount({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB', multiple: true, 'no-resume': true, 'retry-delays': '0 50', ...extra }, parent);
}

const shadow = (element: AssetUploader) => element.shadowRoot!;
const rows = (element: AssetUploader) => Array.from(shadow(element).querySelectorAll<HTMLElement>('[part~=file]'));
const part = (scope: ParentNode, name: string) => scope.querySelector<HTMLElement>(`[part~=${name}]`);
const liveRegion = (element: AssetUploader) => shadow(element).querySelector('[aria-live=polite]')!;

/** Every text the live region showed, in order. */
function listen(element: AssetUploader): string[] {
  const heard: string[] = [];
  const region = liveRegion(element);
  new MutationObserver(() => {
    const text = region.textContent!.trim();
    if (text) heard.push(text);
  }).observe(region, { childList: true, characterData: true, subtree: true });
  return heard;
}

/** A small PNG drawn in the page (a real image the browser decodes). */
async function png(name = 'photo.png', width = 300, height = 200): Promise<File> {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d')!;
  g.fillStyle = '#e11d48';
  g.fillRect(0, 0, width, height);
  g.fillStyle = '#2563eb';
  g.fillRect(width / 2, 0, width / 2, height);
  const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
  return new File([blob], name, { type: 'image/png', lastModified: 1_700_000_000_000 });
}

const slow = (bytesPerSecond = 16 * 1024) => setFaults([{ method: 'PUT', times: 10_000, action: { type: 'throttle', bytesPerSecond } }]);

describe('view: the defects an outside tester found', () => {
  it('Remove takes the row off the screen at once', async () => {
    const element = await uploader();
    const success = nextEvent(element, 'upload-success');
    await element.addFiles([makeFile(1000, 'gone.bin', 1)]);
    const { detail } = await success;
    await rendered(element);
    expect(rows(element)).to.have.length(1);
    await clickRowAction(element, detail.id, 'remove');
    await rendered(element);
    expect(rows(element)).to.have.length(0);
    expect(part(shadow(element), 'file-list')).to.equal(null);
  });

  it('Remove on a failed row drops it too (and its server upload)', async () => {
    const element = await uploader();
    await setFaults([{ method: 'PUT', times: 1, action: { type: 'status', status: 400, body: '{"error":{"code":"no","message":"refused"}}' } }]);
    const error = nextEvent(element, 'upload-error');
    element.addFiles([makeFile(1000, 'failed.bin', 2)]);
    const { detail } = await error;
    await clickRowAction(element, detail.id, 'remove');
    await until(() => rows(element).length === 0, 'the failed row to go');
    expect(element.uploads).to.have.length(0);
  });

  it('Remove and form.reset() take rows off at once while the server is slow to answer the DELETE', async () => {
    const form = document.createElement('form');
    document.body.append(form);
    const element = await uploader({ concurrency: '2' }, form);
    const slowDelete = { method: 'DELETE', times: 10, action: { type: 'delay', ms: 3000 } } as const;
    await setFaults([{ method: 'PUT', times: 1, action: { type: 'status', status: 400, body: '{"error":{"code":"no","message":"refused"}}' } }, slowDelete]);
    const error = nextEvent(element, 'upload-error');
    element.addFiles([makeFile(1000, 'failed.bin', 63)]);
    const { detail } = await error;
    await setFaults([{ method: 'PUT', times: 10_000, action: { type: 'throttle', bytesPerSecond: 16 * 1024 } }, slowDelete]);
    element.addFiles([makeFile(256 * 1024, 'a.bin', 64), makeFile(256 * 1024, 'b.bin', 65), makeFile(256 * 1024, 'c.bin', 66)]);
    await until(() => element.uploads.filter((u) => u.status === 'uploading').length === 2, 'two uploads sending');
    await clickRowAction(element, detail.id, 'remove');
    await rendered(element);
    expect(rows(element).map((r) => part(r, 'file-name')!.textContent)).to.deep.equal(
      ['a.bin', 'b.bin', 'c.bin'],
      'the failed row went before its DELETE was answered',
    );
    form.reset();
    await rendered(element);
    expect(rows(element), 'reset empties the list before the DELETEs are answered').to.have.length(0);
    expect(element.uploads).to.have.length(0);
    // The server is still told: its DELETEs are sent, and answered once the delay is over.
    const log = await logOnceAnswered((entry) => entry.method === 'DELETE');
    expect(log.filter((entry) => entry.method === 'DELETE').length).to.be.greaterThan(0);
  });

  it('a fieldset disabled and then enabled again leaves the element enabled', async () => {
    const form = document.createElement('form');
    const fieldset = document.createElement('fieldset');
    form.append(fieldset);
    document.body.append(form);
    const element = await uploader({}, fieldset);
    fieldset.disabled = true;
    await rendered(element);
    expect((dropZone(element) as HTMLButtonElement).disabled).to.equal(true);
    expect(element.hasAttribute('disabled'), 'the fieldset does not write the attribute').to.equal(false);
    const refused: string[] = [];
    element.addEventListener('file-reject', (e) => refused.push(e.detail.file.reason));
    element.addFiles([makeFile(10, 'while-disabled.bin', 3)]);
    expect(refused).to.deep.equal(['disabled']);
    fieldset.disabled = false;
    await rendered(element);
    expect((dropZone(element) as HTMLButtonElement).disabled).to.equal(false);
    const success = nextEvent(element, 'upload-success');
    const file = makeFile(10, 'after.bin', 4);
    element.addFiles([file]);
    expect((await stored((await success).detail.asset.id)).sha256).to.equal(await sha256(file));
    form.remove();
  });

  it('a disabled fieldset disables every button of the rows and the summary bar too; uploads go on; enabled again, they work', async () => {
    const form = document.createElement('form');
    const fieldset = document.createElement('fieldset');
    form.append(fieldset);
    document.body.append(form);
    const element = await uploader({ concurrency: '2' }, fieldset);
    await slow();
    element.addFiles([makeFile(100 * 1024, 'd1.bin', 75), makeFile(100 * 1024, 'd2.bin', 76), makeFile(100 * 1024, 'd3.bin', 77)]);
    await until(() => element.uploads.some((u) => u.bytesUploaded > 0), 'bytes moving');
    fieldset.disabled = true;
    await rendered(element);
    const buttons = () => Array.from(shadow(element).querySelectorAll<HTMLButtonElement>('[part~=file] button, [part~=summary] button'));
    expect(buttons().length, 'rows and the summary bar have buttons').to.be.above(4);
    expect(
      buttons()
        .filter((b) => !b.disabled)
        .map((b) => b.getAttribute('part')),
    ).to.deep.equal([]);
    // A click on a disabled button does nothing: the uploads go on.
    part(shadow(element), 'cancel-all-button')!.click();
    await setFaults([]);
    await until(() => element.uploads.every((u) => u.status === 'success'), 'every upload finished while disabled', 30_000);
    fieldset.disabled = false;
    await rendered(element);
    expect(buttons().filter((b) => b.disabled)).to.deep.equal([]);
    part(shadow(element), 'clear-button')!.click();
    await until(() => rows(element).length === 0, 'Clear finished works again');
    form.remove();
  });

  it('the disabled attribute still disables, and removing it enables', async () => {
    const element = await uploader({ disabled: true });
    expect((dropZone(element) as HTMLButtonElement).disabled).to.equal(true);
    element.removeAttribute('disabled');
    await rendered(element);
    expect((dropZone(element) as HTMLButtonElement).disabled).to.equal(false);
    expect(element.addFiles([makeFile(10, 'enabled.bin', 5)])).to.have.length(1);
  });

  it('removing accept or max-file-size lifts the restriction, whatever the order', async () => {
    const element = await uploader({ 'no-auto-start': true, accept: '.pdf', 'max-file-size': '1KB' });
    const reasons: string[] = [];
    element.addEventListener('file-reject', (e) => reasons.push(e.detail.file.reason));
    element.addFiles([makeFile(2000, 'big.pdf', 6), makeFile(10, 'small.bin', 7)]);
    expect(reasons).to.deep.equal(['file_too_large', 'file_type']);
    await rendered(element);
    expect(part(shadow(element), 'rejection')!.textContent).to.match(/the limit is 1 kB/);
    element.removeAttribute('max-file-size');
    element.removeAttribute('accept');
    await rendered(element);
    expect(part(shadow(element), 'hint')!.textContent).not.to.match(/Up to|Accepted/);
    expect(element.addFiles([makeFile(2000, 'big.pdf', 6), makeFile(10, 'small.bin', 7)])).to.have.length(2);
    // Set again, then removed before the element is in a page at all.
    const later = document.createElement('asset-uploader');
    later.setAttribute('endpoint', await contentRangeEndpoint());
    later.setAttribute('max-file-size', '1KB');
    later.setAttribute('multiple', '');
    later.setAttribute('no-auto-start', '');
    later.removeAttribute('max-file-size');
    document.body.append(later);
    await later.updateComplete;
    expect(later.addFiles([makeFile(5000, 'later.bin', 8)])).to.have.length(1);
    later.remove();
  });

  it('Pause and Resume keep keyboard focus on the row', async () => {
    const element = await uploader();
    await slow();
    const moving = nextEvent(element, 'upload-progress', (e) => e.detail.upload.bytesUploaded > 0);
    element.addFiles([makeFile(400 * 1024, 'focus.bin', 9)]);
    const { detail } = await moving;
    await rendered(element);
    part(row(element, detail.id), 'pause-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => element.uploads[0]!.status === 'paused', 'paused');
    await rendered(element);
    const afterPause = shadow(element).activeElement as HTMLElement;
    expect(afterPause.getAttribute('part')).to.contain('resume-button');
    expect(afterPause.closest('[part~=file]')!.getAttribute('data-id')).to.equal(detail.id);
    await sendKeys({ press: 'Enter' });
    await until(() => element.uploads[0]!.status !== 'paused', 'resumed');
    await rendered(element);
    expect((shadow(element).activeElement as HTMLElement).getAttribute('part')).to.contain('pause-button');
    expect(document.activeElement).to.equal(element);
  });

  it('after Remove, focus goes to the next row, not to <body>', async () => {
    const element = await uploader();
    const complete = nextEvent(element, 'upload-complete');
    element.addFiles([makeFile(10, 'one.bin', 10), makeFile(10, 'two.bin', 11), makeFile(10, 'three.bin', 12)]);
    await complete;
    await rendered(element);
    const [first, second] = element.uploads;
    part(row(element, first!.id), 'remove-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => rows(element).length === 2, 'the row to go');
    await rendered(element);
    const focused = shadow(element).activeElement as HTMLElement;
    expect(focused.closest('[part~=file]')!.getAttribute('data-id')).to.equal(second!.id);
    expect(focused.getAttribute('part')).to.contain('remove-button');
  });

  it('a summary-bar button that goes away when pressed hands focus on, never to <body>', async () => {
    const element = await uploader({ concurrency: '2' });
    await slow();
    element.addFiles([makeFile(200 * 1024, 'c1.bin', 70), makeFile(200 * 1024, 'c2.bin', 71), makeFile(200 * 1024, 'c3.bin', 72)]);
    await until(() => element.uploads.some((u) => u.bytesUploaded > 0), 'bytes moving');
    await rendered(element);
    part(shadow(element), 'cancel-all-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => element.uploads.every((u) => u.status === 'aborted'), 'all cancelled');
    await rendered(element);
    expect(part(shadow(element), 'cancel-all-button')).to.equal(null);
    const afterCancel = shadow(element).activeElement as HTMLElement | null;
    expect(afterCancel, 'focus stays in the element').to.not.equal(null);
    expect(afterCancel!.closest('[part~=summary]'), 'on a control of the summary bar').to.not.equal(null);
    expect(document.activeElement).to.equal(element);
    // Clear finished takes every row and itself away: focus goes to the drop zone.
    part(shadow(element), 'clear-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => rows(element).length === 0, 'the list to clear');
    await rendered(element);
    expect((shadow(element).activeElement as HTMLElement | null)?.getAttribute('part')).to.contain('drop-zone');
    expect(document.activeElement).to.equal(element);
  });

  it('after Remove by keyboard in a virtualized list, focus goes to the next row', async () => {
    const element = await uploader();
    const complete = nextEvent(element, 'upload-complete');
    const added = element.addFiles(Array.from({ length: 45 }, (_, i) => new File(['x'], `v-${i}.bin`, { lastModified: i })));
    await complete;
    await virtualized(element);
    await rendered(element);
    await until(() => rows(element).some((r) => r.dataset['id'] === added[0]!.id), 'the first row to render');
    part(row(element, added[0]!.id), 'remove-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => !rows(element).some((r) => r.dataset['id'] === added[0]!.id), 'the row to go');
    await until(() => !!(shadow(element).activeElement as HTMLElement | null)?.closest('[part~=file]'), 'focus on a row');
    const focused = shadow(element).activeElement as HTMLElement;
    expect(focused.closest('[part~=file]')!.getAttribute('data-id')).to.equal(added[1]!.id);
    expect(focused.getAttribute('part')).to.contain('remove-button');
  });

  it('a cut name keeps its spaces, and a name with right-to-left letters is not cut', async () => {
    const box = document.createElement('div');
    box.style.width = '390px';
    document.body.append(box);
    const element = await uploader({ 'no-auto-start': true }, box);
    const spaced = 'quarterly report for the board of ACME Ltd.pdf';
    const mixed = 'דוח רבעוני עבור הדירקטוריון של ACME final.pdf';
    element.addFiles([makeFile(10, spaced, 73), makeFile(10, mixed, 74)]);
    await rendered(element);
    const [first, second] = rows(element);
    const start = first!.querySelector('.name-start')!.textContent!;
    const end = first!.querySelector('.name-end')!.textContent!;
    expect(start + end).to.equal(spaced);
    // Each half is a flex item, whose edge spaces collapse: the cut must not lie at a space.
    expect(start, 'the start does not end in a space').to.match(/\S$/u);
    expect(end, 'the end does not start with a space').to.match(/^\S/u);
    expect(end).to.match(/\.pdf$/);
    expect(second!.querySelector('.name-end'), 'a right-to-left name is shown whole').to.equal(null);
    expect(part(second!, 'file-name')!.textContent).to.equal(mixed);
    box.remove();
  });

  it('a file name stays on one line at 390 px and ellipsizes in the middle', async () => {
    const box = document.createElement('div');
    box.style.width = '390px';
    document.body.append(box);
    const element = await uploader({ 'no-auto-start': true }, box);
    const name = 'an-extremely-long-file-name-that-would-wrap-one-letter-per-line-2024-final.mp4';
    element.addFiles([makeFile(10, name, 13, 'video/mp4')]);
    await rendered(element);
    const theRow = rows(element)[0]!;
    const nameBox = part(theRow, 'file-name')!;
    const lineHeight = parseFloat(getComputedStyle(nameBox).lineHeight) || 20;
    expect(nameBox.getBoundingClientRect().height).to.be.below(lineHeight * 1.5);
    expect(nameBox.textContent).to.equal(name);
    expect(theRow.querySelector('.name-end')!.textContent, 'the extension stays visible').to.match(/\.mp4$/);
    expect(theRow.getBoundingClientRect().height).to.be.within(48, 76);
    expect(nameBox.getBoundingClientRect().width / theRow.getBoundingClientRect().width).to.be.above(0.4);
    box.remove();
  });

  it('10,000 files: the list keeps fewer than 1,000 rows in the DOM, virtualized, and scrolls to the last', async () => {
    const box = document.createElement('div');
    box.lang = 'en';
    document.body.append(box);
    const element = await uploader({ 'no-auto-start': true }, box);
    const files = Array.from({ length: 10_000 }, (_, i) => new File(['x'], `f-${i}.bin`, { lastModified: i }));
    const added = element.addFiles(files);
    expect(added).to.have.length(10_000);
    await until(() => rows(element).length > 0, 'rows to render');
    // Whether or not the virtualizer has loaded yet (it is loaded when a list first reaches 40 rows), never all rows.
    expect(rows(element).length).to.be.below(1000);
    await virtualized(element);
    await rendered(element);
    expect(rows(element).length).to.be.below(1000);
    expect(part(shadow(element), 'summary')!.textContent).to.contain('10,000 remaining');
    const scroller = shadow(element).querySelector<HTMLElement>('.scroller')!;
    const last = added.at(-1)!.id;
    // To the bottom on every frame, as a person holding End would: the virtualizer measures
    // rows as they render, so the height it first estimated is not where the list ends.
    await until(() => {
      scroller.scrollTop = scroller.scrollHeight;
      return rows(element).some((r) => r.dataset['id'] === last);
    }, 'the last row, scrolled to');
    expect(rows(element).length).to.be.below(1000);
    box.remove();
  });
});

describe('view: rows, previews and the summary bar', () => {
  it('an image gets a thumbnail drawn off the main thread; other files an icon by kind', async () => {
    const element = await uploader({ 'no-auto-start': true });
    element.addFiles([
      await png(),
      makeFile(10, 'clip.mp4', 14, 'video/mp4'),
      makeFile(10, 'notes.zip', 15, 'application/zip'),
      makeFile(10, 'paper.pdf', 16, 'application/pdf'),
      makeFile(10, 'x.bin', 17),
    ]);
    await until(() => !!part(shadow(element), 'file-preview'), 'the thumbnail');
    const canvas = part(shadow(element), 'file-preview') as HTMLCanvasElement;
    expect(canvas.tagName).to.equal('CANVAS');
    expect(canvas.height).to.be.within(1, 200);
    const pixel = canvas.getContext('2d')!.getImageData(1, 1, 1, 1).data;
    expect(pixel[0], 'the red half was drawn').to.be.above(150);
    const kinds = rows(element).map((r) => part(r, 'file-icon')?.dataset.kind ?? 'preview');
    expect(kinds).to.deep.equal(['preview', 'video', 'archive', 'document', 'other']);
  });

  it("a thumbnail's memory is released when its row is removed", async () => {
    const closed: ImageBitmap[] = [];
    const close = ImageBitmap.prototype.close;
    ImageBitmap.prototype.close = function (this: ImageBitmap) {
      closed.push(this);
      return close.call(this);
    };
    try {
      const element = await uploader({ 'no-auto-start': true });
      const [added] = element.addFiles([await png('released.png')]);
      await until(() => !!part(shadow(element), 'file-preview'), 'the thumbnail');
      const before = closed.length;
      await element.removeUpload(added!.id);
      await rendered(element);
      expect(closed.length).to.equal(before + 1);
    } finally {
      ImageBitmap.prototype.close = close;
    }
  });

  it('a running row shows state, bytes of total, speed and time left; a finished one a short Open link', async () => {
    const element = await uploader();
    await slow(32 * 1024);
    const moving = nextEvent(element, 'upload-progress', (e) => e.detail.upload.bytesUploaded > 64 * 1024 && e.detail.upload.bytesPerSecond > 0);
    const file = makeFile(300 * 1024, 'status.bin', 18);
    element.addFiles([file]);
    const { detail } = await moving;
    await rendered(element);
    const theRow = row(element, detail.id);
    expect(part(theRow, 'file-status')!.textContent).to.match(/^Uploading \d+%$/);
    expect(part(theRow, 'file-size')!.textContent).to.match(/kB of 307 kB$/);
    expect(part(theRow, 'file-speed')!.textContent).to.match(/kB\/s$/);
    expect(part(theRow, 'file-eta')!.textContent).to.match(/(sec|min) left$/);
    await setFaults([]);
    const success = nextEvent(element, 'upload-success');
    const { detail: done } = await success;
    expect((await stored(done.asset.id)).sha256).to.equal(await sha256(file));
    await rendered(element);
    const link = part(row(element, done.id), 'file-link') as HTMLAnchorElement;
    expect(link.textContent!.trim()).to.equal('Open');
    expect(link.getAttribute('aria-label')).to.equal('Open status.bin');
    expect(link.href).to.equal(new URL(done.asset.url!, location.href).href);
    expect(row(element, done.id).textContent, 'no raw URL on screen').not.to.contain(done.asset.url!);
  });

  it('nothing animates with the bytes, and prefers-reduced-motion stops every transition the element has', async () => {
    // A transition on what progress changes runs style, layout and paint on every frame of an
    // upload: it cost the page's main thread twice its work (bench: CPU per MB). No engine lets a
    // page see a transition on ::-webkit-progress-value, so this reads the element's own rules.
    const element = await uploader();
    await slow(32 * 1024);
    const moving = nextEvent(element, 'upload-progress', (e) => e.detail.upload.bytesUploaded > 0);
    element.addFiles([makeFile(200 * 1024, 'calm.bin', 19)]);
    await moving;
    await rendered(element);
    const root = shadow(element);
    const sheets: CSSStyleSheet[] = root.adoptedStyleSheets.length
      ? [...root.adoptedStyleSheets]
      : Array.from(root.querySelectorAll('style'), (style) => style.sheet!);
    const still = (duration: string) => duration.split(',').every((one) => parseFloat(one) === 0);
    const transitions: string[] = [];
    const calm: string[] = [];
    const walk = (rules: CSSRuleList, reduced: boolean) => {
      for (const rule of Array.from(rules)) {
        if (rule instanceof CSSMediaRule) walk(rule.cssRules, reduced || /prefers-reduced-motion:\s*reduce/.test(rule.conditionText));
        else if (rule instanceof CSSStyleRule && rule.style.transitionDuration) {
          if (!reduced && !still(rule.style.transitionDuration)) transitions.push(rule.selectorText);
          if (reduced && still(rule.style.transitionDuration)) calm.push(rule.selectorText);
        }
      }
    };
    for (const sheet of sheets) walk(sheet.cssRules, false);
    expect(part(row(element, element.uploads[0]!.id), 'progress'), 'a row with its bar is on screen').to.exist;
    expect(transitions.length, 'the element has transitions (hover and drag states)').to.be.greaterThan(0);
    let checked = 0;
    for (const selector of transitions) {
      expect(selector, 'no transition on a progress bar').not.to.match(/progress|\.bar\b/);
      for (const target of Array.from(root.querySelectorAll(selector.split('::')[0]!))) {
        checked++;
        expect(
          calm.some((quiet) => target.matches(quiet.split('::')[0]!)),
          `${selector} still moves under prefers-reduced-motion`,
        ).to.equal(true);
      }
    }
    expect(checked, 'the transitions apply to elements on screen').to.be.greaterThan(0);
    await setFaults([]);
  });

  it('the summary bar: totals, Pause all / Resume all, Cancel all, with more files than slots', async () => {
    const element = await uploader({ concurrency: '2' });
    await slow();
    element.addFiles([makeFile(200 * 1024, 'a.bin', 19), makeFile(200 * 1024, 'b.bin', 20), makeFile(200 * 1024, 'c.bin', 21)]);
    await until(() => element.uploads.some((u) => u.bytesUploaded > 0), 'bytes moving');
    await rendered(element);
    const summary = part(shadow(element), 'summary')!;
    const total = part(summary, 'total-progress') as HTMLProgressElement;
    expect(total.max).to.equal(3 * 200 * 1024);
    expect(total.value).to.be.above(0);
    expect(summary.textContent).to.match(/0 done · 3 remaining/);
    part(summary, 'pause-all-button')!.click();
    await until(() => element.uploads.every((u) => u.status === 'paused'), 'all paused');
    await rendered(element);
    expect(part(summary, 'pause-all-button')).to.equal(null);
    part(summary, 'resume-all-button')!.click();
    await until(() => element.uploads.every((u) => u.status !== 'paused'), 'all resumed');
    await rendered(element);
    part(shadow(element), 'cancel-all-button')!.click();
    await until(() => element.uploads.every((u) => u.status === 'aborted'), 'all cancelled');
    await rendered(element);
    part(shadow(element), 'clear-button')!.click();
    await until(() => rows(element).length === 0, 'the list to clear');
  });

  it('Retry failed retries every failed file, and they finish', async () => {
    const element = await uploader({ concurrency: '2', 'retry-delays': '0' });
    await setFaults([{ method: 'PUT', times: 3, action: { type: 'status', status: 500 } }]);
    const files = [makeFile(1000, 'r1.bin', 22), makeFile(1000, 'r2.bin', 23), makeFile(1000, 'r3.bin', 24)];
    element.addFiles(files);
    await until(
      () => element.uploads.filter((u) => u.status === 'error').length >= 1 && element.uploads.every((u) => u.status === 'error' || u.status === 'success'),
      'failures',
    );
    await rendered(element);
    await setFaults([]);
    part(shadow(element), 'retry-all-button')!.click();
    await until(() => element.uploads.every((u) => u.status === 'success'), 'all uploaded', 30_000);
    for (const upload of element.uploads) expect((await stored(upload.asset!.id)).sha256).to.equal(await sha256(files.find((f) => f.name === upload.name)!));
  });

  it('no-auto-start: an Upload button starts the queue, even for one file', async () => {
    const element = await uploader({ 'no-auto-start': true });
    element.addFiles([makeFile(10, 'queued.bin', 25)]);
    await rendered(element);
    const start = part(shadow(element), 'start-button')!;
    expect(start.textContent!.trim()).to.equal('Upload 1 file');
    const success = nextEvent(element, 'upload-success');
    start.click();
    await success;
    await rendered(element);
    expect(part(shadow(element), 'start-button')).to.equal(null);
  });

  it('no-auto-start: files added after Upload wait for the next Upload, with more files than slots', async () => {
    const element = await uploader({ 'no-auto-start': true, concurrency: '1' });
    const first = makeFile(64 * 1024, 'first.bin', 60);
    element.addFiles([first]);
    await rendered(element);
    part(shadow(element), 'start-button')!.click();
    // Added while the first one holds the only slot: a free slot must not start them.
    const later = [makeFile(1000, 'later-1.bin', 61), makeFile(2000, 'later-2.bin', 62)];
    element.addFiles(later);
    const complete = nextEvent(element, 'upload-complete');
    expect((await complete).detail.successful.map((u) => u.name)).to.deep.equal(['first.bin']);
    await rendered(element);
    expect(element.uploads.map((u) => [u.name, u.status, u.held])).to.deep.equal([
      ['first.bin', 'success', false],
      ['later-1.bin', 'queued', true],
      ['later-2.bin', 'queued', true],
    ]);
    const start = part(shadow(element), 'start-button')!;
    expect(start.textContent!.trim()).to.equal('Upload 2 files');
    expect(part(shadow(element), 'summary-counts')!.textContent).to.contain('1 done · 2 remaining');
    const again = nextEvent(element, 'upload-complete');
    start.click();
    expect((await again).detail.successful.map((u) => u.name)).to.have.members(['first.bin', 'later-1.bin', 'later-2.bin']);
    for (const file of [first, ...later]) {
      const upload = element.uploads.find((u) => u.name === file.name)!;
      expect((await stored(upload.asset!.id)).sha256).to.equal(await sha256(file));
    }
    await rendered(element);
    expect(part(shadow(element), 'start-button')).to.equal(null);
  });
});

describe('view: folders, paste, labels', () => {
  it('keeps relative paths: shown in the row, in snapshots, and duplicates judged by path', async () => {
    const element = await uploader({ 'no-auto-start': true });
    const a = makeFile(10, 'index.md', 26, 'text/markdown', 1);
    const b = makeFile(10, 'index.md', 26, 'text/markdown', 1);
    const reasons: string[] = [];
    element.addEventListener('file-reject', (e) => reasons.push(e.detail.file.reason));
    const added = element.addFiles([
      { file: a, relativePath: '2024/index.md' },
      { file: b, relativePath: '2025/index.md' },
      { file: b, relativePath: '2025/index.md' },
    ]);
    expect(added.map((u) => u.relativePath)).to.deep.equal(['2024/index.md', '2025/index.md']);
    expect(reasons).to.deep.equal(['duplicate']);
    await rendered(element);
    expect(rows(element).map((r) => `${part(r, 'file-path')!.textContent}${part(r, 'file-name')!.textContent}`)).to.deep.equal([
      '2024/index.md',
      '2025/index.md',
    ]);
  });

  it('pastes while focused by default; anywhere on the page with paste-anywhere, never into a text field', async () => {
    const paste = (target: EventTarget, file: File) => {
      const transfer = new DataTransfer();
      transfer.items.add(file);
      const event = new ClipboardEvent('paste', { bubbles: true, cancelable: true, composed: true });
      Object.defineProperty(event, 'clipboardData', { value: transfer });
      target.dispatchEvent(event);
    };
    const element = await uploader({ 'no-auto-start': true });
    paste(document.body, makeFile(10, 'page.bin', 27));
    expect(element.uploads).to.have.length(0);
    element.setAttribute('paste-anywhere', '');
    await rendered(element);
    paste(document.body, makeFile(10, 'page.bin', 27));
    expect(element.uploads.map((u) => u.name)).to.deep.equal(['page.bin']);
    const input = document.createElement('input');
    document.body.append(input);
    paste(input, makeFile(10, 'into-input.bin', 28));
    expect(element.uploads).to.have.length(1);
    input.remove();
    element.removeAttribute('paste-anywhere');
    await rendered(element);
    paste(document.body, makeFile(10, 'again.bin', 29));
    expect(element.uploads).to.have.length(1);
  });

  it('a <label for> names the element and opens the picker', async () => {
    const label = document.createElement('label');
    label.textContent = 'Attachments';
    label.htmlFor = 'labelled';
    document.body.append(label);
    const element = await uploader({ id: 'labelled' });
    await rendered(element);
    expect([...element.labels]).to.deep.equal([label]);
    expect(dropZone(element).getAttribute('aria-label')).to.equal('Attachments, Drop files here or choose files');
    let opened = 0;
    shadow(element)
      .querySelector('input[type=file]')!
      .addEventListener('click', (event) => {
        opened++;
        event.preventDefault();
      });
    label.click();
    expect(opened).to.equal(1);
    // The accessible name does not repeat the description.
    const hint = shadow(element).getElementById(dropZone(element).getAttribute('aria-describedby')!)!;
    expect(dropZone(element).getAttribute('aria-label')).not.to.contain(hint.textContent!.trim());
    expect(dropZone(element).textContent).not.to.contain(hint.textContent!.trim());
    label.remove();
  });
});

describe('view: announcements, i18n and RTL', () => {
  it('announces each outcome once (added, rejected and why, done, all done), not progress', async () => {
    const element = await uploader({ 'max-file-size': '100KB', concurrency: '2' });
    const heard = listen(element);
    const complete = nextEvent(element, 'upload-complete');
    element.addFiles([makeFile(10, 'a.bin', 30), makeFile(200 * 1024, 'big.bin', 31), makeFile(70 * 1024, 'b.bin', 32), makeFile(10, 'c.bin', 33)]);
    await complete;
    await until(() => heard.some((t) => t.includes('All uploads finished')), 'the final announcement');
    const all = heard.join(' | ');
    expect(all).to.contain('3 files added.');
    expect(all).to.contain('1 file not added: big.bin is too large (205 kB; the limit is 100 kB).');
    for (const name of ['a.bin', 'b.bin', 'c.bin']) expect(all.split(`${name} uploaded.`).length - 1, name).to.equal(1);
    expect(all).to.contain('All uploads finished: 3 files uploaded.');
    expect(all).not.to.match(/%/);
  });

  it('says the same outcome again when it happens again, soon after', async () => {
    const element = await uploader({ 'max-file-size': '100KB' });
    const heard = listen(element);
    const big = makeFile(200 * 1024, 'big.bin', 34);
    const said = () => heard.filter((t) => t.includes('big.bin is too large')).length;
    element.addFiles([big]);
    await until(() => said() === 1, 'the first refusal');
    // The same words in the live region: a screen reader hears them only if the region changes.
    element.addFiles([big]);
    await until(() => said() === 2, 'the second refusal, spoken again');
    expect(liveRegion(element).textContent!.trim()).to.equal('1 file not added: big.bin is too large (205 kB; the limit is 100 kB).');
  });

  it('every text comes from i18n, with plural forms and numbers in the element’s language', async () => {
    const box = document.createElement('div');
    box.lang = 'de';
    document.body.append(box);
    const element = await uploader({ 'no-auto-start': true, 'max-file-size': '1.5MB' }, box);
    element.i18n = {
      listLabel: 'Hochgeladene Dateien',
      validation: { held: 'Bitte erst „Hochladen“ drücken.' },
      status: { queued: 'Wartet' },
      summary: { remaining: { one: '{count} offen', other: '{count} offen' } },
      announce: { added: { one: 'Eine Datei hinzugefügt.', other: '{count} Dateien hinzugefügt.' } },
    };
    await rendered(element);
    const heard = listen(element);
    element.addFiles([makeFile(1_500_000, 'eins.bin', 34), makeFile(10, 'zwei.bin', 35)]);
    await until(() => heard.length > 0, 'an announcement');
    expect(heard[0]).to.equal('2 Dateien hinzugefügt.');
    await rendered(element);
    expect(part(shadow(element), 'file-list')!.getAttribute('aria-label')).to.equal('Hochgeladene Dateien');
    expect(element.validationMessage).to.equal('Bitte erst „Hochladen“ drücken.');
    expect(part(rows(element)[0]!, 'file-size')!.textContent).to.equal('1,5 MB');
    expect(part(rows(element)[0]!, 'file-status')!.textContent).to.equal('Wartet');
    expect(part(shadow(element), 'hint')!.textContent).to.contain('1,5 MB');
    expect(part(shadow(element), 'summary-counts')!.textContent).to.contain('2 offen');
    box.remove();
  });

  it('mirrors under dir=rtl, with names, sizes and statuses each isolated', async () => {
    const box = document.createElement('div');
    box.dir = 'rtl';
    box.lang = 'ar';
    box.style.width = '600px';
    document.body.append(box);
    const element = await uploader({ 'no-auto-start': true }, box);
    element.addFiles([makeFile(2048, 'تقرير-2024.pdf', 36, 'application/pdf')]);
    await rendered(element);
    const theRow = rows(element)[0]!;
    const icon = part(theRow, 'file-icon')!.getBoundingClientRect();
    const name = part(theRow, 'file-name')!.getBoundingClientRect();
    const actions = part(theRow, 'file-actions')!.getBoundingClientRect();
    expect(icon.left, 'the icon is on the right').to.be.above(name.right - 1);
    expect(actions.right, 'the buttons on the left').to.be.below(name.left + 1);
    for (const name of ['file-status', 'file-size']) expect(part(theRow, name)!.tagName, name).to.equal('BDI');
    expect(theRow.querySelector('[part~=file-name] > bdi')).not.to.equal(null);
    box.remove();
  });
});
