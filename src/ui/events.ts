/**
 * The events `<asset-uploader>` forwards from the engine, declared once: the controller
 * re-dispatches exactly these on the element. What each means is in `event-docs.ts`, for
 * the manifest plugin only (those texts are not shipped to pages).
 * No DOM here: the manifest plugin imports this file in Node.
 */
import type { UploaderEventMap } from '../engine/types.js';

/** Each engine event once: the compiler holds the keys to `UploaderEventMap`'s, no more, no fewer. */
const forwarded = {
  'upload-add': 0,
  'file-reject': 0,
  'upload-start': 0,
  'upload-progress': 0,
  'upload-retry': 0,
  'upload-pause': 0,
  'upload-wait': 0,
  'upload-resume': 0,
  'upload-success': 0,
  'upload-error': 0,
  'upload-abort': 0,
  'upload-complete': 0,
  'asset-rename': 0,
  'asset-delete': 0,
} satisfies Record<keyof UploaderEventMap, 0>;

export const uploaderEventTypes = Object.keys(forwarded) as ReadonlyArray<keyof UploaderEventMap>;
