/**
 * How long each request of a page spent sending its body and waiting for its answer, from
 * Chromium's own network stack (CDP `Network` events, the same load timing DevTools shows):
 * `sendStart` -> `sendEnd` is the request, body included, going out; `sendEnd` -> the end of
 * loading is the server's work and the answer coming back. XHR upload events would say the
 * same only to within their ~100 ms progress interval, too coarse for 8 MiB parts.
 */
import type { BrowserContext, Page } from 'playwright';
import { withTimeout } from './processes.js';

export interface RequestTiming {
  readonly method: string;
  readonly url: string;
  /** Headers and body sent. */
  readonly sendMs: number;
  /** From the last byte sent to the answer fully read. */
  readonly waitMs: number;
}

interface Pending {
  method: string;
  url: string;
  requestTime?: number;
  sendStart?: number;
  sendEnd?: number;
}

/** Starts recording the page's requests; `stop()` ends the recording and returns those that finished. */
export async function watchRequests(context: BrowserContext, page: Page): Promise<{ stop(): Promise<RequestTiming[]> }> {
  const cdp = await withTimeout(context.newCDPSession(page), 30_000, 'CDP session');
  const pending = new Map<string, Pending>();
  const done: RequestTiming[] = [];
  cdp.on('Network.requestWillBeSent', (event) => {
    pending.set(event.requestId, { method: event.request.method, url: event.request.url });
  });
  cdp.on('Network.responseReceived', (event) => {
    const request = pending.get(event.requestId);
    const timing = event.response.timing;
    if (!request || !timing) return;
    request.requestTime = timing.requestTime;
    request.sendStart = timing.sendStart;
    request.sendEnd = timing.sendEnd;
  });
  cdp.on('Network.loadingFinished', (event) => {
    const request = pending.get(event.requestId);
    pending.delete(event.requestId);
    if (!request || request.requestTime === undefined || request.sendStart === undefined || request.sendEnd === undefined || request.sendStart < 0) return;
    const endMs = (event.timestamp - request.requestTime) * 1000;
    done.push({ method: request.method, url: request.url, sendMs: request.sendEnd - request.sendStart, waitMs: Math.max(0, endMs - request.sendEnd) });
  });
  await withTimeout(cdp.send('Network.enable'), 30_000, 'Network.enable');
  return {
    async stop() {
      await withTimeout(cdp.detach(), 10_000, 'CDP detach').catch(() => undefined);
      return done;
    },
  };
}
