import { setTimeout as sleep } from 'node:timers/promises';
import { createGatehouseClient, memoryTokenStore, type TokenStore } from '@gatehouse/client';

/** How the CLI names itself to the person approving it. */
const CLIENT_NAME = 'gatehouse CLI';

/**
 * RFC 8628 device sign-in: prints the code and the approval URL, then polls at the server's
 * interval until a signed-in user approves (tokens land in `into`) or denies, or the code expires.
 * Resolves with an error message when no tokens came.
 */
export async function signInWithDevice(url: string, into: TokenStore): Promise<string | null> {
  const client = createGatehouseClient({ url, tokenStore: memoryTokenStore() });
  const started = await client.trpc.auth.device.start.mutate({ clientName: CLIENT_NAME });
  const minutes = Math.round(started.expiresIn / 60);
  console.log(`To sign in, open ${started.verificationUriComplete}`);
  console.log(`and check that it shows the code ${started.userCode} (it expires in ${minutes} minutes).`);
  console.log(`(Or open ${started.verificationUri} and type the code.)`);
  console.log('Waiting for approval…');
  let interval = started.interval;
  const deadline = Date.now() + started.expiresIn * 1000;
  while (Date.now() < deadline) {
    await sleep(interval * 1000);
    const answer = await client.trpc.auth.device.poll.mutate({ deviceCode: started.deviceCode });
    switch (answer.status) {
      case 'authorization_pending':
        continue;
      case 'slow_down':
        interval = answer.interval;
        continue;
      case 'approved':
        into.set({ accessToken: answer.accessToken, refreshToken: answer.refreshToken ?? null });
        return null;
      case 'access_denied':
        return 'the sign-in was denied in the browser';
      case 'expired_token':
        return 'the code expired before it was approved; run the command again';
    }
  }
  return 'the code expired before it was approved; run the command again';
}
