/**
 * The package as an app imports it: every `exports` entry is built, the engine and one
 * adapter come without lit, the elements or the other adapters, and importing the engine
 * or an adapter does nothing by itself (no side effect to keep). Built fresh into a
 * temporary folder with the project's Vite config, bundled by esbuild as an app would.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'asset-uploader-package-'));
const dist = join(work, 'dist');

before(() => {
  execFileSync(join(root, 'node_modules/.bin/vite'), ['build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'error'], {
    cwd: root,
    stdio: 'pipe',
    timeout: 120_000,
  });
});
after(() => rmSync(work, { recursive: true, force: true }));

async function bundle(source: string): Promise<{ code: string; inputs: string[] }> {
  const entry = join(work, `entry-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(entry, source);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    outdir: join(work, 'out'),
    metafile: true,
    absWorkingDir: root,
    nodePaths: [join(root, 'node_modules')],
    logLevel: 'silent',
  });
  return { code: result.outputFiles.map((f) => f.text).join(''), inputs: Object.keys(result.metafile.inputs) };
}

test('every exports entry of package.json is built', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const [subpath, target] of Object.entries<string | { default: string }>(pkg.exports)) {
    const file = typeof target === 'string' ? target : target.default;
    if (!file.startsWith('./dist/') || file.startsWith('./dist/cdn/')) continue;
    const files = file.includes('*')
      ? ['content-range', 'tus', 'session', 'phased', 'signed-parts', 'registry'].map((name) => file.replace('*', name))
      : [file];
    for (const one of files) assert.ok(existsSync(join(work, one)), `${subpath}: ${one} is built`);
  }
});

test('the engine and one adapter bring no lit, no element and no other adapter', async () => {
  const { inputs } = await bundle(
    `import { Uploader } from ${JSON.stringify(join(dist, 'engine.js'))};\nimport { tus } from ${JSON.stringify(join(dist, 'protocols/tus.js'))};\nexport { Uploader, tus };\n`,
  );
  const unwanted = inputs.filter((input) =>
    /node_modules\/(lit|@lit|lit-html|@lit-labs)\/|chunks\/asset-(uploader|library)-|protocols\/(content-range|session|phased|signed-parts|registry)\.js/.test(
      input,
    ),
  );
  assert.deepEqual(unwanted, []);
  assert.ok(inputs.some((input) => input.includes('protocols/tus.js')));
});

test('importing the engine or an adapter has no side effect: an app that uses nothing of it ships nothing', async () => {
  const left: string[] = [];
  for (const file of [
    'engine.js',
    ...['index', 'content-range', 'tus', 'session', 'phased', 'signed-parts', 'registry'].map((name) => `protocols/${name}.js`),
  ]) {
    const { code } = await bundle(`import ${JSON.stringify(join(dist, file))};\n`);
    if (code.trim().length >= 100) left.push(`import ${file} leaves ${code.length} bytes: ${code.slice(0, 300)}`);
  }
  assert.deepEqual(left, []);
});

test('the main entry registers the built-in adapters and defines <asset-uploader>; <asset-library> has its own entry', async () => {
  const main = await bundle(`import ${JSON.stringify(join(dist, 'asset-uploader.js'))};\n`);
  assert.match(main.code, /"asset-uploader"|`asset-uploader`|'asset-uploader'/);
  assert.doesNotMatch(main.code, /"asset-library"|`asset-library`|'asset-library'/);
  assert.deepEqual(
    main.inputs.filter((input) => /chunks\/asset-library-|@lit\/task/.test(input)),
    [],
  );
  const library = await bundle(`import ${JSON.stringify(join(dist, 'library.js'))};\n`);
  assert.match(library.code, /"asset-library"|`asset-library`|'asset-library'/);
  assert.deepEqual(
    library.inputs.filter((input) => /chunks\/(asset-uploader|uploader)-|protocols\/|@lit-labs\/virtualizer/.test(input)),
    [],
  );
});
