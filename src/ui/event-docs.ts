/**
 * What each event of `<asset-uploader>` means, for the manifest plugin
 * (`custom-elements-manifest.config.mjs`) and, through custom-elements.json, the README's
 * reference. Never imported by the element: these texts are not shipped to pages.
 * No DOM here: the manifest plugin imports this file in Node.
 */
import type { UploaderEventMap } from '../engine/types.js';

export const uploaderEvents = {
  'upload-add': 'A file was taken into the queue. `detail: { id, upload }`.',
  'file-reject': 'A file was refused (size, type, count, duplicate, disabled). `detail: { file: { name, relativePath, size, type, reason, message } }`.',
  'upload-start': 'An upload (re)started. `detail: { id, upload }`.',
  'upload-progress': 'Bytes moved. `detail: { id, upload }`.',
  'upload-retry': 'A recoverable failure; trying again after `delayMs`. `detail: { id, upload, error, attempt, delayMs }`.',
  'upload-pause': '`detail: { id, upload }`.',
  'upload-wait':
    'Another tab or element is uploading the same file to the same server upload; this one waits (status `elsewhere`) and takes over when that one stops. `detail: { id, upload }`.',
  'upload-resume': '`detail: { id, upload }`.',
  'upload-success': 'The server confirmed the whole file. `detail: { id, upload, asset }`.',
  'upload-error': 'Failed for good (until `retry`). `detail: { id, upload, error }`.',
  'upload-abort': 'Cancelled. `detail: { id, upload }`.',
  'upload-complete': 'Nothing is queued or running any more. `detail: { successful, failed }`.',
  'asset-rename': 'An uploaded asset was renamed on the server. `detail: { id, upload, asset }`.',
  'asset-delete': 'An uploaded asset was deleted on the server. `detail: { id, upload }`.',
} as const satisfies Record<keyof UploaderEventMap, string>;

/** Events of the element itself, not the engine's. */
export const elementEvents = {
  change: 'The form value changed (an upload finished, was removed, renamed or deleted).',
} as const;
