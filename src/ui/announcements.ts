/**
 * What the live region says for each outcome, in the element's texts and language:
 * one sentence per engine event that ends something (uploaded, failed, paused,
 * resumed, cancelled, all finished), and one summary per gesture (files added, files
 * not added and why). Progress says nothing.
 */
import type { RejectedFile, UploaderEventMap, UploadSnapshot } from '../engine/types.js';
import { displayName } from './bidi.js';
import { errorText } from './file-row.js';
import { fillCount, formatCount } from './format.js';
import { fill, type UploaderI18n } from './i18n.js';
import { rejectionMessage } from './rejections.js';

export function outcomeOf(event: CustomEvent, texts: UploaderI18n, locale: string | undefined): string | undefined {
  const t = texts.announce;
  const upload = (event.detail as { upload?: UploadSnapshot }).upload;
  const name = upload ? displayName(upload.relativePath || upload.name) : '';
  switch (event.type) {
    case 'upload-success':
      return fill(t.success, { name });
    case 'upload-error':
      return upload && fill(t.error, { name, message: errorText(upload, texts) });
    case 'upload-pause':
      return fill(t.paused, { name });
    case 'upload-resume':
      return fill(t.resumed, { name });
    case 'upload-abort':
      return fill(t.aborted, { name });
    case 'upload-complete': {
      const { successful, failed } = event.detail as UploaderEventMap['upload-complete']['detail'];
      if (failed.length) return fill(t.allDoneWithFailures, { done: formatCount(successful.length, locale), failed: formatCount(failed.length, locale) });
      // One file's own "uploaded" already said it.
      if (successful.length > 1) return fillCount(t.allDone, successful.length, locale);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** What one gesture (a drop, a pick, a paste, one `addFiles`) took and refused, over all its pieces. */
export class GestureTally {
  added = 0;
  rejected = 0;
  #first: RejectedFile | undefined;

  refused(file: RejectedFile): void {
    this.rejected++;
    this.#first ??= file;
  }

  messages(texts: UploaderI18n, locale: string | undefined): string[] {
    const t = texts.announce;
    const out: string[] = [];
    if (this.added > 0) out.push(fillCount(t.added, this.added, locale));
    if (this.#first) out.push(fillCount(t.rejected, this.rejected, locale, { reason: rejectionMessage(this.#first, texts, locale) }));
    return out;
  }
}
