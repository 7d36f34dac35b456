/**
 * The one rule for every link either element renders: only `http:` and `https:` URLs
 * become an `href`. A server's JSON decides asset URLs, and `javascript:`, `data:` or
 * `vbscript:` there would run or show content on the page's origin with a click.
 *
 * The URL is parsed, not matched with a pattern: the URL parser is what the browser
 * itself applies to an `href`, so whatever it strips (leading spaces and control
 * characters, tabs and newlines inside `java\tscript:`) or lowercases (`JaVaScRiPt:`) is
 * stripped and lowercased here too before the scheme is judged. Relative URLs resolve
 * against the document, as an `href` would.
 */
export function safeHref(
  url: string | undefined | null,
  base: string = globalThis.document?.baseURI ?? globalThis.location?.href ?? 'http://invalid/',
): string | undefined {
  if (typeof url !== 'string' || url === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    return undefined;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
}
