/**
 * Four outputs, one per `--mode`:
 * - default (`vite build`): the npm build in `dist/`, one file per entry (the package's
 *   `exports`: the defining main entry, the side-effect-free classes, the engine, each
 *   adapter, `<asset-library>` alone) and shared chunks under `dist/chunks/`; lit,
 *   @lit/task, @lit-labs/virtualizer and idb-keyval stay dependencies so an app does not
 *   ship them twice;
 * - `cdn`: `dist/cdn/asset-uploader.js`, the drop-in for one `<script type="module">` in a
 *   CMS template: `<asset-uploader>`, the engine and lit in one minified file, with its
 *   md5 worker under `assets/` and, under `chunks/`, what it imports (relative to itself)
 *   when needed: each adapter, when an element first names it, and the virtualized list,
 *   once a list reaches 40 rows;
 * - `cdn-library`: `dist/cdn/asset-library.js`, `<asset-library>` with lit, beside it (a
 *   build of its own, so each drop-in is whole: a page with only the uploader loads no
 *   library code, and one with only the library no uploader);
 * - `demo`: the demo page (index.html) into `dist/demo`, served by the reference server.
 *
 * `base: './'` makes the md5 worker's URL relative to the module
 * (`new URL('assets/md5.worker-….js', import.meta.url)`), so the build works from a CDN
 * folder or node_modules, and the worker stays a same-origin module file (strict CSP).
 *
 * The npm and CDN builds are app builds with JS entries, not Vite's library mode: library
 * mode leaves ES output's whitespace unminified.
 */
import { defineConfig, type UserConfig } from 'vite';
import { minifyCssLiterals } from './scripts/minify-css-literals.js';

const shared: UserConfig = {
  base: './',
  // Minifiers leave the text of css`` templates alone: this minifies the themes' CSS.
  plugins: [minifyCssLiterals()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, minify: true },
};

/** The package's entries (package.json `exports`), by output name. */
export const entries: Record<string, string> = {
  'asset-uploader': 'src/index.ts',
  classes: 'src/classes.ts',
  engine: 'src/engine/index.ts',
  library: 'src/library.ts',
  'protocols/index': 'src/protocols/index.ts',
  'protocols/content-range': 'src/protocols/content-range.ts',
  'protocols/tus': 'src/protocols/tus.ts',
  'protocols/session': 'src/protocols/session.ts',
  'protocols/phased': 'src/protocols/phased.ts',
  'protocols/signed-parts': 'src/protocols/signed-parts.ts',
  'protocols/registry': 'src/protocols/registry.ts',
};

export default defineConfig(({ mode }): UserConfig => {
  if (mode === 'demo') {
    return { ...shared, build: { ...shared.build, outDir: 'dist/demo', emptyOutDir: true } };
  }
  const cdn = mode === 'cdn' || mode === 'cdn-library';
  return {
    ...shared,
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      ...shared.build,
      outDir: cdn ? 'dist/cdn' : 'dist',
      // The library's drop-in goes beside the uploader's, which `--mode cdn` wrote first.
      emptyOutDir: mode !== 'cdn-library',
      // An app build copies public/ and writes no HTML; neither applies here.
      copyPublicDir: false,
      rollupOptions: {
        input: mode === 'cdn' ? { 'asset-uploader': 'src/index.ts' } : mode === 'cdn-library' ? { 'asset-library': 'src/library.ts' } : entries,
        // The npm build's entries export exactly what they declare. A drop-in may export more
        // (hidden names), so its lazily loaded chunk imports lit from it rather than from a
        // shared chunk that every page would wait for.
        preserveEntrySignatures: cdn ? 'allow-extension' : 'strict',
        external: cdn ? [] : [/^lit($|\/)/, /^@lit\//, /^@lit-labs\//, /^idb-keyval($|\/)/],
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
        },
      },
    },
  };
});
