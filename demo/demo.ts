/**
 * The demo page's script: defines the element and shows its events and form value.
 * Query parameters override the element's attributes for experiments
 * (`?chunk-size=1MiB&transport=form`); the page itself is configured by attributes only.
 */
import '../src/index.js';
import '../src/library.js';
import { displayName } from '../src/ui/bidi.js';
import type { AssetLibrary } from '../src/asset-library.js';
import type { AssetUploader } from '../src/asset-uploader.js';

const uploader = document.querySelector<AssetUploader>('#uploader')!;
const log = document.querySelector<HTMLOListElement>('#event-log')!;
const form = document.querySelector<HTMLFormElement>('#demo-form')!;
const output = document.querySelector<HTMLOutputElement>('#form-value')!;

// One element, re-pointed at the API picked in the selector (`?protocol=tus&endpoint=/tus/files` too).
const picker = document.querySelector<HTMLSelectElement>('#protocol')!;
// What the picked API is and what to try with it (the option's data-about), under the picker.
const about = document.querySelector<HTMLParagraphElement>('#protocol-about')!;
// The registry's list uses the same documented demo token.
document.querySelector<AssetLibrary>('#library')!.token = 'demo-token';
function usePicked(): void {
  const option = picker.selectedOptions[0]!;
  uploader.setAttribute('protocol', option.value);
  uploader.setAttribute('endpoint', option.dataset['endpoint']!);
  for (const [attribute, key] of [
    ['storage-endpoint', 'storageEndpoint'],
    ['fields', 'fields'],
  ] as const) {
    const value = option.dataset[key];
    if (value === undefined) uploader.removeAttribute(attribute);
    else uploader.setAttribute(attribute, value);
  }
  // The reference server's documented demo token (API_TOKENS); a real page gets its token from its own backend.
  uploader.token = option.dataset['token'] ?? '';
  about.textContent = option.dataset['about'] ?? '';
}
picker.addEventListener('change', usePicked);

const overridable = [
  'protocol',
  'endpoint',
  'chunk-size',
  'parallel-parts',
  'transport',
  'no-checksum',
  'no-resume',
  'concurrency',
  'accept',
  'max-file-size',
  'retry-delays',
];
const params = new URLSearchParams(location.search);
const wanted = [...picker.options].findIndex(
  (o) => o.dataset['endpoint'] === params.get('endpoint') || (!params.get('endpoint') && o.value === params.get('protocol')),
);
if (wanted >= 0) picker.selectedIndex = wanted;
usePicked();
for (const name of overridable) {
  const value = params.get(name);
  if (value !== null) uploader.setAttribute(name, value);
}

const shown = [
  'upload-add',
  'file-reject',
  'upload-start',
  'upload-retry',
  'upload-pause',
  'upload-resume',
  'upload-wait',
  'upload-success',
  'upload-error',
  'upload-abort',
  'upload-complete',
];
for (const type of shown) {
  uploader.addEventListener(type, (event) => {
    const detail = (event as CustomEvent).detail as {
      upload?: { name: string };
      file?: { name: string; message: string };
      error?: { message: string };
      asset?: { url?: string };
    };
    const item = document.createElement('li');
    const what = detail.upload?.name ?? detail.file?.name ?? '';
    const extra = detail.error?.message ?? detail.file?.message ?? detail.asset?.url ?? '';
    // Names and messages are strangers' text: each in its own <bdi>, bidi controls shown (ui/bidi.ts).
    item.append(`${new Date().toLocaleTimeString()} ${type} `);
    for (const text of [what, extra].filter(Boolean)) {
      const isolated = document.createElement('bdi');
      isolated.textContent = displayName(text);
      item.append(isolated, ' ');
    }
    log.prepend(item);
  });
}

// A refused submit (the browser checks the fields before any submit event) says why here
// too, as the browser's bubble goes away, rather than leave what an earlier submit said.
uploader.addEventListener('invalid', () => {
  output.textContent = `Not submitted: ${uploader.validationMessage}`;
});
form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!form.reportValidity()) return;
  const values = new FormData(form).getAll('assets');
  output.textContent = values.length ? `assets = ${values.join('\n         ')}` : 'No file uploaded yet.';
});
