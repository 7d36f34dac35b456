/** Deterministic test files and an independent digest to compare stored bytes with. */

/** A file of `size` pseudo-random bytes (xorshift32 from `seed`): the same seed gives the same bytes. */
export function makeFile(size: number, name = `file-${size}.bin`, seed = size + 1, type = 'application/octet-stream', lastModified = 1_700_000_000_000): File {
  const bytes = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return new File([bytes], name, { type, lastModified });
}

/** SHA-256 in hex with WebCrypto: independent of the spark-md5 code under test. */
export async function sha256(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
