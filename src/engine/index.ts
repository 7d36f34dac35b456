/**
 * `asset-uploader/engine`: the engine alone, with no DOM element, no Lit and no adapter.
 * Pass an adapter object (`import { tus } from 'asset-uploader/protocols/tus'`) as
 * `protocol`, or register adapters by name with `registerProtocol`.
 */
export { Uploader, type UploaderOptions } from './uploader.js';
export { registerProtocol, registerProtocolLoader, loadProtocol, protocolNamed, protocolNames } from './protocol-registry.js';
export { UploadError, UploadErrorCode, type UploadErrorInfo } from './upload-error.js';
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
} from './types.js';
export { defaultRetryPolicy, decideRetry, type RetryPolicy, type RetryDecision } from './retry-policy.js';
export { MemoryResumeStore, IdbResumeStore, type ResumeStore, type ResumeRecord } from './resume-store.js';
export { HashPool, type Hasher, type PartDigest } from './hash-pool.js';
export { XhrHttpStack } from './xhr-http-stack.js';
export type { HttpStack, HttpRequest, HttpResponse } from './http.js';
export { parseSize, formatSize } from './size.js';
export type { Protocol, ProtocolUpload, ProtocolContext, ProtocolCapabilities, Asset, ServerProgress, PartToSend, UploadTarget } from './protocol.js';
