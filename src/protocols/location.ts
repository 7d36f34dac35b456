/**
 * Following a server-sent `Location`, within the allowed origins only. A changed
 * location is how Panda moves an upload to another host; an off-origin one is also
 * how a compromised or confused server would pull bytes (and credentials) elsewhere.
 */
import { UploadError, UploadErrorCode } from '../engine/upload-error.js';

export function resolveLocation(value: string, base: string, endpoint: string, allowedOrigins: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value, base);
  } catch (cause) {
    throw new UploadError(UploadErrorCode.BadResponse, `The server sent a Location that is not a URL: ${value}`, { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UploadError(UploadErrorCode.LocationRefused, `The server sent a Location with the scheme ${url.protocol}, which is refused.`);
  }
  const allowed = url.origin === new URL(endpoint).origin || allowedOrigins.includes(url.origin);
  if (!allowed) {
    throw new UploadError(UploadErrorCode.LocationRefused, `The server moved the upload to ${url.origin}, which is not the endpoint's origin; refused.`);
  }
  return url.href;
}

/** The URL of item `id` in the collection at `collection` (`…/assets` + `ast_1` -> `…/assets/ast_1`), then `suffix`. */
export function itemUrl(collection: string, id: string, suffix = ''): string {
  return `${collection.replace(/\/+$/, '')}/${encodeURIComponent(id)}${suffix}`;
}
