/**
 * Three outputs, one per `--mode`:
 * - default (`vite build`): the npm build, `dist/asset-uploader.js`, with lit, @lit/task
 *   and idb-keyval left as dependencies so an app does not ship them twice;
 * - `cdn`: `dist/cdn/asset-uploader.js`, everything included, for one
 *   `<script type="module">` in a CMS template;
 * - `demo`: the demo page (index.html) into `dist/demo`, served by the reference server.
 *
 * `base: './'` makes the md5 worker's URL relative to the module
 * (`new URL('assets/md5.worker-….js', import.meta.url)`), so the build works from a CDN
 * folder or node_modules, and the worker stays a same-origin module file (strict CSP).
 */
import { defineConfig, type UserConfig } from 'vite';

const shared: UserConfig = {
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, minify: true },
};

export default defineConfig(({ mode }): UserConfig => {
  if (mode === 'demo') {
    return { ...shared, build: { ...shared.build, outDir: 'dist/demo', emptyOutDir: true } };
  }
  const cdn = mode === 'cdn';
  return {
    ...shared,
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      ...shared.build,
      outDir: cdn ? 'dist/cdn' : 'dist',
      emptyOutDir: true,
      lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'asset-uploader.js' },
      rollupOptions: {
        external: cdn ? [] : [/^lit($|\/)/, /^@lit\//, /^idb-keyval($|\/)/],
      },
    },
  };
});
