import { parseArgs } from 'node:util';
import { createGatehouseClient, errorCode } from '@gatehouse/client';
import { Credentials, urlForSaved } from '../credentials.js';
import { talkingTo } from '../errors.js';

export const whoamiHelp = 'whoami [--url URL]                 the signed-in user';

export async function whoami(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { url: { type: 'string' } } });
  const credentials = new Credentials();
  if (!credentials.store.get()) {
    console.error('Not signed in. Run: gatehouse login --username NAME');
    return 1;
  }
  const url = urlForSaved(values.url, credentials);
  return talkingTo(url, async () => {
    // The client refreshes an expired access token by itself, and saves the new pair to the file.
    const client = createGatehouseClient({ url, tokenStore: credentials.store });
    try {
      const me = await client.trpc.user.me.query();
      console.log(`${me.username} (id ${me.id}, role ${me.role})`);
      console.log(`email:  ${me.email}`);
      if (me.fullName) console.log(`name:   ${me.fullName}`);
      console.log(`server: ${url}`);
      return 0;
    } catch (error) {
      if (errorCode(error) !== 'UNAUTHORIZED' || client.isSignedIn()) throw error;
      credentials.forget();
      console.error('Your session has ended. Sign in again: gatehouse login --username NAME');
      return 1;
    }
  });
}
