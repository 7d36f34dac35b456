/**
 * Numbers as a person reads them in their language: sizes, speeds, durations and
 * percentages through `Intl.NumberFormat` unit styles, plural forms through
 * `Intl.PluralRules`. Formatters are cached per locale (building one costs more than
 * formatting with it, and progress formats many numbers per frame).
 */
import { fill, type PluralText } from './i18n.js';

const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'] as const;
const cache = new Map<string, Intl.NumberFormat | Intl.PluralRules>();

function cached<T extends Intl.NumberFormat | Intl.PluralRules>(key: string, make: () => T): T {
  let value = cache.get(key) as T | undefined;
  if (!value) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

function number(locale: string | undefined, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  return cached(`n|${locale ?? ''}|${JSON.stringify(options)}`, () => {
    try {
      return new Intl.NumberFormat(locale, options);
    } catch {
      // An unknown language tag in `lang` must not break the element: the browser's own locale.
      return new Intl.NumberFormat(undefined, options);
    }
  });
}

function scaled(bytes: number): { value: number; unit: (typeof BYTE_UNITS)[number]; digits: number } {
  let value = Math.max(0, bytes);
  let i = 0;
  while (value >= 1000 && i < BYTE_UNITS.length - 1) {
    value /= 1000;
    i++;
  }
  return { value, unit: BYTE_UNITS[i]!, digits: i === 0 || value >= 100 ? 0 : 1 };
}

/**
 * `1.5 MB`, `١٫٥ ميغابايت`: decimal units (10^3), as file managers show them. Below a
 * kilobyte the long form (`0 bytes`, `1 byte`, `13 octets`): CLDR's short form of a byte
 * is the bare word `byte` for every count in English.
 */
export function formatBytes(bytes: number, locale?: string): string {
  const { value, unit, digits } = scaled(bytes);
  return number(locale, { style: 'unit', unit, unitDisplay: unit === 'byte' ? 'long' : 'short', maximumFractionDigits: digits }).format(value);
}

/** `2.4 MB/s`. */
export function formatSpeed(bytesPerSecond: number, locale?: string): string {
  const { value, unit, digits } = scaled(bytesPerSecond);
  return number(locale, { style: 'unit', unit: `${unit}-per-second`, unitDisplay: 'short', maximumFractionDigits: digits }).format(value);
}

/** `45 sec`, `3 min`, `1 hr 5 min`: a rounded time left, never false precision. */
export function formatDuration(seconds: number, locale?: string): string {
  const unit = (value: number, name: 'second' | 'minute' | 'hour' | 'day') => number(locale, { style: 'unit', unit: name, unitDisplay: 'short' }).format(value);
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return unit(s < 10 ? s : Math.round(s / 5) * 5, 'second');
  const minutes = Math.round(s / 60);
  if (minutes < 60) return unit(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    const rest = minutes % 60;
    return rest ? `${unit(hours, 'hour')} ${unit(rest, 'minute')}` : unit(hours, 'hour');
  }
  return unit(Math.round(hours / 24), 'day');
}

/** `42%` (rounded down: 100% only when it is all there). */
export function formatPercent(fraction: number, locale?: string): string {
  return number(locale, { style: 'percent', maximumFractionDigits: 0 }).format(Math.floor(Math.min(1, Math.max(0, fraction)) * 100) / 100);
}

export function formatCount(count: number, locale?: string): string {
  return number(locale, {}).format(count);
}

/** The plural form of `text` for `count` (`{ one: '{count} file', other: '{count} files' }`); a plain string is used as is. */
export function plural(text: PluralText, count: number, locale?: string): string {
  if (typeof text === 'string') return text;
  const rules = cached(`p|${locale ?? ''}`, () => {
    try {
      return new Intl.PluralRules(locale);
    } catch {
      return new Intl.PluralRules();
    }
  });
  const category = count === 0 && text.zero !== undefined ? 'zero' : rules.select(count);
  return text[category as keyof typeof text] ?? text.other;
}

/** `text`'s plural form for `count`, with `{count}` the number in the element's language (and `values` for the other placeholders). */
export function fillCount(text: PluralText, count: number, locale: string | undefined, values: Record<string, string | number | undefined> = {}): string {
  return fill(plural(text, count, locale), { ...values, count: formatCount(count, locale) });
}

/**
 * Seconds left at `bytesPerSecond`, or undefined while the rate says nothing yet. Smoothed
 * by the rate itself (a sliding window in the engine), so the figure does not jump per part.
 */
export function secondsLeft(remainingBytes: number, bytesPerSecond: number): number | undefined {
  if (!(bytesPerSecond > 0) || remainingBytes <= 0) return undefined;
  return remainingBytes / bytesPerSecond;
}
