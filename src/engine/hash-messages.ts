/** Messages between the hash pool and the md5 worker. */
export interface HashRequest {
  readonly id: number;
  readonly blob: Blob;
  readonly start: number;
  readonly end: number;
}

export type HashResponse =
  | { readonly id: number; readonly part: Blob; readonly md5: string; readonly hex: string; readonly error?: undefined }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };
