/**
 * <asset-uploader> as a form field, as an outside tester meets it: what `new FormData(form)`
 * holds, `required` and validity (`:invalid`, the message, where it is shown), submitting
 * while uploads run, `form.reset()`, `disabled` (attribute, fieldsets, legends), the `form`
 * attribute, moving the element between forms, and `name`. Assertions are on what a person
 * sees (the shadow DOM), the form's own view (FormData, validity) and what the server stored.
 */
import { expect } from '@esm-bundle/chai';
import type { AssetUploader } from '../../src/asset-uploader.js';
import { clearLog, contentRangeEndpoint, PHASED_FULL_TOKEN, phasedEndpoint, requestLog, setFaults, stored, storedOrNull } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { clickRowAction, dropZone, mount, nextEvent, rendered, row, unmountAll, until } from '../support/harness.js';

const forms: HTMLElement[] = [];

afterEach(async () => {
  unmountAll();
  for (const form of forms.splice(0)) form.remove();
  await setFaults([]);
  await clearLog();
});

function makeForm(id?: string): HTMLFormElement {
  const form = document.createElement('form');
  if (id) form.id = id;
  // A submit that got through must never navigate the test page away.
  form.addEventListener('submit', (e) => e.preventDefault());
  document.body.append(form);
  forms.push(form);
  return form;
}

async function uploader(extra: Record<string, string | boolean> = {}, parent?: HTMLElement): Promise<AssetUploader> {
  return mount(
    { endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB', multiple: true, 'no-resume': true, 'retry-delays': '0 50', name: 'attachments', ...extra },
    parent,
  );
}

const shadow = (element: AssetUploader) => element.shadowRoot!;
const rowNames = (element: AssetUploader) =>
  Array.from(shadow(element).querySelectorAll<HTMLElement>('[part~=file] [part~=file-name]'), (name) => name.textContent!.trim());
const values = (form: HTMLFormElement, name = 'attachments') => new FormData(form).getAll(name);
const slow = (bytesPerSecond = 16 * 1024) => setFaults([{ method: 'PUT', times: 10_000, action: { type: 'throttle', bytesPerSecond } }]);
const refuseNextPut = () =>
  setFaults([{ method: 'PUT', times: 1, action: { type: 'status', status: 400, body: '{"error":{"code":"no","message":"refused"}}' } }]);
/** The server's upload ids the element sent parts to (content-range: `PUT …/<id>`). */
const serverIds = async () => [...new Set((await requestLog()).filter((e) => e.method === 'PUT').map((e) => e.path.split('/').pop()!))];
const entryOf = (asset: { url?: string; id: string }) => asset.url ?? asset.id;

describe('form: the value', () => {
  it('holds one entry per successful upload, in list order, and nothing for failed, cancelled or removed ones', async () => {
    const form = makeForm();
    const element = await uploader({}, form);
    const changes: string[][] = [];
    element.addEventListener('change', () => changes.push(values(form) as string[]));

    await refuseNextPut();
    const failed = nextEvent(element, 'upload-error');
    element.addFiles([makeFile(1000, 'failed.bin', 1)]);
    await failed;
    await setFaults([]);

    const files = [makeFile(70_000, 'a.bin', 2), makeFile(10, 'b.bin', 3), makeFile(3000, 'c.bin', 4)];
    const complete = nextEvent(element, 'upload-complete');
    element.addFiles(files);
    const { detail } = await complete;
    expect(detail.successful.map((u) => u.name)).to.have.members(['a.bin', 'b.bin', 'c.bin']);

    await slow();
    const started = nextEvent(element, 'upload-progress', (e) => e.detail.upload.name === 'cancelled.bin');
    element.addFiles([makeFile(300 * 1024, 'cancelled.bin', 5)]);
    const cancelId = (await started).detail.id;
    await clickRowAction(element, cancelId, 'cancel');
    await until(() => element.uploads.find((u) => u.id === cancelId)?.status === 'aborted', 'the cancel');
    await rendered(element);

    expect(rowNames(element), 'what the person sees').to.deep.equal(['failed.bin', 'a.bin', 'b.bin', 'c.bin', 'cancelled.bin']);
    const byName = new Map(element.uploads.map((u) => [u.name, u]));
    const expected = ['a.bin', 'b.bin', 'c.bin'].map((name) => entryOf(byName.get(name)!.asset!));
    expect(values(form), 'one entry per upload, in list order').to.deep.equal(expected);
    expect([...new FormData(form).keys()], 'no other key').to.deep.equal(['attachments', 'attachments', 'attachments']);
    for (const [i, name] of ['a.bin', 'b.bin', 'c.bin'].entries()) {
      const held = await stored(byName.get(name)!.asset!.id);
      expect(held.sha256, `the server holds ${name}`).to.equal(await sha256(files[i]!));
    }
    expect(changes.at(-1), 'the last change event saw the full value').to.deep.equal(expected);

    // Remove a finished row: its entry goes, and a change event says so.
    const before = changes.length;
    await clickRowAction(element, byName.get('b.bin')!.id, 'remove');
    await until(() => values(form).length === 2, 'the value to lose b.bin');
    expect(values(form)).to.deep.equal([expected[0], expected[2]]);
    expect(changes.length).to.equal(before + 1);
    await rendered(element);
    expect(rowNames(element)).to.deep.equal(['failed.bin', 'a.bin', 'c.bin', 'cancelled.bin']);
    // Removing the failed and the cancelled rows changes nothing in the value, and fires no change.
    await clickRowAction(element, byName.get('failed.bin')!.id, 'remove');
    await clickRowAction(element, cancelId, 'remove');
    await until(() => element.uploads.length === 2, 'the two rows to go');
    await element.updateComplete;
    expect(values(form)).to.deep.equal([expected[0], expected[2]]);
    expect(changes.length).to.equal(before + 1);
  });

  it('is up to date inside change and upload-complete listeners (a page that submits when uploads finish)', async () => {
    const form = makeForm();
    const element = await uploader({ required: true }, form);
    const seen: Array<{ type: string; entries: number; valid: boolean }> = [];
    for (const type of ['change', 'upload-complete'] as const) {
      element.addEventListener(type, () => seen.push({ type, entries: values(form).length, valid: form.checkValidity() }));
    }
    const submitted: FormDataEntryValue[][] = [];
    form.addEventListener('submit', (e) => submitted.push(new FormData(e.target as HTMLFormElement).getAll('attachments')));
    element.addEventListener('upload-complete', () => form.requestSubmit());
    const complete = nextEvent(element, 'upload-complete');
    element.addFiles([makeFile(10, 'one.bin', 6), makeFile(20, 'two.bin', 7)]);
    await complete;
    expect(seen.at(-1), 'upload-complete: the value and validity of the finished uploads').to.deep.equal({ type: 'upload-complete', entries: 2, valid: true });
    expect(
      seen.filter((s) => s.type === 'change').map((s) => s.entries),
      'each change sees the new value',
    ).to.deep.equal([1, 2]);
    expect(submitted, 'requestSubmit in upload-complete submits the two assets').to.have.length(1);
    expect(submitted[0]).to.have.length(2);
  });

  it('with a name and no uploads: no entry at all; without a name: no entry even after uploads', async () => {
    const form = makeForm();
    const named = await uploader({}, form);
    const unnamed = await uploader({ name: false }, form);
    expect([...new FormData(form).keys()]).to.deep.equal([]);
    const done = nextEvent(unnamed, 'upload-complete');
    unnamed.addFiles([makeFile(10, 'x.bin', 8)]);
    await done;
    expect([...new FormData(form).keys()], 'an unnamed field submits nothing').to.deep.equal([]);
    expect(named.checkValidity() && unnamed.checkValidity()).to.equal(true);
  });

  it('follows a change of name after uploads, and drops out when the name is removed', async () => {
    const form = makeForm();
    const element = await uploader({}, form);
    const done = nextEvent(element, 'upload-complete');
    element.addFiles([makeFile(10, 'n1.bin', 9), makeFile(10, 'n2.bin', 10)]);
    const { detail } = await done;
    const entries = element.uploads.map((u) => entryOf(u.asset!));
    expect(entries).to.have.members(detail.successful.map((u) => entryOf(u.asset!)));
    element.setAttribute('name', 'renamed');
    await element.updateComplete;
    expect(values(form, 'renamed')).to.deep.equal(entries);
    expect(values(form, 'attachments')).to.deep.equal([]);
    element.name = 'byProperty';
    await element.updateComplete;
    expect(values(form, 'byProperty')).to.deep.equal(entries);
    element.removeAttribute('name');
    await element.updateComplete;
    expect([...new FormData(form).keys()]).to.deep.equal([]);
  });

  it('loses an asset deleted on the server from its row (phased), and keeps a renamed one (the value is the URL or id, not the name)', async () => {
    const form = makeForm();
    const element = await mount({ endpoint: await phasedEndpoint(), protocol: 'phased', multiple: true, name: 'attachments' }, form);
    element.token = PHASED_FULL_TOKEN;
    const complete = nextEvent(element, 'upload-complete');
    element.addFiles([makeFile(1000, 'keep.png', 11, 'image/png'), makeFile(1000, 'gone.png', 12, 'image/png')]);
    await complete;
    const [keep, gone] = ['keep.png', 'gone.png'].map((name) => element.uploads.find((u) => u.name === name)!);
    expect(values(form)).to.deep.equal([entryOf(keep!.asset!), entryOf(gone!.asset!)]);

    await clickRowAction(element, keep!.id, 'rename');
    await rendered(element);
    row(element, keep!.id).querySelector<HTMLInputElement>('[part=rename-input]')!.value = 'kept.png';
    const renamed = nextEvent(element, 'asset-rename');
    row(element, keep!.id).querySelector<HTMLButtonElement>('[part~=save-button]')!.click();
    const renamedAsset = (await renamed).detail.asset;
    await element.updateComplete;
    expect(entryOf(renamedAsset), 'the entry is the URL or id, which a rename keeps').to.equal(entryOf(keep!.asset!));
    expect(values(form)).to.deep.equal([entryOf(keep!.asset!), entryOf(gone!.asset!)]);

    await clickRowAction(element, gone!.id, 'delete');
    await rendered(element);
    const deleted = nextEvent(element, 'asset-delete');
    const change = nextEvent(element, 'change' as never);
    row(element, gone!.id).querySelector<HTMLButtonElement>('[part~=confirm-delete-button]')!.click();
    await deleted;
    await change;
    expect(values(form)).to.deep.equal([entryOf(renamedAsset)]);
    await rendered(element);
    expect(rowNames(element)).to.deep.equal(['kept.png']);
  });
});

describe('form: required and validity', () => {
  it('is invalid with a message a person understands while empty and while uploading, valid once done; :invalid/:valid follow', async () => {
    const form = makeForm();
    const element = await uploader({ required: true }, form);
    await rendered(element);
    expect(form.checkValidity()).to.equal(false);
    expect(element.validity.valueMissing).to.equal(true);
    expect(element.validationMessage).to.equal('Please upload a file.');
    expect(element.matches(':invalid')).to.equal(true);
    expect(element.matches(':valid')).to.equal(false);
    expect(form.matches(':invalid'), 'the form is :invalid too').to.equal(true);

    await slow();
    const moving = nextEvent(element, 'upload-progress', (e) => e.detail.upload.bytesUploaded > 0);
    element.addFiles([makeFile(200 * 1024, 'slow.bin', 13)]);
    await moving;
    await element.updateComplete;
    expect(form.checkValidity(), 'invalid while uploading').to.equal(false);
    expect(element.validity.valueMissing).to.equal(false);
    expect(element.validity.customError).to.equal(true);
    expect(element.validationMessage).to.equal('Wait until the uploads finish.');
    expect(element.matches(':invalid')).to.equal(true);

    element.pauseUpload(element.uploads[0]!.id);
    await until(() => element.uploads[0]!.status === 'paused', 'paused');
    await element.updateComplete;
    expect(form.checkValidity(), 'invalid while paused').to.equal(false);
    expect(element.validationMessage).to.equal('Resume the paused uploads, or remove them.');

    await setFaults([]);
    const success = nextEvent(element, 'upload-success');
    element.resumeUpload(element.uploads[0]!.id);
    await success;
    await element.updateComplete;
    expect(form.checkValidity()).to.equal(true);
    expect(element.validationMessage).to.equal('');
    expect(element.matches(':valid')).to.equal(true);
    expect(element.matches(':invalid')).to.equal(false);
    expect(form.matches(':valid')).to.equal(true);
  });

  it('reportValidity shows the message at the drop zone: focus goes there, an invalid event fires', async () => {
    // Where the browser draws its bubble is the anchor given to setValidity: record it.
    const anchors: Array<HTMLElement | undefined> = [];
    const original = ElementInternals.prototype.setValidity;
    ElementInternals.prototype.setValidity = function (this: ElementInternals, flags, message, anchor) {
      if (flags && Object.values(flags).some(Boolean)) anchors.push(anchor);
      return original.call(this, flags, message, anchor);
    };
    const form = makeForm();
    let element: AssetUploader;
    try {
      element = await uploader({ required: true }, form);
      await rendered(element);
    } finally {
      ElementInternals.prototype.setValidity = original;
    }
    expect(anchors.length).to.be.greaterThan(0);
    expect(anchors.at(-1), 'the message is anchored at the drop zone').to.equal(dropZone(element));
    const invalid: Event[] = [];
    element.addEventListener('invalid', (e) => invalid.push(e));
    expect(form.reportValidity()).to.equal(false);
    expect(invalid).to.have.length(1);
    expect(document.activeElement).to.equal(element);
    expect(shadow(element).activeElement, 'the drop zone is the anchor and has focus').to.equal(dropZone(element));
  });

  it('a failed upload leaves the field invalid, required or not, until it is retried or removed', async () => {
    for (const required of [true, false]) {
      const form = makeForm();
      const element = await uploader({ required }, form);
      await refuseNextPut();
      const failed = nextEvent(element, 'upload-error');
      element.addFiles([makeFile(1000, 'refused.bin', 14)]);
      const { detail } = await failed;
      await element.updateComplete;
      // Submitted as it is, the form would lose the file without a word.
      expect(form.checkValidity(), `required: ${required}`).to.equal(false);
      expect(element.validity.customError).to.equal(true);
      expect(element.validationMessage).to.equal('A file could not be uploaded: retry it or remove it.');
      expect(values(form)).to.deep.equal([]);
      await clickRowAction(element, detail.id, 'remove');
      await until(() => element.uploads.length === 0, 'the failed row to go');
      await element.updateComplete;
      expect(element.validity.valueMissing).to.equal(required);
      expect(element.validationMessage).to.equal(required ? 'Please upload a file.' : '');
      form.remove();
    }
  });

  it('the message follows i18n, and Clear finished empties the value of a required field again', async () => {
    const form = makeForm();
    const element = await uploader({ required: true }, form);
    element.i18n = { validation: { required: 'Bitte eine Datei hochladen.' } };
    await element.updateComplete;
    expect(element.validationMessage).to.equal('Bitte eine Datei hochladen.');
    expect(form.elements.namedItem('attachments'), 'the form lists it under its name').to.equal(element);
    const done = nextEvent(element, 'upload-complete');
    element.addFiles([makeFile(10, 'c1.bin', 26), makeFile(10, 'c2.bin', 27)]);
    await done;
    await element.updateComplete;
    expect(values(form)).to.have.length(2);
    expect(form.checkValidity()).to.equal(true);
    await rendered(element);
    const change = nextEvent(element, 'change' as never);
    shadow(element).querySelector<HTMLButtonElement>('[part~=clear-button]')!.click();
    await change;
    expect(values(form)).to.deep.equal([]);
    expect(element.validationMessage).to.equal('Bitte eine Datei hochladen.');
    expect(element.matches(':invalid')).to.equal(true);
    await rendered(element);
    expect(rowNames(element)).to.deep.equal([]);
  });

  it('required set and removed after connection changes validity', async () => {
    const form = makeForm();
    const element = await uploader({}, form);
    expect(form.checkValidity()).to.equal(true);
    element.setAttribute('required', '');
    await element.updateComplete;
    expect(form.checkValidity()).to.equal(false);
    element.removeAttribute('required');
    await element.updateComplete;
    expect(form.checkValidity()).to.equal(true);
    element.required = true;
    await element.updateComplete;
    expect(form.checkValidity()).to.equal(false);
    element.required = false;
    await element.updateComplete;
    expect(form.checkValidity()).to.equal(true);
  });
});

describe('form: submitting while uploads run', () => {
  it('requestSubmit is refused (no submit, an invalid event) until the uploads finish, then submits every asset', async () => {
    const form = makeForm();
    const element = await uploader({}, form);
    const submitted: FormDataEntryValue[][] = [];
    form.addEventListener('submit', (e) => submitted.push(new FormData(e.target as HTMLFormElement).getAll('attachments')));
    const invalid: Event[] = [];
    element.addEventListener('invalid', (e) => invalid.push(e));
    await slow();
    const files = [makeFile(10, 'quick.bin', 15), makeFile(200 * 1024, 'long.bin', 16)];
    const quickDone = nextEvent(element, 'upload-success', (e) => e.detail.upload.name === 'quick.bin');
    element.addFiles(files);
    await quickDone;
    await element.updateComplete;
    expect(values(form), 'one finished already').to.have.length(1);
    form.requestSubmit();
    expect(submitted, 'nothing half-done is submitted').to.deep.equal([]);
    expect(invalid).to.have.length(1);
    expect(element.validationMessage).to.equal('Wait until the uploads finish.');

    await setFaults([]);
    await nextEvent(element, 'upload-complete');
    await element.updateComplete;
    form.requestSubmit();
    expect(submitted).to.have.length(1);
    expect(submitted[0]).to.deep.equal(element.uploads.map((u) => entryOf(u.asset!)));
    for (const [i, upload] of element.uploads.entries()) expect((await stored(upload.asset!.id)).sha256).to.equal(await sha256(files[i]!));
  });

  it('a form with novalidate skips the check, as for any field, and gets only what finished so far', async () => {
    const form = makeForm();
    form.noValidate = true;
    const element = await uploader({ required: true }, form);
    const submitted: FormDataEntryValue[][] = [];
    form.addEventListener('submit', (e) => submitted.push(new FormData(e.target as HTMLFormElement).getAll('attachments')));
    await slow();
    const quickDone = nextEvent(element, 'upload-success', (e) => e.detail.upload.name === 'quick.bin');
    element.addFiles([makeFile(10, 'quick.bin', 24), makeFile(200 * 1024, 'long.bin', 25)]);
    const quick = (await quickDone).detail;
    await element.updateComplete;
    form.requestSubmit();
    expect(submitted).to.deep.equal([[entryOf(quick.asset)]]);
  });
});

describe('form: reset', () => {
  it('takes every row off, empties the value at once, cancels running uploads on the server; new uploads then work (3 files, concurrency 2)', async () => {
    const form = makeForm();
    const element = await uploader({ concurrency: '2', required: true, 'max-file-size': '1MB' }, form);
    const done = nextEvent(element, 'upload-success');
    element.addFiles([makeFile(10, 'kept-on-server.bin', 17)]);
    const finished = (await done).detail;
    await slow();
    element.addFiles([makeFile(256 * 1024, 'r1.bin', 18), makeFile(256 * 1024, 'r2.bin', 19), makeFile(256 * 1024, 'r3.bin', 20)]);
    await until(() => element.uploads.filter((u) => u.status === 'uploading' && u.bytesUploaded > 0).length === 2, 'two uploads sending');
    const running = (await serverIds()).filter((id) => id !== finished.asset.id);
    expect(running.length).to.be.greaterThan(0);

    element.addFiles([makeFile(2_000_000, 'too-big.bin', 16)]);
    await rendered(element);
    expect(shadow(element).querySelector('[part~=rejection]')?.textContent, 'a refusal on screen').to.contain('too-big.bin');
    const lastSeq = Math.max(...(await requestLog()).map((e) => e.seq));
    form.reset();
    expect(values(form), 'the value is empty right after reset()').to.deep.equal([]);
    expect(element.validity.valueMissing, 'required and empty right after reset()').to.equal(true);
    expect(element.validationMessage).to.equal('Please upload a file.');
    await rendered(element);
    expect(rowNames(element)).to.deep.equal([]);
    expect(shadow(element).querySelector('[part=file-list]')).to.equal(null);
    expect(shadow(element).querySelector('[part=summary]')).to.equal(null);
    expect(element.uploads).to.deep.equal([]);
    expect(shadow(element).querySelector('[part~=rejections]'), 'the refusals go too').to.equal(null);
    // The server is told: each started upload is deleted; the finished asset stays.
    for (const id of running) {
      let gone = false;
      for (let i = 0; i < 200 && !gone; i++) {
        // A read while the server is deleting may find the record without its bytes: ask again.
        gone = (await storedOrNull(id).catch(() => undefined)) === null;
        if (!gone) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(gone, `the server forgot the cancelled upload ${id}`).to.equal(true);
    }
    expect((await storedOrNull(finished.asset.id))?.record.complete, 'a finished asset is not deleted by reset').to.equal(true);
    const after = (await requestLog()).filter((e) => e.seq > lastSeq);
    expect(
      after.filter((e) => e.method === 'POST' || (e.method === 'PUT' && !(e.contentRange ?? '').includes('*'))).map((e) => `${e.method} ${e.path}`),
      'the queued third file never started after reset',
    ).to.deep.equal([]);

    // New uploads, more than the slots, all go through.
    await setFaults([]);
    await clearLog();
    const files = [makeFile(70_000, 'n1.bin', 21), makeFile(70_000, 'n2.bin', 22), makeFile(70_000, 'n3.bin', 23)];
    const complete = nextEvent(element, 'upload-complete');
    element.addFiles(files);
    const { detail } = await complete;
    expect(detail.successful).to.have.length(3);
    expect(detail.failed).to.have.length(0);
    await rendered(element);
    expect(rowNames(element)).to.deep.equal(['n1.bin', 'n2.bin', 'n3.bin']);
    expect(values(form)).to.deep.equal(element.uploads.map((u) => entryOf(u.asset!)));
    for (const [i, upload] of element.uploads.entries()) expect((await stored(upload.asset!.id)).sha256).to.equal(await sha256(files[i]!));
    expect(form.checkValidity()).to.equal(true);
  });
});

describe('form: disabled and association', () => {
  async function withUploads(element: AssetUploader, count = 1): Promise<string[]> {
    const done = nextEvent(element, 'upload-complete');
    element.addFiles(Array.from({ length: count }, (_, i) => makeFile(10 + i, `d${i}.bin`, 30 + i)));
    await done;
    await element.updateComplete;
    return element.uploads.map((u) => entryOf(u.asset!));
  }

  it('the disabled attribute leaves the value out and bars validation; removing it brings both back', async () => {
    const form = makeForm();
    const element = await uploader({ required: true }, form);
    const entries = await withUploads(element);
    element.setAttribute('disabled', '');
    await rendered(element);
    expect(values(form), 'a disabled field is not submitted').to.deep.equal([]);
    expect(element.matches(':disabled')).to.equal(true);
    expect((dropZone(element) as HTMLButtonElement).disabled).to.equal(true);
    element.removeUpload(element.uploads[0]!.id);
    await until(() => element.uploads.length === 0, 'the row to go');
    expect(form.checkValidity(), 'a disabled field is barred from validation').to.equal(true);
    element.removeAttribute('disabled');
    await rendered(element);
    expect(element.matches(':disabled')).to.equal(false);
    expect(form.checkValidity(), 'required again').to.equal(false);
    const again = await withUploads(element);
    expect(values(form)).to.deep.equal(again);
    expect(again[0]).not.to.equal(entries[0]);
  });

  it('a disabled fieldset, nested fieldsets and the first legend behave as for native fields', async () => {
    const form = makeForm();
    form.innerHTML = '<fieldset id="outer"><legend id="legend"></legend><fieldset id="inner"></fieldset></fieldset>';
    const outer = form.querySelector<HTMLFieldSetElement>('#outer')!;
    const inner = form.querySelector<HTMLFieldSetElement>('#inner')!;
    const inInner = await uploader({ name: 'inner' }, inner);
    const inLegend = await uploader({ name: 'legend' }, form.querySelector<HTMLElement>('#legend')!);
    const native = Object.assign(document.createElement('input'), { name: 'native' });
    inner.append(native);
    const innerEntries = await withUploads(inInner);
    const legendEntries = await withUploads(inLegend);
    const state = () => ({
      inner: [inInner.matches(':disabled'), inInner.effectivelyDisabled, values(form, 'inner').length],
      legend: [inLegend.matches(':disabled'), inLegend.effectivelyDisabled, values(form, 'legend').length],
      native: native.matches(':disabled'),
    });
    outer.disabled = true;
    await rendered(inInner);
    await rendered(inLegend);
    expect(state()).to.deep.equal({ inner: [true, true, 0], legend: [false, false, 1], native: true });
    expect((dropZone(inInner) as HTMLButtonElement).disabled).to.equal(true);
    expect((dropZone(inLegend) as HTMLButtonElement).disabled, 'the first legend of a disabled fieldset is not disabled').to.equal(false);
    inner.disabled = true;
    outer.disabled = false;
    await rendered(inInner);
    expect(state()).to.deep.equal({ inner: [true, true, 0], legend: [false, false, 1], native: true });
    inner.disabled = false;
    await rendered(inInner);
    expect(state()).to.deep.equal({ inner: [false, false, 1], legend: [false, false, 1], native: false });
    expect(values(form, 'inner')).to.deep.equal(innerEntries);
    expect(values(form, 'legend')).to.deep.equal(legendEntries);
    expect(inInner.hasAttribute('disabled')).to.equal(false);
    expect(inInner.addFiles([makeFile(10, 'after.bin', 40)])).to.have.length(1);
  });

  it('the form attribute associates an element outside the form: FormData, reset and validity reach it', async () => {
    const form = makeForm('outside-form');
    const other = makeForm();
    const element = await uploader({ form: 'outside-form', required: true }, other);
    expect(element.form).to.equal(form);
    expect(Array.from(form.elements)).to.include(element);
    expect(form.checkValidity()).to.equal(false);
    expect(other.checkValidity()).to.equal(true);
    const entries = await withUploads(element);
    expect(values(form)).to.deep.equal(entries);
    expect(values(other)).to.deep.equal([]);
    form.reset();
    await rendered(element);
    expect(rowNames(element)).to.deep.equal([]);
    expect(values(form)).to.deep.equal([]);
    other.reset();
  });

  it('moved to another form mid-upload: the uploads finish and the new form holds the value, the old one nothing', async () => {
    const first = makeForm();
    const second = makeForm();
    const element = await uploader({ required: true }, first);
    await slow(64 * 1024);
    const files = [makeFile(128 * 1024, 'm1.bin', 41), makeFile(128 * 1024, 'm2.bin', 42)];
    const moving = nextEvent(element, 'upload-progress', (e) => e.detail.upload.bytesUploaded > 0);
    element.addFiles(files);
    await moving;
    const complete = nextEvent(element, 'upload-complete');
    second.append(element);
    expect(element.form).to.equal(second);
    expect(first.checkValidity(), 'the old form no longer waits for it').to.equal(true);
    expect(second.checkValidity(), 'the new form waits for the uploads').to.equal(false);
    await setFaults([]);
    const { detail } = await complete;
    expect(detail.successful).to.have.length(2);
    await element.updateComplete;
    expect(values(second)).to.deep.equal(element.uploads.map((u) => entryOf(u.asset!)));
    expect(values(first)).to.deep.equal([]);
    expect(second.checkValidity()).to.equal(true);
    for (const [i, upload] of element.uploads.entries()) expect((await stored(upload.asset!.id)).sha256).to.equal(await sha256(files[i]!));
  });
});
