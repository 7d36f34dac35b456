/**
 * The "sizes" part of `npm run bench` (`BENCH_ONLY=sizes`): what each way of using the
 * package costs a page, min+gzip, measured the same way for the project and its peers.
 *
 * The package is built fresh from the working tree (the npm build and the drop-in, each
 * into a folder of the run), then every case is bundled by esbuild from an entry that
 * imports what a user would import, minified, with every dependency included (lit too,
 * where the case uses it), and gzipped at level 9. Peers installed as dev dependencies
 * (tus-js-client) are measured the same way; the others' figures are the issue's, measured
 * that way on this machine, and marked so.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export interface SizesContext {
  readonly root: string;
  readonly work: string;
  readonly log: (line: string) => void;
  readonly runBounded: (command: string, args: string[], timeoutMs: number) => Promise<unknown>;
  readonly title: string;
  readonly source: string;
}

interface Case {
  readonly name: string;
  readonly what: string;
  readonly target?: number;
  /** An entry's source (bundled) or a built file's path (measured as it is). */
  readonly entry?: string;
  readonly file?: string;
}

const kB = (bytes: number) => (bytes / 1000).toFixed(1);

async function bundled(work: string, name: string, source: string, root: string): Promise<{ min: number; gz: number; inputs: string[] }> {
  const dir = join(work, 'size-entries');
  await mkdir(dir, { recursive: true });
  const entry = join(dir, `${name.replace(/\W+/g, '-')}.mjs`);
  await writeFile(entry, source);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    outdir: join(dir, 'out'),
    metafile: true,
    absWorkingDir: root,
    nodePaths: [join(root, 'node_modules')],
    // The worker is a file of its own (measured separately), not part of the page's script.
    loader: { '.worker.js': 'file' },
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const output = result.outputFiles.find((f) => f.path.endsWith('.js'))!;
  return { min: output.contents.length, gz: gzipSync(output.contents, { level: 9 }).length, inputs: Object.keys(result.metafile.inputs) };
}

async function file(path: string): Promise<{ min: number; gz: number }> {
  const bytes = await readFile(path);
  return { min: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
}

export async function sizesBench(ctx: SizesContext): Promise<string> {
  const npmDir = join(ctx.work, 'size-npm');
  const cdnDir = join(ctx.work, 'size-cdn');
  const vite = join(ctx.root, 'node_modules/.bin/vite');
  ctx.log('sizes: building the npm build and the drop-in ...');
  await ctx.runBounded(vite, ['build', '--outDir', npmDir, '--emptyOutDir'], 180_000);
  await ctx.runBounded(vite, ['build', '--mode', 'cdn', '--outDir', cdnDir, '--emptyOutDir'], 180_000);
  const worker = (await readdir(join(cdnDir, 'assets'))).find((f) => /^md5\.worker-.*\.js$/.test(f));
  if (!worker) throw new Error('sizes: the drop-in build has no md5 worker');

  const cases: Case[] = [
    { name: 'drop-in', what: '`dist/cdn/asset-uploader.js`: both elements, the engine, every adapter, lit (the worker apart)', target: 20_000, file: join(cdnDir, 'asset-uploader.js') },
    { name: 'worker', what: 'the md5 worker (spark-md5), loaded when the first part is hashed', target: 4_000, file: join(cdnDir, 'assets', worker) },
    {
      name: 'engine + tus',
      what: "`import { Uploader } from 'asset-uploader/engine'` and `import { tus } from 'asset-uploader/protocols/tus'` (no lit)",
      target: 8_000,
      entry: `import { Uploader } from ${JSON.stringify(join(npmDir, 'engine.js'))};\nimport { tus } from ${JSON.stringify(join(npmDir, 'protocols/tus.js'))};\nexport { Uploader, tus };\n`,
    },
    {
      name: 'engine + content-range',
      what: 'the same with the content-range adapter',
      target: 8_000,
      entry: `import { Uploader } from ${JSON.stringify(join(npmDir, 'engine.js'))};\nimport { contentRange } from ${JSON.stringify(join(npmDir, 'protocols/content-range.js'))};\nexport { Uploader, contentRange };\n`,
    },
    { name: '<asset-library> alone', what: "`import 'asset-uploader/library'` (with lit and @lit/task)", target: 10_000, entry: `import ${JSON.stringify(join(npmDir, 'library.js'))};\n` },
    { name: 'npm main entry', what: "`import 'asset-uploader'` in an app (lit, the virtualizer and idb-keyval bundled by the app)", entry: `import ${JSON.stringify(join(npmDir, 'asset-uploader.js'))};\n` },
    { name: 'tus-js-client 4 (peer)', what: "`import * as tus from 'tus-js-client'` (browser build)", entry: "export * from 'tus-js-client';\n" },
  ];
  const rows: string[] = [];
  const printed: string[] = [];
  const engineInputs: string[] = [];
  for (const c of cases) {
    const size = c.file ? await file(c.file) : await bundled(ctx.work, c.name, c.entry!, ctx.root);
    if (c.name === 'engine + tus' && 'inputs' in size) engineInputs.push(...(size.inputs as string[]));
    const meets = c.target === undefined ? '' : size.gz <= c.target ? 'yes' : 'no';
    rows.push(`| ${c.name} | ${c.what} | ${kB(size.min)} | **${kB(size.gz)}** | ${c.target === undefined ? '' : `≤ ${kB(c.target)}`} | ${meets} |`);
    printed.push(`  ${c.name.padEnd(24)} min ${kB(size.min).padStart(6)} kB, min+gzip ${kB(size.gz).padStart(5)} kB${c.target === undefined ? '' : ` (target ≤ ${kB(c.target)}: ${meets})`}`);
  }
  for (const line of printed) ctx.log(line);
  const leaks = engineInputs.filter((input) => /node_modules\/lit|@lit|protocols\/(?!tus)|asset-uploader\.js|asset-library/.test(input));
  return [
    `## ${ctx.title}`,
    '',
    `Written by \`npm run bench\` (bench/sizes.ts; \`BENCH_ONLY=sizes\` runs only this section) on ${new Date().toISOString()}, from ${ctx.source}.`,
    '',
    'Each case is bundled by esbuild 0.28 from an entry importing what a user would import, minified, every',
    'dependency included, and gzipped at level 9 (the drop-in and the worker are the built files as they are).',
    '',
    '| case | what | min, kB | min+gzip, kB | target (issue 11) | meets it |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    `Engine + tus bundles ${engineInputs.length} modules${leaks.length ? `, among them ${leaks.join(', ')} (they should not be there)` : ': no lit, no element, no other adapter'}.`,
    '',
    'Peers not installed here, as measured the same way in issue 11 (min+gzip): Dropzone 12.1 kB, Vaadin Upload 37.6 kB,',
    'FilePond 41.5 kB, Uppy with Dashboard, tus and Golden Retriever 98.4 kB.',
  ].join('\n');
}
