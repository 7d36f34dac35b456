/**
 * What the browser can do, checked once. Streaming parts needs `Blob.prototype.slice`
 * (to cut parts), `Worker` (to hash them off the main thread) and XHR upload progress;
 * without any of them the engine sends each file as one `multipart/form-data` POST.
 */
export interface BrowserSupport {
  readonly slice: boolean;
  readonly worker: boolean;
  readonly uploadProgress: boolean;
}

export function detectSupport(scope: typeof globalThis = globalThis): BrowserSupport {
  const blob = (scope as { Blob?: typeof Blob }).Blob;
  const xhr = (scope as { XMLHttpRequest?: typeof XMLHttpRequest }).XMLHttpRequest;
  return {
    slice: typeof blob?.prototype?.slice === 'function',
    worker: typeof (scope as { Worker?: unknown }).Worker === 'function',
    uploadProgress: typeof xhr === 'function' && 'upload' in xhr.prototype,
  };
}

export function canStream(support: BrowserSupport): boolean {
  return support.slice && support.worker && support.uploadProgress;
}
