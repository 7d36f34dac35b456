/**
 * The "sizes" part of `npm run bench` (`BENCH_ONLY=sizes`): what each way of using the
 * package costs a page, min+gzip, measured the same way for the project and its peers.
 *
 * The package is built fresh from the working tree (the npm build and both drop-ins, each
 * into a folder of the run). The drop-ins' files are measured as they are built: the
 * uploader's initial file, each chunk it loads later (the virtualized list) and their sum,
 * the md5 worker, the library's file. Every other case is bundled by esbuild from an entry
 * that imports what a user would import, minified, with every dependency included (lit
 * too, where the case uses it): the engine with each adapter, `<asset-library>` from npm,
 * the npm main entry. All are gzipped at level 9. Peers installed as dev dependencies
 * (tus-js-client) are measured the same way; the others' figures are the issue's, measured
 * that way on this machine, and marked so.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { sizeShares } from './size-attribution.js';

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
  /** An entry's source (bundled), a built file's path (measured as it is), or several built files (summed). */
  readonly entry?: string;
  readonly file?: string;
  readonly files?: readonly string[];
  /** For an entry: what its bundle must not hold (lit, an element, another adapter). */
  readonly unwanted?: RegExp;
}

/** The adapters, each measured with the engine: `protocols/<name>.js` and its export. */
const ADAPTERS: ReadonlyArray<{ readonly file: string; readonly name: string; readonly uses?: readonly string[] }> = [
  { file: 'content-range', name: 'contentRange' },
  { file: 'tus', name: 'tus' },
  { file: 'session', name: 'session' },
  { file: 'phased', name: 'phased' },
  { file: 'signed-parts', name: 'signedParts' },
  // The registry stores the bytes through the signed-parts adapter, then registers the asset.
  { file: 'registry', name: 'registry', uses: ['signed-parts'] },
];

/** What each chunk of the drop-in is, by its file name. */
function chunkWhat(name: string): string {
  if (/^virtual-rows-/.test(name)) return 'the virtualized list (@lit-labs/virtualizer and its flow layout), loaded when a list first reaches 40 rows';
  if (/^flow-/.test(name))
    return "the virtualizer's default layout as its own import names it: re-exported from the chunk above, never fetched (the element passes the layout)";
  const adapter = /^(content-range|tus|phased|session|signed-parts|registry)-/.exec(name)?.[1];
  if (adapter) return `the ${adapter} adapter, fetched when an uploader first names it (\`protocol="${adapter}"\`)`;
  if (/^(http|members|location)-/.test(name)) return 'code the adapters share, fetched with the first of them';
  return 'a chunk the drop-in imports lazily';
}

/** The chunks a page that speaks `adapter` loads (the adapter's chunk and what it imports statically). */
async function adapterChunks(dir: string, chunks: readonly string[], adapter: string): Promise<string[]> {
  const first = chunks.find((chunk) => chunk.startsWith(`${adapter}-`));
  if (!first) return [];
  const wanted = new Set<string>();
  const visit = async (chunk: string): Promise<void> => {
    if (wanted.has(chunk)) return;
    wanted.add(chunk);
    const text = await readFile(join(dir, chunk), 'utf8');
    for (const match of text.matchAll(/from\s*"\.\/([\w.-]+\.js)"/g)) if (chunks.includes(match[1]!)) await visit(match[1]!);
  };
  await visit(first);
  return [...wanted];
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
  ctx.log('sizes: building the npm build and the drop-ins ...');
  await ctx.runBounded(vite, ['build', '--outDir', npmDir, '--emptyOutDir'], 180_000);
  await ctx.runBounded(vite, ['build', '--mode', 'cdn', '--outDir', cdnDir, '--emptyOutDir'], 180_000);
  await ctx.runBounded(vite, ['build', '--mode', 'cdn-library', '--outDir', cdnDir], 180_000);
  const worker = (await readdir(join(cdnDir, 'assets'))).find((f) => /^md5\.worker-.*\.js$/.test(f));
  if (!worker) throw new Error('sizes: the drop-in build has no md5 worker');
  const chunks = (await readdir(join(cdnDir, 'chunks')).catch(() => [] as string[])).filter((f) => f.endsWith('.js')).sort();
  const lit = /node_modules\/(lit|lit-html|lit-element|@lit|@lit-labs)\//;

  const cases: Case[] = [
    {
      name: 'drop-in, initial file',
      what: '`dist/cdn/asset-uploader.js`: `<asset-uploader>`, the engine and lit (the adapters, the worker and the chunks below apart)',
      target: 20_000,
      file: join(cdnDir, 'asset-uploader.js'),
    },
    {
      name: 'drop-in + content-range',
      what: 'the initial file and what `protocol="content-range"` (the default) fetches before the first upload: its adapter chunk and the chunks it imports (gzipped one by one, summed)',
      files: [
        join(cdnDir, 'asset-uploader.js'),
        ...(await adapterChunks(join(cdnDir, 'chunks'), chunks, 'content-range')).map((chunk) => join(cdnDir, 'chunks', chunk)),
      ],
    },
    ...chunks.map(
      (chunk): Case => ({
        name: `drop-in chunk ${chunk.replace(/-[\w-]{8}\.js$/, '')}`,
        what: `\`chunks/${chunk}\`: ${chunkWhat(chunk)}`,
        file: join(cdnDir, 'chunks', chunk),
      }),
    ),
    {
      name: 'drop-in, all of it',
      what: 'the initial file and every chunk, as a page with a long list loads them (gzipped one by one, summed)',
      files: [join(cdnDir, 'asset-uploader.js'), ...chunks.map((chunk) => join(cdnDir, 'chunks', chunk))],
    },
    { name: 'worker', what: 'the md5 worker (spark-md5), loaded when the first part is hashed', target: 4_000, file: join(cdnDir, 'assets', worker) },
    {
      name: '<asset-library> drop-in',
      what: '`dist/cdn/asset-library.js`: `<asset-library>`, lit and @lit/task',
      target: 10_000,
      file: join(cdnDir, 'asset-library.js'),
    },
    ...ADAPTERS.map(
      ({ file: adapter, name, uses = [] }): Case => ({
        name: `engine + ${adapter}`,
        what:
          adapter === 'content-range'
            ? "`import { Uploader } from 'asset-uploader/engine'` and `import { contentRange } from 'asset-uploader/protocols/content-range'` (no lit)"
            : `the same with the ${adapter} adapter${uses.length ? ` (which uses ${uses.join(', ')})` : ''}`,
        target: 8_000,
        entry: `import { Uploader } from ${JSON.stringify(join(npmDir, 'engine.js'))};\nimport { ${name} } from ${JSON.stringify(join(npmDir, `protocols/${adapter}.js`))};\nexport { Uploader, ${name} };\n`,
        unwanted: new RegExp(
          `${lit.source}|chunks\\/asset-(uploader|library)-|asset-uploader\\.js$|library\\.js$|protocols\\/(?!(${[adapter, ...uses].join('|')})\\.js$)`,
        ),
      }),
    ),
    {
      name: '<asset-library> alone',
      what: "`import 'asset-uploader/library'` (with lit and @lit/task)",
      target: 10_000,
      entry: `import ${JSON.stringify(join(npmDir, 'library.js'))};\n`,
      unwanted: /protocols\/|chunks\/(asset-uploader|uploader)-|@lit-labs\//,
    },
    {
      name: 'npm main entry',
      what: "`import 'asset-uploader'` in an app (`<asset-uploader>`; lit, the virtualizer and idb-keyval bundled by the app, the virtualizer inlined as esbuild does without splitting)",
      entry: `import ${JSON.stringify(join(npmDir, 'asset-uploader.js'))};\n`,
      unwanted: /chunks\/asset-library-|@lit\/task/,
    },
    { name: 'tus-js-client 4 (peer)', what: "`import * as tus from 'tus-js-client'` (browser build)", entry: "export * from 'tus-js-client';\n" },
  ];
  const rows: string[] = [];
  const printed: string[] = [];
  const leaks: string[] = [];
  for (const c of cases) {
    let size: { min: number; gz: number };
    if (c.files) {
      const each = await Promise.all(c.files.map(file));
      size = { min: each.reduce((sum, one) => sum + one.min, 0), gz: each.reduce((sum, one) => sum + one.gz, 0) };
    } else if (c.file) {
      size = await file(c.file);
    } else {
      const bundle = await bundled(ctx.work, c.name, c.entry!, ctx.root);
      size = bundle;
      const unwanted = c.unwanted ? bundle.inputs.filter((input) => c.unwanted!.test(input)) : [];
      if (unwanted.length) leaks.push(`${c.name} bundles ${unwanted.map((input) => input.replace(ctx.work, '…')).join(', ')} (it should not)`);
    }
    const meets = c.target === undefined ? '' : size.gz <= c.target ? 'yes' : 'no';
    rows.push(
      `| ${c.name.replace(/<[\w-]+>/g, (tag) => `\`${tag}\``)} | ${c.what} | ${kB(size.min)} | **${kB(size.gz)}** | ${c.target === undefined ? '' : `≤ ${kB(c.target)}`} | ${meets} |`,
    );
    printed.push(
      `  ${c.name.padEnd(28)} min ${kB(size.min).padStart(6)} kB, min+gzip ${kB(size.gz).padStart(5)} kB${c.target === undefined ? '' : ` (target ≤ ${kB(c.target)}: ${meets})`}`,
    );
  }
  for (const line of printed) ctx.log(line);
  for (const leak of leaks) ctx.log(`  ${leak}`);
  const dropIn = await sizeShares(join(cdnDir, 'asset-uploader.js'));
  const shareRows = dropIn.shares
    .filter((share) => share.min >= 200)
    .map((share) => `| ${share.group} | ${kB(share.min)} | ${kB(share.gzShare)} | ${((share.gzShare / dropIn.total.gz) * 100).toFixed(0)} % |`);
  const small = dropIn.shares.filter((share) => share.min < 200);
  return [
    `## ${ctx.title}`,
    '',
    `Written by \`npm run bench\` (bench/sizes.ts; \`BENCH_ONLY=sizes\` runs only this section) on ${new Date().toISOString()}, from ${ctx.source}.`,
    '',
    'The drop-ins, their chunks and the worker are the built files as they are (`vite build --mode cdn` and',
    '`--mode cdn-library`); every other case is bundled by esbuild 0.28 from an entry importing what a user would',
    'import, minified, every dependency included. Each file is gzipped at level 9.',
    '',
    '| case | what | min, kB | min+gzip, kB | target (issue 11) | meets it |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    leaks.length
      ? `Not as it should be: ${leaks.join('; ')}.`
      : 'Each engine + adapter bundle holds no lit, no element and no other adapter (the registry: signed-parts, which it uses); `<asset-library>` holds no uploader, and the npm main entry no library.',
    '',
    'Peers not installed here, as measured the same way in issue 11 (min+gzip): Dropzone 12.1 kB, Vaadin Upload 37.6 kB,',
    'FilePond 41.5 kB, Uppy with Dashboard, tus and Golden Retriever 98.4 kB.',
    '',
    "### Where the drop-in's initial file goes",
    '',
    `\`dist/cdn/asset-uploader.js\` (${kB(dropIn.total.min)} kB min, ${kB(dropIn.total.gz)} kB min+gzip), each minified byte given to the`,
    "source its source map names (bench/size-attribution.ts). Gzip is not additive: each group's bytes are gzipped on",
    "their own and the file's real gzip size is shared out in proportion, so a share is an estimate of what leaving",
    'that group out would save.',
    '',
    '| source | min, kB | share of min+gzip, kB | share |',
    '| --- | ---: | ---: | ---: |',
    ...shareRows,
    ...(small.length
      ? [
          `| ${small.length} smaller modules | ${kB(small.reduce((sum, share) => sum + share.min, 0))} | ${kB(small.reduce((sum, share) => sum + share.gzShare, 0))} | |`,
        ]
      : []),
  ].join('\n');
}
