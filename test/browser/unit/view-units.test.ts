/**
 * The view's small modules on their own: formatting and plurals, the announcer's
 * gathering, the property table's defaults, the summary, file kinds, thumbnails' memory,
 * the form value.
 */
import { expect } from '@esm-bundle/chai';
import { LitElement, render } from 'lit';
import { AnnouncerController } from '../../../src/ui/announcer.js';
import { FormValueController } from '../../../src/ui/form-value.js';
import { PreviewController } from '../../../src/ui/previews.js';
import { formatBytes, formatDuration, formatPercent, formatSpeed, plural, secondsLeft } from '../../../src/ui/format.js';
import { fileKind } from '../../../src/ui/icons.js';
import { defaultI18n, mergeI18n } from '../../../src/ui/i18n.js';
import { defaultOf, litProperties, propertyTable, restoreDefaults } from '../../../src/ui/properties.js';
import { summarize, summaryBar } from '../../../src/ui/summary.js';
import type { UploadSnapshot } from '../../../src/engine/types.js';

describe('format', () => {
  it('sizes, speeds, durations and percentages in the given language', () => {
    expect(formatBytes(1_500_000, 'en')).to.equal('1.5 MB');
    expect(formatBytes(1_500_000, 'de')).to.equal('1,5 MB');
    expect(formatBytes(999, 'en')).to.equal('999 bytes');
    expect(formatBytes(1, 'en')).to.equal('1 byte');
    expect(formatBytes(0, 'en')).to.equal('0 bytes');
    expect(formatBytes(2.5e12, 'en')).to.equal('2.5 TB');
    expect(formatSpeed(2_400_000, 'en')).to.equal('2.4 MB/s');
    expect(formatDuration(7, 'en')).to.equal('7 sec');
    expect(formatDuration(42, 'en')).to.equal('40 sec');
    expect(formatDuration(185, 'en')).to.equal('3 min');
    expect(formatDuration(3900, 'en')).to.equal('1 hr 5 min');
    expect(formatDuration(3 * 86400, 'en')).to.equal('3 days');
    expect(formatPercent(0.999, 'en')).to.equal('99%');
    expect(formatPercent(1, 'en')).to.equal('100%');
    expect(secondsLeft(1000, 0)).to.equal(undefined);
    expect(secondsLeft(1000, 100)).to.equal(10);
  });

  it('a bad language tag falls back instead of throwing', () => {
    expect(formatBytes(1000, 'not a language!')).to.match(/1/);
    expect(plural({ one: 'one', other: 'many' }, 1, 'not a language!')).to.equal('one');
  });

  it('plural forms by Intl.PluralRules, zero when given, a plain string for every count', () => {
    const files = { zero: 'no files', one: '{count} file', other: '{count} files' };
    expect(plural(files, 0, 'en')).to.equal('no files');
    expect(plural(files, 1, 'en')).to.equal('{count} file');
    expect(plural(files, 2, 'en')).to.equal('{count} files');
    // Polish has "few" and "many".
    const pl = { one: 'plik', few: 'pliki', many: 'plików', other: 'pliku' };
    expect([1, 2, 5, 22].map((n) => plural(pl, n, 'pl'))).to.deep.equal(['plik', 'pliki', 'plików', 'pliki']);
    expect(plural('always', 7, 'en')).to.equal('always');
  });

  it('i18n merges deeply: one plural form or one status changes, the rest stays', () => {
    const merged = mergeI18n(defaultI18n, { status: { paused: 'En pause' }, announce: { added: { one: 'Un fichier ajouté.' } } });
    expect(merged.status.paused).to.equal('En pause');
    expect(merged.status.uploading).to.equal(defaultI18n.status.uploading);
    expect(merged.announce.added).to.deep.equal({ one: 'Un fichier ajouté.', other: '{count} files added.' });
  });
});

describe('properties table', () => {
  it('declares every attribute once, with kebab-case attributes and camelCase properties', () => {
    const lit = litProperties();
    for (const [key, spec] of Object.entries(propertyTable)) {
      if (spec.kind === 'boolean') expect(spec.default, `${key}: booleans default to false`).to.equal(false);
      const attribute = lit[key]!.attribute;
      if (attribute === false) continue;
      expect(attribute).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(
        attribute!.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()),
        key,
      ).to.equal(key);
    }
    const attributes = Object.values(lit).flatMap((p) => (p.attribute ? [p.attribute] : []));
    for (const name of [
      'endpoint',
      'chunk-size',
      'max-file-size',
      'max-files',
      'no-auto-start',
      'parallel-parts',
      'retry-delays',
      'stall-timeout',
      'storage-endpoint',
      'worker-url',
      'paste-anywhere',
      'with-credentials',
      'allowed-origins',
    ]) {
      expect(attributes, name).to.include(name);
    }
    expect(lit['maxFileSize']).to.deep.equal({ type: String, attribute: 'max-file-size' });
    expect(lit['disabled']).to.deep.equal({ type: Boolean, attribute: 'disabled', reflect: true });
    expect(lit['headers']).to.deep.equal({ attribute: false });
  });

  it('restoreDefaults turns a removed attribute (null) back into its default', () => {
    const values: Record<string, unknown> = { protocol: null, maxFileSize: null, maxFiles: null, transport: null, headers: null, other: null };
    restoreDefaults(values, Object.keys(values));
    expect(values).to.deep.equal({ protocol: 'content-range', maxFileSize: '', maxFiles: undefined, transport: 'auto', headers: {}, other: null });
    expect(defaultOf('headers')).not.to.equal(defaultOf('headers'), 'a fresh object each time');
  });
});

describe('summary', () => {
  const snap = (status: UploadSnapshot['status'], size: number, bytesUploaded: number, bytesPerSecond = 0, held = false) =>
    ({ status, size, bytesUploaded, bytesPerSecond, held }) as UploadSnapshot;
  it('counts and totals in one pass; cancelled files leave the totals', () => {
    const s = summarize([
      snap('success', 100, 100),
      snap('error', 50, 10),
      snap('uploading', 200, 50, 25),
      snap('paused', 10, 5),
      snap('queued', 40, 0),
      snap('aborted', 1000, 500),
    ]);
    expect(s).to.deep.equal({
      total: 6,
      bytes: 400,
      bytesUploaded: 165,
      bytesPerSecond: 25,
      done: 1,
      failed: 1,
      remaining: 3,
      queued: 1,
      held: 0,
      running: 1,
      paused: 1,
      finished: 2,
      bytesLeft: 190,
    });
  });

  it("the time left counts the bytes that are moving: no paused, failed or held file's", () => {
    // 8 MB to go at 1 MB/s (8 s), a paused file with 3 MB to go, a failed one with 5 MB, a queued one of 2 MB.
    const moving = [snap('uploading', 9e6, 1e6, 1e6), snap('paused', 3e6, 0), snap('error', 5e6, 0)];
    const none = () => {};
    const actions = { start: none, pauseAll: none, resumeAll: none, cancelAll: none, retryFailed: none, clearFinished: none };
    const bar = (uploads: UploadSnapshot[]) => {
      const host = document.createElement('div');
      render(summaryBar(summarize(uploads), defaultI18n, 'en', actions), host);
      return host;
    };
    const queued = bar([...moving, snap('queued', 2e6, 0)]);
    expect(queued.querySelector('[part=summary-bytes]')!.textContent).to.contain(`${formatDuration(10, 'en')} left`);
    expect(queued.querySelector('[part=summary-bytes]')!.textContent).to.contain('1 MB of 19 MB', 'the total still counts every file not cancelled');
    expect(queued.querySelector('[part~=start-button]'), 'nothing waits for Upload').to.equal(null);
    // Held for Upload (no-auto-start): not in the time left, and the Upload button counts it alone.
    const held = bar([...moving, snap('queued', 2e6, 0, 0, true), snap('queued', 1e6, 0)]);
    expect(held.querySelector('[part=summary-bytes]')!.textContent).to.contain(`${formatDuration(9, 'en')} left`);
    expect(held.querySelector('[part~=start-button]')!.textContent!.trim()).to.equal('Upload 1 file');
  });

  it('the total bar moves for files of 0 bytes too: by files done when there are no bytes to count', () => {
    const none = () => {};
    const actions = { start: none, pauseAll: none, resumeAll: none, cancelAll: none, retryFailed: none, clearFinished: none };
    const total = (uploads: UploadSnapshot[]) => {
      const host = document.createElement('div');
      render(summaryBar(summarize(uploads), defaultI18n, 'en', actions), host);
      const bar = host.querySelector<HTMLProgressElement>('[part~=total-progress]')!;
      return bar.value / bar.max;
    };
    expect(total([snap('success', 0, 0), snap('queued', 0, 0), snap('aborted', 0, 0)])).to.equal(0.5);
    expect(total([snap('success', 0, 0), snap('success', 0, 0)])).to.equal(1);
    expect(total([snap('success', 0, 0), snap('uploading', 10, 5)]), 'by bytes when there are some').to.equal(0.5);
  });
});

describe('file kinds', () => {
  it('by type first, then by extension', () => {
    expect(fileKind('image/png', 'x')).to.equal('image');
    expect(fileKind('', 'IMG_0001.HEIC')).to.equal('image');
    expect(fileKind('video/mp4', 'x')).to.equal('video');
    expect(fileKind('audio/mpeg', 'x')).to.equal('audio');
    expect(fileKind('application/zip', 'x')).to.equal('archive');
    expect(fileKind('', 'backup.tar.gz')).to.equal('archive');
    expect(fileKind('application/pdf', 'x')).to.equal('document');
    expect(fileKind('', 'notes.md')).to.equal('document');
    expect(fileKind('application/octet-stream', 'data.bin')).to.equal('other');
  });
});

class AnnouncingHost extends LitElement {
  readonly announcer = new AnnouncerController(this);
  updates = 0;
  override requestUpdate(...args: Parameters<LitElement['requestUpdate']>): void {
    this.updates++;
    super.requestUpdate(...args);
  }
}
customElements.define('announcing-host', AnnouncingHost);

describe('announcer', () => {
  it('gathers what arrives together into one update, drops repeats, and empties itself later', async () => {
    const host = document.createElement('announcing-host') as AnnouncingHost;
    document.body.append(host);
    host.announcer.announce('a.bin uploaded.');
    host.announcer.announce('b.bin uploaded.');
    host.announcer.announce('a.bin uploaded.');
    expect(host.announcer.text).to.equal('');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(host.announcer.text).to.equal('a.bin uploaded. b.bin uploaded.');
    host.remove();
  });

  it('speaks at most four messages per update; the rest come in the next one', async () => {
    const host = document.createElement('announcing-host') as AnnouncingHost;
    document.body.append(host);
    for (let i = 1; i <= 6; i++) host.announcer.announce(`m${i}.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(host.announcer.text).to.equal('m1. m2. m3. m4.');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(host.announcer.text).to.equal('m5. m6.');
    host.remove();
  });
});

class PreviewHost extends LitElement {
  files = new Map<string, File>();
  readonly previews = new PreviewController(this, (id) => this.files.get(id), 2);
}
customElements.define('preview-host', PreviewHost);

async function pngFile(name: string): Promise<File> {
  const canvas = document.createElement('canvas');
  canvas.width = 400;
  canvas.height = 300;
  canvas.getContext('2d')!.fillRect(0, 0, 400, 300);
  const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
  return new File([blob], name, { type: 'image/png' });
}

describe('previews', () => {
  it('keeps at most `limit` thumbnails, scaled to 96 px high, closing the oldest and those whose upload left', async () => {
    const closed: ImageBitmap[] = [];
    const close = ImageBitmap.prototype.close;
    ImageBitmap.prototype.close = function (this: ImageBitmap) {
      closed.push(this);
      return close.call(this);
    };
    const host = document.createElement('preview-host') as PreviewHost;
    document.body.append(host);
    try {
      for (const id of ['a', 'b', 'c']) host.files.set(id, await pngFile(`${id}.png`));
      host.files.set('text', new File(['x'], 'x.txt', { type: 'text/plain' }));
      expect(host.previews.get('text')).to.equal(undefined);
      for (const id of ['a', 'b', 'c']) host.previews.get(id);
      const deadline = performance.now() + 10_000;
      while (closed.length < 1 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(host.previews.size).to.equal(2);
      expect(closed).to.have.length(1);
      const c = host.previews.get('c')!;
      expect(c.height).to.equal(96);
      expect(c.width).to.equal(128);
      host.files.delete('c');
      host.previews.prune();
      expect(host.previews.size).to.equal(1);
      expect(closed).to.include(c);
      host.remove();
      expect(host.previews.size, 'all released when the element leaves').to.equal(0);
    } finally {
      ImageBitmap.prototype.close = close;
      host.remove();
    }
  });
});

class FormHost extends LitElement {
  static formAssociated = true;
  uploads: UploadSnapshot[] = [];
  name = 'files';
  required = true;
  readonly internals = this.attachInternals();
  readonly form = new FormValueController(
    this,
    this.internals,
    () => ({ held: 'Press Upload.', busy: 'Wait.', paused: 'Resume.', failed: 'Retry or remove.', required: 'Upload one.' }),
    () => undefined,
  );
}
customElements.define('form-host', FormHost);

describe('form value', () => {
  it('one entry per asset (a zip’s entries each), invalid while busy or required and empty, change once per new value', async () => {
    const form = document.createElement('form');
    const host = document.createElement('form-host') as FormHost;
    form.append(host);
    document.body.append(form);
    let changes = 0;
    host.addEventListener('change', () => changes++);
    expect(host.internals.validationMessage).to.equal('Upload one.');
    host.uploads = [{ status: 'uploading' } as UploadSnapshot];
    host.form.sync();
    host.form.sync();
    await Promise.resolve();
    expect(host.internals.validationMessage).to.equal('Wait.');
    host.uploads = [
      { status: 'success', asset: { id: 'a1', url: 'https://x.test/a1', raw: {} } } as unknown as UploadSnapshot,
      {
        status: 'success',
        asset: {
          id: 'z',
          raw: {},
          produced: [
            { id: 'z1', raw: {} },
            { id: 'z2', url: 'https://x.test/z2', raw: {} },
          ],
        },
      } as unknown as UploadSnapshot,
    ];
    host.form.syncNow();
    host.form.syncNow();
    expect(new FormData(form).getAll('files')).to.deep.equal(['https://x.test/a1', 'z1', 'https://x.test/z2']);
    expect(host.internals.validity.valid).to.equal(true);
    expect(changes).to.equal(1);
    form.remove();
  });

  it('says what stands in the way, most urgent first: held files, running, paused, failed', () => {
    const host = document.createElement('form-host') as FormHost;
    document.body.append(host);
    const done = { status: 'success', asset: { id: 'a1', url: 'https://x.test/a1', raw: {} } } as unknown as UploadSnapshot;
    const said = (...statuses: (UploadSnapshot['status'] | 'held')[]) => {
      host.uploads = [done, ...statuses.map((s) => (s === 'held' ? { status: 'queued', held: true } : { status: s, held: false }) as UploadSnapshot)];
      host.form.syncNow();
      return host.internals.validationMessage;
    };
    expect(said('error', 'paused', 'uploading', 'held')).to.equal('Press Upload.');
    expect(said('error', 'paused', 'queued')).to.equal('Wait.');
    expect(said('error', 'paused')).to.equal('Resume.');
    // A failed file would be left out of what is submitted without a word.
    expect(said('error')).to.equal('Retry or remove.');
    expect(said('aborted')).to.equal('');
    expect(host.internals.validity.valid).to.equal(true);
    host.remove();
  });
});
