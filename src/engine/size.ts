/**
 * Byte sizes as people write them in attributes: `8MB`, `5MiB`, `1.5 GB`, `1048576`.
 *
 * Decimal units are powers of 1000 and binary units powers of 1024, as in IEC 80000-13;
 * `K`, `M`, `G` alone are read as binary because that is what most people mean by them.
 * Plain arithmetic only: sizes above 4 GiB are real and bitwise operators would truncate them.
 */
// Literals, not `1024 ** 2`: an expression at the top of a module makes bundlers keep it
// in apps that import the engine and never parse a size.
const units: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1_048_576,
  gib: 1_073_741_824,
  tib: 1_099_511_627_776,
  k: 1024,
  m: 1_048_576,
  g: 1_073_741_824,
  t: 1_099_511_627_776,
};

/** Returns the size in bytes, or `undefined` when the text is not a size. */
export function parseSize(text: string | number | null | undefined): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? Math.floor(text) : undefined;
  if (text === null || text === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return undefined;
  const factor = units[(match[2] || 'b').toLowerCase()];
  if (factor === undefined) return undefined;
  const bytes = Math.floor(Number(match[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Human text for a byte count, in the page's locale: `1.5 MB`. */
export function formatSize(bytes: number, locale?: string): string {
  const steps = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let i = 0;
  while (value >= 1000 && i < steps.length - 1) {
    value /= 1000;
    i++;
  }
  const digits = i === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${steps[i]}`;
}
