/**
 * Build for `npm run bench`: the demo page exactly as the project's own `demo` mode builds
 * it (same Vite settings, taken from ../vite.config.ts), plus the bench page
 * (bench/index.html) and the view bench's page (bench/view.html: the element alone), into one folder that the reference server serves as PUBLIC_DIR.
 * bench/run.ts passes `--outDir <temporary folder>`; the default below is only for a
 * manual `vite build --config bench/vite.config.ts`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig, type UserConfig } from 'vite';
import project from '../vite.config.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig((env): UserConfig => {
  const demo = typeof project === 'function' ? (project as (e: typeof env) => UserConfig)({ ...env, mode: 'demo' }) : (project as UserConfig);
  return mergeConfig(demo, {
    root,
    logLevel: 'warn',
    build: {
      outDir: 'dist/bench',
      emptyOutDir: true,
      sourcemap: false,
      rolldownOptions: {
        input: {
          demo: fileURLToPath(new URL('../index.html', import.meta.url)),
          bench: fileURLToPath(new URL('./index.html', import.meta.url)),
          view: fileURLToPath(new URL('./view.html', import.meta.url)),
        },
      },
    },
  } satisfies UserConfig);
});
