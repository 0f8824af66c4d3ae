import { parseArgs } from 'node:util';
import { createGatehouseClient, memoryTokenStore } from '@gatehouse/client';
import { Credentials, urlForNew } from '../credentials.js';
import { required, talkingTo, UsageError } from '../errors.js';
import { readMfaCode, readPassword } from '../prompt.js';
import { signInWithDevice } from './device-login.js';

export const loginHelp = `login --username NAME [--password P] [--code C] [--url URL]   (username or email)
  login --device [--url URL]   (approve the code in a browser where you are signed in)`;

export async function login(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      url: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      device: { type: 'boolean' },
      code: { type: 'string' },
    },
  });
  if (values.device) {
    if (values.username || values.password) throw new UsageError('--device takes no --username or --password');
    return loginWithDevice(urlForNew(values.url));
  }
  const username = required(values.username, '--username');
  const url = urlForNew(values.url);
  const password = await readPassword(values.password);
  const credentials = new Credentials();
  return talkingTo(url, async () => {
    // Sign in to memory first: a wrong password must not cost the sign-in already saved.
    const fresh = memoryTokenStore();
    const client = createGatehouseClient({ url, tokenStore: fresh });
    const outcome = await client.login({ username, password });
    // Asked only now, after the password was right: the server says whether the account has a second factor.
    if (outcome.mfaRequired) await client.verifyMfa(outcome.mfaToken, await readMfaCode(values.code));
    const me = await client.trpc.user.me.query();

    await endPreviousSession(credentials);
    credentials.store.set(fresh.get()!);
    credentials.saveUrl(url);
    console.log(`Signed in to ${url} as ${me.username} (role ${me.role})`);
    return 0;
  });
}

async function loginWithDevice(url: string): Promise<number> {
  const credentials = new Credentials();
  return talkingTo(url, async () => {
    const fresh = memoryTokenStore();
    const failure = await signInWithDevice(url, fresh);
    if (failure) {
      console.error(`error: ${failure}`);
      return 1;
    }
    const me = await createGatehouseClient({ url, tokenStore: fresh }).trpc.user.me.query();
    await endPreviousSession(credentials);
    credentials.store.set(fresh.get()!);
    credentials.saveUrl(url);
    console.log(`Signed in to ${url} as ${me.username} (role ${me.role})`);
    return 0;
  });
}

/** Revokes the session being replaced (best effort), so logging in again leaves nothing live behind. */
async function endPreviousSession(credentials: Credentials): Promise<void> {
  const url = credentials.savedUrl();
  if (!url || !credentials.store.get()) return;
  await createGatehouseClient({ url, tokenStore: credentials.store }).logout();
}
