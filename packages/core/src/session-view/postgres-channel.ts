import type { DatabaseNotifications } from '@gatehouse/db';
import type { ViewChannel } from './view-sync.js';

const CHANNEL = 'gatehouse_session_view';
const RETRY_LISTEN_MS = 1000;

/**
 * PostgreSQL LISTEN/NOTIFY on the deployment's own database. NOTIFY runs on a pooled connection
 * (bounded by its statement timeout); LISTEN holds one connection of its own, which the driver
 * re-opens after a drop and then calls onListen again: notifications sent meanwhile are lost.
 */
export function postgresViewChannel(notifications: DatabaseNotifications): ViewChannel {
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  return {
    kind: 'postgres',
    async open({ onMessage, onGap }) {
      let listening = false;
      const onListen = () => {
        if (listening) onGap();
        listening = true;
      };
      const listen = async () => {
        try {
          await notifications.listen(CHANNEL, onMessage, onListen);
        } catch {
          // Down at start-up: the view stays unused (database reads) until a listen succeeds.
          if (!closed) retry = setTimeout(listen, RETRY_LISTEN_MS).unref();
        }
      };
      await listen();
    },
    publish: (message) => notifications.notify(CHANNEL, message),
    async close() {
      closed = true;
      clearTimeout(retry);
    },
  };
}
