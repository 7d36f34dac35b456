export { Uploader } from '../src/engine/index.ts';
export { tus } from '../src/protocols/tus.ts';
