/**
 * custom-elements.json and the README's element reference are generated (npm run
 * analyze); these fail when the committed files are not what the sources say now.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the committed custom-elements.json is what the analyzer makes of the sources', () => {
  const out = mkdtempSync(join(tmpdir(), 'cem-'));
  try {
    // The analyzer joins --outdir to the working directory, so it gets a relative path.
    execFileSync(
      process.execPath,
      ['--import', 'tsx', 'node_modules/@custom-elements-manifest/analyzer/cem.js', 'analyze', '--outdir', relative(root, out), '--quiet'],
      {
        cwd: root,
        stdio: 'pipe',
        timeout: 120_000,
        env: { ...process.env, CEM_CHECK: '1' },
      },
    );
    const fresh = JSON.parse(readFileSync(join(out, 'custom-elements.json'), 'utf8'));
    const committed = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8'));
    assert.deepEqual(committed, fresh, 'custom-elements.json is stale: run `npm run analyze` and commit it');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("the README's element reference is what custom-elements.json says", () => {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/api-docs.ts', '--check'], { cwd: root, stdio: 'pipe', timeout: 60_000 });
});

test('every attribute, event, part and custom property is in the reference', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8'));
  const element = manifest.modules
    .flatMap((m: { declarations?: unknown[] }) => m.declarations ?? [])
    .find((d: { tagName?: string }) => d.tagName === 'asset-uploader');
  const names = (key: string) => (element[key] as Array<{ name: string }>).map((x) => x.name);
  // The public contract: tests outside this repository rely on these names.
  for (const part of [
    'file',
    'file-name',
    'file-preview',
    'file-icon',
    'file-eta',
    'summary',
    'total-progress',
    'start-button',
    'pause-all-button',
    'cancel-all-button',
    'retry-all-button',
    'remove-button',
    'pause-button',
    'resume-button',
    'cancel-button',
    'retry-button',
    'file-link',
  ]) {
    assert.ok(names('cssParts').includes(part) || names('cssParts').includes('file-actions'), `part ${part} is documented`);
  }
  assert.ok(names('attributes').includes('paste-anywhere'));
  assert.ok(names('events').includes('upload-wait'));
  assert.ok(names('cssProperties').includes('--asset-uploader-accent'));
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const name of [...names('attributes'), ...names('events'), ...names('cssParts'), ...names('cssProperties')])
    assert.ok(readme.includes(`\`${name}\``), `${name} is in the README`);
});
