/** Messages between the hash pool and the md5 worker. */
export interface HashRequest {
  readonly id: number;
  readonly blob: Blob;
  readonly start: number;
  readonly end: number;
}

export type HashResponse =
  | { readonly id: number; readonly part: Blob; readonly md5: string; readonly hex: string; readonly timing?: HashTiming; readonly error?: undefined }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

/** How long the worker spent on a part: reading its slices, and hashing them (for the bench's breakdown). */
export interface HashTiming {
  readonly readMs: number;
  readonly hashMs: number;
}
