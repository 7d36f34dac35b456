/**
 * Webhook delivery for the phased API's events (`asset.created`,
 * `asset.changed`, `asset.deleted`).
 *
 * Why this exists: the API the phased routes mirror tells the application's
 * backend about assets through events, and an integration has to be tested
 * against real deliveries: signed, in order, retried when the receiver fails
 * for a moment.
 *
 * - Each event is POSTed as JSON `{"id", "event", "occurred_at", "asset"}`;
 *   with a secret, `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the exact
 *   body bytes>`.
 * - Delivery never delays an API answer: events are queued and sent in the
 *   background, one at a time per asset and in the order they happened
 *   (events of different assets may overlap).
 * - An attempt fails on a network error, a timeout, or a 5xx answer; it is
 *   tried 3 times in all with a short backoff, with the same event id so that
 *   a receiver can discard a duplicate. Any other non-2xx answer is final.
 *   Failures are logged to stderr only.
 * - `idle()` resolves once nothing is queued or being sent (tests await it);
 *   `close()` waits for that a bounded time, then abandons what is left.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export type AssetEvent = 'asset.created' | 'asset.changed' | 'asset.deleted';

export const ATTEMPTS = 3;
export const ATTEMPT_TIMEOUT_MS = 5_000;
export const BACKOFF_MS = 200;

export interface WebhookOptions {
  /** Where events are POSTed; no deliveries when absent. */
  readonly url?: string | undefined;
  /** Key of the HMAC signature; unsigned when absent. */
  readonly secret?: string | undefined;
}

export interface Webhooks {
  /** Queues one event about `asset` (a snapshot of its JSON); returns at once. */
  emit(event: AssetEvent, assetId: string, asset: Record<string, unknown>): void;
  idle(): Promise<void>;
  close(graceMs: number): Promise<void>;
}

/** Checks a webhook URL (http or https only); throws an Error with a readable message. */
export function checkWebhookUrl(value: string, variable = 'WEBHOOK_URL'): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${variable} is not a URL: "${value}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${variable} must be an http:// or https:// URL, not "${url.protocol}".`);
  }
  return url;
}

export function createWebhooks(options: WebhookOptions): Webhooks {
  const url = options.url === undefined ? undefined : checkWebhookUrl(options.url).href;
  const secret = options.secret === undefined || options.secret === '' ? undefined : options.secret;
  const stopping = new AbortController();
  /** Per asset, the promise of its last queued delivery. */
  const tails = new Map<string, Promise<void>>();

  async function deliver(body: string, event: AssetEvent, eventId: string): Promise<void> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (secret !== undefined) headers['X-Webhook-Signature'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      if (stopping.signal.aborted) {
        console.error(`asset-uploader server: webhook ${event} ${eventId} dropped: the server is closing.`);
        return;
      }
      let problem: string;
      try {
        const response = await fetch(url as string, {
          method: 'POST',
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
        });
        await response.body?.cancel().catch(() => {});
        if (response.status >= 200 && response.status < 300) return;
        problem = `the receiver answered ${response.status}`;
        if (response.status < 500) {
          console.error(`asset-uploader server: webhook ${event} ${eventId} not delivered: ${problem} (not retried).`);
          return;
        }
      } catch (err) {
        problem = err instanceof Error ? err.message : String(err);
      }
      if (attempt === ATTEMPTS || stopping.signal.aborted) {
        console.error(`asset-uploader server: webhook ${event} ${eventId} not delivered after ${attempt} attempt(s): ${problem}.`);
        return;
      }
      await sleep(BACKOFF_MS * attempt, undefined, { signal: stopping.signal }).catch(() => {});
    }
  }

  async function idle(): Promise<void> {
    while (tails.size > 0) await Promise.allSettled([...tails.values()]);
  }

  return {
    emit(event, assetId, asset) {
      if (url === undefined || stopping.signal.aborted) return;
      const id = randomBytes(16).toString('hex');
      const body = JSON.stringify({ id, event, occurred_at: new Date().toISOString(), asset });
      const previous = tails.get(assetId) ?? Promise.resolve();
      const tail: Promise<void> = previous
        .then(() => deliver(body, event, id))
        .catch((err: unknown) => console.error('asset-uploader server: webhook delivery failed:', err))
        .finally(() => {
          if (tails.get(assetId) === tail) tails.delete(assetId);
        });
      tails.set(assetId, tail);
    },

    idle,

    async close(graceMs) {
      const grace = new AbortController();
      await Promise.race([idle(), sleep(graceMs, undefined, { signal: grace.signal }).catch(() => {})]);
      grace.abort();
      stopping.abort();
      await idle();
    },
  };
}
