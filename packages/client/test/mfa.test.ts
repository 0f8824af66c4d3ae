/** The SDK's sign-in with a second factor, against the real server with a clock the test moves. */
import { totpCode } from '@gatehouse/core';
import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouseClient, errorCode, errorReason } from '../src/index.js';
import { createTestClock, freshUser, startServer } from './harness.js';

const clock = createTestClock();

describe('client.login with a second factor', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startServer({ ACCESS_TOKEN_TTL: '1h' }, { clock: clock.now });
  });
  afterAll(() => app.close());

  it('returns the challenge, stores nothing, and verifyMfa finishes the sign-in', async () => {
    const user = freshUser('mfa');
    const setupClient = createGatehouseClient({ url: app.url });
    await setupClient.register(user);
    expect(await setupClient.login(user)).toEqual({ mfaRequired: false });
    const { secret } = await setupClient.trpc.user.mfa.totp.setup.mutate();
    await setupClient.trpc.user.mfa.totp.enable.mutate({ code: totpCode(secret, clock.now()) });

    const client = createGatehouseClient({ url: app.url });
    const outcome = await client.login(user);
    expect(outcome).toEqual({ mfaRequired: true, mfaToken: expect.any(String), methods: ['totp', 'backup_code'] });
    expect(client.isSignedIn()).toBe(false);
    if (!outcome.mfaRequired) return;
    await expect(client.verifyMfa(outcome.mfaToken, '000000')).rejects.toSatisfy(
      (e) => errorCode(e) === 'UNAUTHORIZED',
    );
    clock.advance(30_000);
    await client.verifyMfa(outcome.mfaToken, totpCode(secret, clock.now()));
    expect(client.isSignedIn()).toBe(true);
    expect((await client.trpc.user.me.query()).username).toBe(user.username);

    // Step-up: past REAUTH_WINDOW a sensitive change is refused with a reason the app can act on.
    clock.advance(11 * 60_000);
    const refused = await client.trpc.user.mfa.backupCodes.regenerate.mutate().catch((e: unknown) => e);
    expect(errorReason(refused)).toBe('REAUTH_REQUIRED');
    await client.trpc.auth.reauthenticate.mutate({ code: totpCode(secret, clock.now()) });
    expect((await client.trpc.user.mfa.backupCodes.regenerate.mutate()).backupCodes).toHaveLength(10);
  });
});
