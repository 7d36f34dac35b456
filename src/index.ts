/**
 * `asset-uploader`, the main entry (and the drop-in build `cdn/asset-uploader.js`):
 * importing it registers the built-in adapters by name, each loaded when an uploader
 * first names it (`protocol="tus"` fetches the tus adapter alone), and defines
 * `<asset-uploader>`.
 * `<asset-library>` has an entry of its own (`asset-uploader/library`, and
 * `cdn/asset-library.js`): a page that only uploads does not load a second element.
 * Without side effects: `asset-uploader/classes`, `asset-uploader/engine`, and each
 * adapter under `asset-uploader/protocols/<name>`.
 */
import { AssetUploader } from './asset-uploader.js';
import { registerBuiltInLoaders } from './protocols/loaders.js';

registerBuiltInLoaders();
if (!customElements.get('asset-uploader')) customElements.define('asset-uploader', AssetUploader);

export { AssetUploader } from './asset-uploader.js';
export { Uploader, type UploaderOptions } from './engine/uploader.js';
export { UploadError, UploadErrorCode, type UploadErrorInfo } from './engine/upload-error.js';
export {
  UploadStatus,
  RejectReason,
  type UploadSnapshot,
  type FileToAdd,
  type RejectedFile,
  type RejectionLimits,
  type UploaderEventMap,
  type UploadEventDetail,
  type UploadRetryDetail,
  type UploadErrorDetail,
  type UploadSuccessDetail,
  type UploadCompleteDetail,
  type FileRejectDetail,
  type Transport,
} from './engine/types.js';
export { defaultRetryPolicy, decideRetry, type RetryPolicy, type RetryDecision } from './engine/retry-policy.js';
export { MemoryResumeStore, IdbResumeStore, type ResumeStore, type ResumeRecord } from './engine/resume-store.js';
export { HashPool, type Hasher, type PartDigest } from './engine/hash-pool.js';
export { XhrHttpStack } from './engine/xhr-http-stack.js';
export type { HttpStack, HttpRequest, HttpResponse } from './engine/http.js';
export { parseSize, formatSize } from './engine/size.js';
export { registerBuiltInLoaders } from './protocols/loaders.js';
export { registerProtocol, registerProtocolLoader, loadProtocol, protocolNamed, protocolNames } from './engine/protocol-registry.js';
export type { Protocol, ProtocolUpload, ProtocolContext, ProtocolCapabilities, Asset, ServerProgress, PartToSend, UploadTarget } from './engine/protocol.js';
export { dropBatches, flatFiles, MAX_DROP_DEPTH, type DropBatches } from './ui/drop.js';
export { defaultI18n, type UploaderI18n, type UploaderI18nInput } from './ui/i18n.js';
