/**
 * The builds minify the themes' css`` text (scripts/minify-css-literals.ts). Whether a
 * minified stylesheet means the same is for a browser to say: Chromium parses the source
 * text and the minified text, and every rule must serialize the same (selectors,
 * declarations, at-rules, custom properties), and nothing may be dropped as invalid.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright';
import { minifyCssText } from '../../scripts/minify-css-literals.js';
import { launchChromium } from './support.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let browser: Browser;

/**
 * The browser keeps some values as written: numbers in custom properties and in values
 * with `var()` (token streams), and time units (`120ms` is not serialized as `.12s`). So
 * both sides are compared with times in seconds, no leading zeros, and no space after a
 * comma; every other difference counts.
 */
function canonical(cssText: string): string {
  return cssText
    .replace(/(\d*\.?\d+)ms\b/g, (_, n: string) => `${Number(n) / 1000}s`)
    .replace(/(^|[^\d.])0\.(\d)/g, '$1.$2')
    .replace(/,\s+/g, ',');
}

before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

describe('minified themes', () => {
  for (const file of ['src/asset-uploader.styles.ts', 'src/asset-library.styles.ts']) {
    it(`${file}: the browser reads the same rules from the minified text`, async () => {
      const source = /\bcss`([^`]*)`/.exec(await readFile(`${root}${file}`, 'utf8'))![1]!;
      const minified = await minifyCssText(source);
      assert.ok(minified.length < source.length * 0.85, `smaller: ${minified.length} of ${source.length}`);
      const page = await browser.newPage();
      const rules = (text: string) =>
        page.evaluate((css) => {
          const sheet = new CSSStyleSheet();
          sheet.replaceSync(css);
          // A loop, not a named helper: the test's transpiler would wrap one in a helper the page lacks.
          const out: string[] = [];
          const pending: CSSRule[] = Array.from(sheet.cssRules);
          while (pending.length) {
            const rule = pending.shift()!;
            out.push(rule.cssText);
            if ('cssRules' in rule) pending.unshift(...Array.from((rule as CSSGroupingRule).cssRules));
          }
          return out;
        }, text);
      const [expected, actual] = [(await rules(source)).map(canonical), (await rules(minified)).map(canonical)];
      assert.ok(expected.length > 10);
      assert.deepEqual(actual, expected);
      await page.close();
    });
  }
});
