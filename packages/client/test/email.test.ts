import { createGatehouseClient, errorCode, errorReason, fieldErrors } from '@gatehouse/client';
import { databaseOf } from '@gatehouse/core/testing';
import type { RunningGatehouse } from '@gatehouse/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshUser, startServer } from './harness.js';

/** The token in the newest queued mail of `kind` to `to` (the test server writes mail to files). */
async function mailedToken(app: RunningGatehouse, to: string, kind: string): Promise<string> {
  const mail = (await databaseOf(app.services).mailOutbox.list({ to, limit: 100 }))
    .filter((m) => m.kind === kind)
    .at(-1);
  const token = /[?&]token=([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1];
  if (!token) throw new Error(`no ${kind} mail to ${to}`);
  return token;
}

describe('the email procedures through the SDK', () => {
  let app: RunningGatehouse;
  beforeAll(async () => {
    app = await startServer({ EMAIL_VERIFICATION: 'required' });
  });
  afterAll(() => app.close());

  it('types and calls every email procedure; signs in with a mailed link; reads the refusal reason', async () => {
    const user = freshUser('mail');
    const client = createGatehouseClient({ url: app.url });
    await client.register(user);
    // EMAIL_VERIFICATION=required: the refusal carries a reason the app can act on.
    const refused = await client.login(user).catch((error: unknown) => error);
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(errorReason(refused)).toBe('EMAIL_NOT_VERIFIED');

    expect(await client.trpc.auth.requestSignInLink.mutate({ email: user.email })).toEqual({ ok: true });
    await client.signInWithLink(await mailedToken(app, user.email, 'sign_in_link'));
    expect(client.isSignedIn()).toBe(true);
    const me = await client.trpc.user.me.query();
    expect(me.emailVerified).toBe(true);

    expect(await client.trpc.user.requestEmailVerification.mutate()).toEqual({ ok: true });
    const bad = await client.trpc.auth.verifyEmail.mutate({ token: 'nope' }).catch((error: unknown) => error);
    expect(fieldErrors(bad)).toHaveProperty('token');
    expect(errorReason(bad)).toBeNull();
  });
});
