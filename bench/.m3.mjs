import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
const entry = process.argv[2];
const r = await build({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  write: false,
  outdir: '/tmp/o',
  loader: { '.worker.ts': 'file' },
  logLevel: 'silent',
});
const js = r.outputFiles.find((f) => f.path.endsWith('.js')).text;
writeFileSync('/tmp/tt/in.js', js);
console.log('esbuild min', js.length, 'gz', gzipSync(js, { level: 9 }).length);
