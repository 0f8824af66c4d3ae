import { loadRedis } from '../redis.js';
import type { ViewChannel } from './view-sync.js';

/** A publish that takes longer counts as failed: the writer then relies on the lease. */
const PUBLISH_TIMEOUT_MS = 500;

/** Redis pub/sub: one connection subscribed, one to publish (a subscribed one can do nothing else). */
export function redisViewChannel(url: string, keyPrefix: string): ViewChannel {
  const Redis = loadRedis();
  const name = `${keyPrefix}:session-view`;
  const options = { lazyConnect: true, maxRetriesPerRequest: 1, commandTimeout: PUBLISH_TIMEOUT_MS };
  const subscriber = new Redis(url, { ...options, commandTimeout: undefined });
  const publisher = new Redis(url, options);
  // Errors are reported by the rate-limit store (same Redis); here they only end the lease.
  subscriber.on('error', () => {});
  publisher.on('error', () => {});
  return {
    kind: 'redis',
    async open({ onMessage, onGap }) {
      subscriber.on('message', (channel: string, message: string) => {
        if (channel === name) onMessage(message);
      });
      // Messages published while the subscription was down are gone.
      subscriber.on('close', onGap);
      // On every (re)connection: a subscription that failed while Redis was down is not retried.
      subscriber.on('ready', () => {
        subscriber.subscribe(name).catch(() => {});
      });
      await subscriber.connect().catch(() => {});
    },
    async publish(message) {
      if (publisher.status === 'wait') await publisher.connect();
      await publisher.publish(name, message);
    },
    async close() {
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
