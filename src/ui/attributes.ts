/**
 * The element's attribute text turned into engine options. The engine validates its
 * options strictly and throws; a page author's typo should not break the page, so here a
 * bad value warns (once per attribute, through `warn`) and the default is used, whether
 * the attribute was set before or after the element connected.
 */
import { defaultRetryPolicy, type RetryPolicy } from '../engine/retry-policy.js';
import { parseSize } from '../engine/size.js';
import type { UploaderOptions } from '../engine/uploader.js';
import type { UploaderPropertyValues } from './properties.js';

/** The element's properties this reads (declared once, in properties.ts). */
export type AttributeValues = Omit<UploaderPropertyValues, 'name' | 'required' | 'pasteAnywhere' | 'multiple' | 'disabled'>;

export function optionsFromAttributes(values: AttributeValues, warn: (attribute: string, message: string) => void): UploaderOptions {
  const size = (attribute: string, text: string) => {
    if (!text) return undefined;
    const bytes = parseSize(text);
    if (bytes === undefined || bytes === 0)
      warn(attribute, `<asset-uploader>: ${attribute}="${text}" is not a size (try 8MB, 5MiB or a number of bytes); ignored.`);
    return bytes || undefined;
  };
  const count = (attribute: string, value: number | undefined) => {
    if (value === undefined || value === null) return undefined;
    if (!Number.isInteger(value) || value <= 0) {
      warn(attribute, `<asset-uploader>: ${attribute}="${value}" must be a positive whole number; ignored.`);
      return undefined;
    }
    return value;
  };
  let transport = values.transport;
  if (!['auto', 'put', 'form'].includes(transport)) {
    warn('transport', `<asset-uploader>: transport="${transport}" must be auto, put or form; using auto.`);
    transport = 'auto';
  }
  return {
    endpoint: values.endpoint,
    protocol: values.protocol || 'content-range',
    chunkSize: size('chunk-size', values.chunkSize),
    accept: values.accept || undefined,
    maxFileSize: size('max-file-size', values.maxFileSize),
    maxFiles: count('max-files', values.maxFiles),
    concurrency: count('concurrency', values.concurrency),
    parallelParts: count('parallel-parts', values.parallelParts),
    autoStart: !values.noAutoStart,
    transport: transport as UploaderOptions['transport'],
    checksum: !values.noChecksum,
    resume: !values.noResume,
    // The token travels as a header to the endpoint's origin only (ScopedHttpStack), never stored.
    headers: values.token ? { ...values.headers, Authorization: `Bearer ${values.token}` } : values.headers,
    withCredentials: values.withCredentials,
    allowedOrigins: values.allowedOrigins.split(/[\s,]+/).filter(Boolean),
    retryPolicy: retryPolicy(values.retryDelays, warn),
    stallTimeoutMs: stallTimeout(values.stallTimeout, warn),
    storageEndpoint: values.storageEndpoint || undefined,
    workerUrl: workerUrl(values.workerUrl, warn),
    fields: fields(values.fields, warn),
  };
}

function workerUrl(text: string, warn: (attribute: string, message: string) => void): string | undefined {
  if (!text.trim()) return undefined;
  try {
    return new URL(text, globalThis.location?.href).href;
  } catch {
    warn('worker-url', `<asset-uploader>: worker-url="${text}" is not a URL; using the worker beside the script.`);
    return undefined;
  }
}

/** `fields`: a JSON object of strings, numbers and booleans. */
function fields(text: string, warn: (attribute: string, message: string) => void): Record<string, string | number | boolean> | undefined {
  if (!text.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const usable =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => ['string', 'number', 'boolean'].includes(typeof v));
  if (!usable) {
    warn('fields', `<asset-uploader>: fields must be a JSON object of strings, numbers and booleans, such as {"user_id":"usr_ada"}; ignored.`);
    return undefined;
  }
  return value as Record<string, string | number | boolean>;
}

function stallTimeout(value: number | undefined, warn: (attribute: string, message: string) => void): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || value < 0) {
    warn('stall-timeout', `<asset-uploader>: stall-timeout="${value}" must be a whole number of milliseconds (0 turns it off); using 30000.`);
    return undefined;
  }
  return value;
}

function retryPolicy(text: string, warn: (attribute: string, message: string) => void): RetryPolicy | undefined {
  if (!text.trim()) return undefined;
  const delays = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  if (delays.some((d) => !Number.isFinite(d) || d < 0)) {
    warn('retry-delays', `<asset-uploader>: retry-delays="${text}" must be non-negative milliseconds; using the defaults.`);
    return undefined;
  }
  return { ...defaultRetryPolicy, delays };
}
