import { randomBytes } from 'node:crypto';
import { createGatehouseClient, errorCode, memoryTokenStore } from '@gatehouse/client';
import { describeError } from './errors.js';

interface Step {
  name: string;
  /** Resolves with a short detail for the ✓ line; throws to fail. */
  run(): Promise<string>;
}

export interface SmokeResult {
  passed: number;
  failed: number;
  skipped: number;
}

/** How long to keep presenting a reused refresh token while the server's grace window refuses it without revoking. */
const REUSE_GRACE_LIMIT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when the call is refused with `code`; throws when it succeeds or fails otherwise. */
async function expectRefused(call: Promise<unknown>, code: string): Promise<void> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  if (error === null) throw new Error(`expected ${code}, but the call succeeded`);
  if (errorCode(error) !== code) throw new Error(`expected ${code}, got ${describeError(error)}`);
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/**
 * Checks a running server end to end the way an app would use it, one line per step. Stops at
 * the first failure (later steps depend on earlier ones) and lists the rest as skipped.
 */
export async function runSmoke(url: string, print: (line: string) => void = console.log): Promise<SmokeResult> {
  const store = memoryTokenStore();
  const client = createGatehouseClient({ url, tokenStore: store });
  const username = `smoke-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const email = `${username}@example.com`;
  const password = randomBytes(18).toString('base64url');
  let rotatedAway = ''; // the refresh token replaced by the refresh step

  const steps: Step[] = [
    {
      name: 'health',
      async run() {
        const health = await client.trpc.health.query();
        check(health.status === 'ok', `status ${health.status}, database ${health.db}`);
        return `version ${health.version}, database ${health.db}`;
      },
    },
    {
      name: 'register',
      async run() {
        const user = await client.register({ username, email, password });
        check(user.username === username && user.role === 'user', `unexpected user ${JSON.stringify(user)}`);
        return username;
      },
    },
    {
      name: 'login',
      async run() {
        await client.login({ username, password });
        const tokens = store.get();
        check(!!tokens?.accessToken && !!tokens.refreshToken, 'no token pair stored');
        return 'got a token pair';
      },
    },
    {
      name: 'user.me',
      async run() {
        const me = await client.trpc.user.me.query();
        check(me.username === username && me.email === email, `got ${me.username} <${me.email}>`);
        return `${me.username} (role ${me.role})`;
      },
    },
    {
      name: 'user.update',
      async run() {
        const updated = await client.trpc.user.update.mutate({ fullName: 'Smoke Test' });
        check(updated.fullName === 'Smoke Test', `fullName is ${JSON.stringify(updated.fullName)}`);
        const me = await client.trpc.user.me.query();
        check(me.fullName === 'Smoke Test', 'user.me does not show the new full name');
        return 'full name changed';
      },
    },
    {
      name: 'refresh',
      async run() {
        const before = store.get()!;
        check(await client.refresh(), 'the refresh token was refused');
        const after = store.get()!;
        check(after.refreshToken !== before.refreshToken, 'the refresh token was not rotated');
        check((await client.trpc.user.me.query()).username === username, 'the new access token does not work');
        rotatedAway = before.refreshToken!;
        return 'new token pair, refresh token rotated';
      },
    },
    {
      name: 'refresh token reuse',
      async run() {
        // Right after a rotation the server refuses the old token with CONFLICT and no revocation
        // (a grace window for racing tabs); after it, reuse means theft and ends the session.
        const started = Date.now();
        for (;;) {
          const error = await client.trpc.auth.refresh.mutate({ refreshToken: rotatedAway }).then(
            () => null,
            (e: unknown) => e,
          );
          if (error === null) throw new Error('the old refresh token was accepted again');
          if (errorCode(error) === 'UNAUTHORIZED') break;
          if (errorCode(error) !== 'CONFLICT') throw error;
          if (Date.now() - started > REUSE_GRACE_LIMIT_MS) throw new Error('still inside the grace window after 30 s');
          await sleep(1000);
        }
        const waited = Date.now() - started;
        const current = store.get()?.refreshToken ?? '';
        await expectRefused(client.trpc.auth.refresh.mutate({ refreshToken: current }), 'UNAUTHORIZED');
        const note = waited > 1000 ? ` (after the ${(waited / 1000).toFixed(1)} s grace window)` : '';
        return `old token refused and the session revoked${note}`;
      },
    },
    {
      name: 'admin forbidden',
      async run() {
        await client.login({ username, password }); // the previous session was just revoked
        await expectRefused(client.trpc.admin.users.list.query(), 'FORBIDDEN');
        return 'a plain user gets FORBIDDEN from admin.users.list';
      },
    },
    {
      name: 'logout',
      async run() {
        const refreshToken = store.get()!.refreshToken!;
        await client.logout();
        check(!client.isSignedIn(), 'tokens still stored');
        await expectRefused(client.trpc.auth.refresh.mutate({ refreshToken }), 'UNAUTHORIZED');
        return 'session revoked; its refresh token is refused';
      },
    },
  ];

  const result: SmokeResult = { passed: 0, failed: 0, skipped: 0 };
  for (const step of steps) {
    if (result.failed > 0) {
      print(`- ${step.name}: skipped`);
      result.skipped += 1;
      continue;
    }
    try {
      print(`✓ ${step.name}: ${await step.run()}`);
      result.passed += 1;
    } catch (error) {
      print(`✗ ${step.name}: ${describeError(error, url).replaceAll('\n', '\n    ')}`);
      result.failed += 1;
    }
  }
  return result;
}
