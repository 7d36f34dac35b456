/**
 * Public exports. Importing this module defines `<asset-uploader>` and `<asset-library>`.
 */
import { AssetLibrary } from './asset-library.js';
import { AssetUploader } from './asset-uploader.js';

if (!customElements.get('asset-uploader')) customElements.define('asset-uploader', AssetUploader);
if (!customElements.get('asset-library')) customElements.define('asset-library', AssetLibrary);

export { AssetUploader } from './asset-uploader.js';
export { AssetLibrary, defaultLibraryI18n, type LibraryI18n, type LibraryEventMap, type AssetLibraryEventDetail } from './asset-library.js';
export { LibraryApi, LibraryError, type LibraryAsset, type LibraryPage, type ListQuery } from './library/library-api.js';
export { Uploader, type UploaderOptions } from './engine/uploader.js';
export { UploadError, UploadErrorCode, type UploadErrorInfo } from './engine/upload-error.js';
export { UploadStatus, RejectReason, type UploadSnapshot, type FileToAdd, type RejectedFile, type RejectionLimits, type UploaderEventMap, type UploadEventDetail, type UploadRetryDetail, type UploadErrorDetail, type UploadSuccessDetail, type UploadCompleteDetail, type FileRejectDetail, type Transport } from './engine/types.js';
export { defaultRetryPolicy, decideRetry, type RetryPolicy, type RetryDecision } from './engine/retry-policy.js';
export { MemoryResumeStore, IdbResumeStore, type ResumeStore, type ResumeRecord } from './engine/resume-store.js';
export { HashPool, type Hasher, type PartDigest } from './engine/hash-pool.js';
export { XhrHttpStack } from './engine/xhr-http-stack.js';
export type { HttpStack, HttpRequest, HttpResponse } from './engine/http.js';
export { parseSize, formatSize } from './engine/size.js';
export { protocols } from './protocols/index.js';
export { contentRange } from './protocols/content-range.js';
export type { Protocol, ProtocolUpload, ProtocolContext, ProtocolCapabilities, Asset, ServerProgress, PartToSend, UploadTarget } from './protocols/protocol.js';
export { dropBatches, flatFiles, MAX_DROP_DEPTH, type DropBatches } from './ui/drop.js';
export { defaultI18n, type UploaderI18n, type UploaderI18nInput } from './ui/i18n.js';
