/**
 * What each property of `<asset-uploader>` means, for the manifest plugin
 * (`custom-elements-manifest.config.mjs`) and, through custom-elements.json, the README's
 * reference. Never imported by the element: these texts are not shipped to pages.
 *
 * Keyed by the property table's names (`properties.ts`); the compiler refuses a property
 * without its doc, and a doc without its property. `type` is the TypeScript type when it is
 * not the kind's own (`string`, `number | undefined`, `boolean`); `shownDefault` is the
 * default as the docs say it, where the property's own default is "unset" (the engine's
 * default applies).
 *
 * No DOM here: the manifest plugin imports this file in Node.
 */
import type { propertyTable } from './properties.js';

export interface PropertyDoc {
  readonly doc: string;
  readonly type?: string;
  readonly shownDefault?: string;
}

export const propertyDocs = {
  endpoint: {
    doc: "The API's URL (for `content-range`: the URL that creates an upload session; see Protocols for the others). Relative URLs resolve against the page.",
  },
  protocol: { doc: 'Which server API to speak: `content-range`, `tus`, `session`, `phased`, `signed-parts` or `registry` (see Protocols).' },
  chunkSize: {
    doc: 'Part size: bytes, or `8MB`, `5MiB`, `1.5 GB` (kB/MB/GB are powers of 1000, KiB/MiB/GiB and bare K/M/G powers of 1024). Unset: the rest of the file in one request where the server keeps a cut-off part and no MD5 is sent (tus, content-range), else sized from measured throughput (8 MiB to start, about 4 s per request).',
    shownDefault: 'auto',
  },
  accept: { doc: 'Accepted types, as on `<input type=file>`: `.pdf,image/*,video/mp4`. Removing it accepts any type again.', shownDefault: 'any' },
  maxFileSize: { doc: 'Largest file taken (same units as `chunk-size`). Removing it lifts the limit.', shownDefault: 'none' },
  maxFiles: { doc: 'Most files in the list.', shownDefault: 'none' },
  multiple: { doc: 'Take more than one file (without it, a drop of several takes the first and says why not the rest).' },
  concurrency: {
    doc: 'Files sending bytes at the same time. A file that only waits (a session commit waiting for the rest of its drop, the server processing it) gives its slot to the next one.',
    shownDefault: '2',
  },
  parallelParts: { doc: "Parts of one file sent at the same time, where the API's parts are independent (`signed-parts`).", shownDefault: '3' },
  noAutoStart: { doc: 'Queue files and wait for `start()` or the Upload button.' },
  disabled: {
    doc: 'Take no files, and disable every button of the rows and the summary bar, as a disabled fieldset does its controls; uploads already going go on (reflected). A disabled `<fieldset>` around the element disables it too, without touching this attribute, so re-enabling the fieldset enables the element again.',
  },
  transport: {
    doc: '`auto`: streaming parts where possible; `put`: always; `form`: one `multipart/form-data` POST per file.',
    type: "'auto' | 'put' | 'form'",
  },
  noChecksum: { doc: "Do not compute or send each part's MD5." },
  noResume: { doc: 'Keep no resume state in IndexedDB.' },
  withCredentials: { doc: "Send cookies — to the endpoint's origin only." },
  allowedOrigins: { doc: 'Other origins a server `Location` may move an upload to (space-separated).', shownDefault: 'none' },
  retryDelays: { doc: 'Milliseconds before each retry; their count is the number of retries.', shownDefault: '0 1000 3000 5000' },
  stallTimeout: {
    doc: 'Milliseconds without progress after which a request counts as stalled (a laptop lid closed, a network switched): it is dropped, the element asks the server what it holds, and goes on. `0` turns it off.',
    shownDefault: '30000',
  },
  storageEndpoint: { doc: '`registry` only: the `signed-parts` uploads collection that stores the bytes before the asset is registered.' },
  workerUrl: {
    doc: "Where to start the md5 worker from. Browsers start workers only from the page's own origin: when the element's script comes from a CDN on another origin, serve a copy of its `assets/md5.worker-*.js` from the page's origin and point this at it (else parts go without MD5, and the element says why).",
    shownDefault: 'beside the script',
  },
  fields: { doc: 'A JSON object of members added to the record the API creates: for `registry`, `{"user_id":"usr_ada"}` goes into `data`.' },
  name: { doc: 'Form field name. Each uploaded asset adds one entry: its URL (or its id).' },
  required: { doc: 'The form is invalid until a file is uploaded.' },
  pasteAnywhere: { doc: 'Take files pasted anywhere on the page, not only while the element has focus. Pastes into text fields stay there.' },
  token: {
    doc: "A bearer token for the endpoint (sent as `Authorization: Bearer …` to the endpoint's origin only, never stored). Prefer the property; the attribute exists for CMS templates.",
  },
  headers: {
    doc: "Extra request headers (e.g. `Authorization`), sent to the endpoint's origin only, never stored.",
    type: 'Readonly<Record<string, string>>',
    shownDefault: '{}',
  },
  i18n: {
    doc: "Every text the element shows; deep-merged over the English defaults (`el.i18n = { status: { paused: 'En pause' } }`; see Texts and languages).",
    type: 'UploaderI18nInput',
    shownDefault: 'English',
  },
} satisfies Record<keyof typeof propertyTable, PropertyDoc>;
