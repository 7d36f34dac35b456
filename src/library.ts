/**
 * `asset-uploader/library`: defines `<asset-library>` alone (no uploader, no adapter).
 */
import { AssetLibrary } from './asset-library.js';

if (!customElements.get('asset-library')) customElements.define('asset-library', AssetLibrary);

export { AssetLibrary, defaultLibraryI18n, type LibraryI18n, type LibraryEventMap, type AssetLibraryEventDetail } from './asset-library.js';
export { LibraryApi, type LibraryAsset, type LibraryPage, type ListQuery } from './library/library-api.js';
export { UploadError, UploadErrorCode, type UploadErrorInfo } from './engine/upload-error.js';
export type { HttpRequest, HttpResponse, HttpStack } from './engine/http.js';
