/**
 * The element as a person and a page author meet it: accessibility (axe, keyboard,
 * announcements), attributes, events, and resilience when IndexedDB is full.
 */
import { expect } from '@esm-bundle/chai';
import axe from 'axe-core';
import { sendKeys } from '@web/test-runner-commands';
import { Uploader } from '../../src/engine/uploader.js';
import { MemoryResumeStore } from '../../src/engine/resume-store.js';
import { clearLog, contentRangeEndpoint, setFaults, stored } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { clickRowAction, dropFiles, dropZone, mount, nextEvent, rendered, row, unmountAll, until } from '../support/harness.js';

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
});

async function uploader(extra: Record<string, string | boolean> = {}) {
  return mount({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB', multiple: true, 'no-resume': true, 'retry-delays': '0 50', ...extra });
}

async function axeViolations(element: Element): Promise<string[]> {
  const results = await axe.run(element, { resultTypes: ['violations'] });
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe('<asset-uploader> accessibility', () => {
  it('axe finds nothing when empty, with rows in every state, and with rejections', async () => {
    // A page as an author would write it: a landmark, a label for the field.
    const main = document.createElement('main');
    const label = document.createElement('label');
    label.textContent = 'Attachments';
    label.htmlFor = 'a11y';
    const element = await uploader({ id: 'a11y', 'max-file-size': '500KB' });
    main.append(label, element);
    document.body.append(main);
    expect(await axeViolations(document.body)).to.deep.equal([]);

    await setFaults([
      {
        method: 'PUT',
        path: '',
        nth: 1,
        times: 1,
        action: { type: 'status', status: 400, body: JSON.stringify({ error: { code: 'no', message: 'refused' } }) },
      },
    ]);
    const error = nextEvent(element, 'upload-error');
    await dropFiles(element, [makeFile(1000, 'fails.bin', 1)]);
    await error;
    await setFaults([{ method: 'PUT', times: 100, action: { type: 'throttle', bytesPerSecond: 16 * 1024 } }]);
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [makeFile(10, 'done.bin', 2), makeFile(200 * 1024, 'slow.bin', 3), makeFile(600 * 1024, 'too-big.bin', 4)]);
    await success;
    const slow = element.uploads.find((u) => u.name === 'slow.bin')!;
    await clickRowAction(element, slow.id, 'pause');
    await rendered(element);
    const states = element.uploads.map((u) => u.status).sort();
    expect(states).to.deep.equal(['error', 'paused', 'success']);
    expect(element.shadowRoot!.querySelectorAll('[part~=rejection]')).to.have.length(1);
    expect(await axeViolations(document.body)).to.deep.equal([]);
    main.remove();
  });

  it('opens the picker from the keyboard: Tab to it, then Enter or Space', async () => {
    const element = await uploader();
    const input = element.shadowRoot!.querySelector('input[type=file]')!;
    let opened = 0;
    input.addEventListener('click', (event) => {
      opened++;
      event.preventDefault(); // no native dialog in a test
    });
    const before = document.createElement('button');
    before.textContent = 'before';
    element.before(before);
    before.focus();
    await sendKeys({ press: 'Tab' });
    expect(element.shadowRoot!.activeElement).to.equal(dropZone(element));
    await sendKeys({ press: 'Enter' });
    await sendKeys({ press: ' ' });
    expect(opened).to.equal(2);
    before.remove();
  });

  it('row actions are buttons named after the file, reachable by Tab', async () => {
    const element = await uploader();
    await setFaults([{ method: 'PUT', times: 100, action: { type: 'throttle', bytesPerSecond: 16 * 1024 } }]);
    const progress = nextEvent(element, 'upload-progress', (e) => e.detail.upload.bytesUploaded > 0);
    await dropFiles(element, [makeFile(300 * 1024, 'keys.bin', 5)]);
    const { detail } = await progress;
    await rendered(element);
    dropZone(element).focus();
    await sendKeys({ press: 'Tab' });
    const focused = element.shadowRoot!.activeElement as HTMLElement;
    expect(focused.getAttribute('aria-label')).to.equal('Pause: keys.bin');
    const paused = nextEvent(element, 'upload-pause');
    await sendKeys({ press: 'Enter' });
    expect((await paused).detail.id).to.equal(detail.id);
  });

  it('announces the addition and the outcome in a polite live region, not progress', async () => {
    const element = await uploader();
    const region = element.shadowRoot!.querySelector('[aria-live=polite]')!;
    const heard: string[] = [];
    new MutationObserver(() => heard.push(region.textContent!.trim())).observe(region, { childList: true, characterData: true, subtree: true });
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [makeFile(8 * 64 * 1024, 'heard.bin', 6)]);
    await success;
    await rendered(element);
    await until(() => heard.some((text) => text.includes('heard.bin uploaded.')), 'the outcome announced');
    expect(heard[0]).to.equal('1 file added.');
    expect(heard.some((text) => /%/.test(text))).to.equal(false);
  });

  it('renders file names as text, never as markup', async () => {
    const element = await uploader();
    const name = '<img src=x onerror="window.__pwned=1">.bin';
    const success = nextEvent(element, 'upload-success');
    const file = new File(['hi'], name);
    await dropFiles(element, [file]);
    const { detail } = await success;
    expect((await stored(detail.asset.id)).sha256).to.equal(await sha256(file));
    await rendered(element);
    expect(row(element, detail.id).querySelector('[part=file-name]')!.textContent).to.equal(name);
    expect(element.shadowRoot!.querySelector('img')).to.equal(null);
    expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
  });
});

describe('<asset-uploader> attributes and events', () => {
  it('warns once on a bad attribute value and keeps working with the default', async () => {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      const element = await uploader({ 'chunk-size': 'huge', transport: 'carrier-pigeon', 'stall-timeout': '-5' });
      const success = nextEvent(element, 'upload-success');
      const file = makeFile(10, 'warned.bin', 7);
      await dropFiles(element, [file]);
      expect((await stored((await success).detail.asset.id)).sha256).to.equal(await sha256(file));
      element.setAttribute('chunk-size', 'still huge');
      await element.updateComplete;
    } finally {
      console.warn = original;
    }
    expect(warnings.filter((w) => w.includes('chunk-size'))).to.have.length(1);
    expect(warnings.filter((w) => w.includes('transport'))).to.have.length(1);
    expect(warnings.filter((w) => w.includes('stall-timeout'))).to.have.length(1);
  });

  it('takes one file without `multiple`, and none while disabled', async () => {
    const element = await uploader({ multiple: false });
    const rejected: string[] = [];
    element.addEventListener('file-reject', (e) => rejected.push(e.detail.file.reason));
    const added = nextEvent(element, 'upload-add');
    await dropFiles(element, [makeFile(1, 'one.bin', 8), makeFile(1, 'two.bin', 9)]);
    expect((await added).detail.upload.name).to.equal('one.bin');
    element.disabled = true;
    await element.updateComplete;
    element.addFiles([makeFile(1, 'three.bin', 10)]);
    expect(rejected).to.deep.equal(['too_many_files', 'disabled']);
  });

  it('waits for start() with no-auto-start, and pastes files', async () => {
    const element = await uploader({ 'no-auto-start': true });
    const transfer = new DataTransfer();
    const file = makeFile(100, 'pasted.bin', 11);
    transfer.items.add(file);
    // Firefox ignores `clipboardData` in the ClipboardEvent constructor; a real paste has it.
    const paste = new ClipboardEvent('paste', { bubbles: true, cancelable: true });
    Object.defineProperty(paste, 'clipboardData', { value: transfer });
    element.dispatchEvent(paste);
    await rendered(element);
    expect(element.uploads.map((u) => [u.name, u.status])).to.deep.equal([['pasted.bin', 'queued']]);
    const success = nextEvent(element, 'upload-success');
    element.start();
    expect((await stored((await success).detail.asset.id)).sha256).to.equal(await sha256(file));
  });

  it('fires every event bubbling and composed, with frozen snapshot details keyed by id', async () => {
    const element = await uploader();
    const wrapper = document.createElement('div');
    element.replaceWith(wrapper);
    wrapper.append(element);
    const seen: CustomEvent[] = [];
    for (const type of ['upload-add', 'upload-start', 'upload-progress', 'upload-success', 'upload-complete'])
      wrapper.addEventListener(type, (e) => seen.push(e as CustomEvent));
    const complete = nextEvent(element, 'upload-complete');
    const file = makeFile(3 * 64 * 1024, 'events.bin', 12);
    await dropFiles(element, [file]);
    const { detail } = await complete;
    expect((await stored(detail.successful[0]!.asset!.id)).sha256).to.equal(await sha256(file));
    const types = new Set(seen.map((e) => e.type));
    expect([...types]).to.have.members(['upload-add', 'upload-start', 'upload-progress', 'upload-success', 'upload-complete']);
    for (const event of seen) {
      expect(event.bubbles && event.composed).to.equal(true);
      expect(Object.isFrozen(event.detail)).to.equal(true);
      if (event.type !== 'upload-complete') {
        expect(event.detail.id).to.equal(event.detail.upload.id);
        expect(Object.isFrozen(event.detail.upload)).to.equal(true);
      }
    }
  });
});

describe('Uploader without the element', () => {
  it('uploads from JS alone', async () => {
    const uploader = new Uploader({ endpoint: await contentRangeEndpoint(), chunkSize: 64 * 1024, resume: false });
    const file = makeFile(200_000, 'headless.bin', 13);
    const success = nextEvent(uploader, 'upload-success');
    uploader.add([file]);
    const { detail } = await success;
    expect((await stored(detail.asset.id)).sha256).to.equal(await sha256(file));
    uploader.destroy();
  });

  it('validates its options strictly', () => {
    expect(() => new Uploader({ endpoint: '' })).to.throw(/endpoint/);
    expect(() => new Uploader({ endpoint: '/x', protocol: 'ftp' })).to.throw(/unknown `protocol`/);
    expect(() => new Uploader({ endpoint: '/x', chunkSize: -1 })).to.throw(/chunkSize/);
    expect(() => new Uploader({ endpoint: '/x', transport: 'pigeon' as 'put' })).to.throw(/transport/);
  });

  it('keeps uploading when IndexedDB is full, and says resume is off for that file', async () => {
    class FullStore extends MemoryResumeStore {
      override readonly persistent = true as unknown as false;
      override async set(): Promise<void> {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
    }
    const uploader = new Uploader({ endpoint: await contentRangeEndpoint(), chunkSize: 64 * 1024, resumeStore: new FullStore() });
    const file = makeFile(300_000, 'full-idb.bin', 14);
    const success = nextEvent(uploader, 'upload-success');
    uploader.add([file]);
    const { detail } = await success;
    expect(detail.upload.persistent).to.equal(false);
    expect((await stored(detail.asset.id)).sha256).to.equal(await sha256(file));
    uploader.destroy();
  });

  it('says why when the file changed on disk after it was picked', async () => {
    const uploader = new Uploader({ endpoint: await contentRangeEndpoint(), chunkSize: 64 * 1024, resume: false });
    // A File whose bytes can no longer be read behaves like one edited after picking.
    const vanished = makeFile(100_000, 'vanished.bin', 15);
    const pool = { digest: async () => Promise.reject(new DOMException('gone', 'NotReadableError')), dispose() {} };
    const broken = new Uploader({ endpoint: await contentRangeEndpoint(), chunkSize: 64 * 1024, resume: false, hasher: pool });
    const error = nextEvent(broken, 'upload-error');
    broken.add([vanished]);
    expect((await error).detail.error.code).to.equal('file_unreadable');
    uploader.destroy();
    broken.destroy();
  });
});
