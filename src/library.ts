/**
 * `asset-uploader/library`: defines `<asset-library>` alone (no uploader, no adapter).
 */
import { AssetLibrary } from './asset-library.js';

if (!customElements.get('asset-library')) customElements.define('asset-library', AssetLibrary);

export { AssetLibrary, defaultLibraryI18n, type LibraryI18n, type LibraryEventMap, type AssetLibraryEventDetail } from './asset-library.js';
export { LibraryApi, LibraryError, type LibraryAsset, type LibraryPage, type ListQuery } from './library/library-api.js';
