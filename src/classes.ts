/**
 * `asset-uploader/classes`: the element classes, with no side effect: nothing is defined
 * and no adapter is registered. Define them under names of your own, and register the
 * adapters you use (`registerBuiltInLoaders()`, each fetched on first use;
 * `registerBuiltInProtocols()`, all in your bundle; or `registerProtocol(tus)`).
 */
export { AssetUploader } from './asset-uploader.js';
export { AssetLibrary } from './asset-library.js';
export { registerBuiltInProtocols, builtInProtocols } from './protocols/index.js';
export { registerBuiltInLoaders } from './protocols/loaders.js';
