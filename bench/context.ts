/** What every part of the bench shares: the built pages, the reference server serving them, the browser. */
import type { Browser } from 'playwright';
import type { Server } from './servers.js';

export interface Common {
  readonly work: string;
  readonly publicDir: string;
  readonly server: Server;
  readonly browser: Browser;
  /** sourceState() when the pages were built. */
  readonly source: string;
  readonly buildSeconds: number;
}
