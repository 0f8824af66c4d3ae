import { parseArgs } from 'node:util';
import { createGatehouseClient, memoryTokenStore } from '@gatehouse/client';
import { Credentials, urlForSaved } from '../credentials.js';
import { describeError } from '../errors.js';

export const logoutHelp = 'logout [--url URL]                 end the session and forget the tokens';

export async function logout(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { url: { type: 'string' } } });
  const credentials = new Credentials();
  const tokens = credentials.store.get();
  if (!tokens) {
    console.log('Not signed in.');
    return 0;
  }
  const url = urlForSaved(values.url, credentials);
  // The tokens are forgotten whatever happens; the server call only says whether the session
  // was revoked there too, which the user should know if it was not.
  credentials.forget();
  if (!tokens.refreshToken) {
    console.log('Signed out.');
    return 0;
  }
  const client = createGatehouseClient({ url, tokenStore: memoryTokenStore(tokens) });
  try {
    await client.trpc.auth.logout.mutate({ refreshToken: tokens.refreshToken });
    console.log(`Signed out of ${url}.`);
    return 0;
  } catch (error) {
    console.error(`Signed out here, but the session could not be revoked on the server: ${describeError(error, url)}`);
    return 1;
  }
}
