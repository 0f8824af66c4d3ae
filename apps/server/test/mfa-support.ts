import { Secret, TOTP } from 'otpauth';
import { call } from './harness.js';

/** The code an authenticator app shows for `secret` at `at` (RFC 6238: SHA-1, 6 digits, 30 s). */
export function totpAt(secret: string, at: Date): string {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
  return totp.generate({ timestamp: at.getTime() });
}

/**
 * Sets up and enables an authenticator app for the signed-in user, as a person with a phone
 * would; the code is computed from the secret the server hands out, at the server's time.
 */
export async function enableTotp(
  base: string,
  accessToken: string,
  now: () => Date,
): Promise<{ secret: string; backupCodes: string[] }> {
  const setup = await call<{ secret: string; otpauthUri: string }>(base, 'user.mfa.totp.setup', undefined, {
    token: accessToken,
  });
  if (setup.error) throw new Error(setup.error.message);
  const enabled = await call<{ backupCodes: string[] }>(
    base,
    'user.mfa.totp.enable',
    { code: totpAt(setup.data.secret, now()) },
    { token: accessToken },
  );
  if (enabled.error) throw new Error(enabled.error.message);
  return { secret: setup.data.secret, backupCodes: enabled.data.backupCodes };
}

/** The reason a refusal carries (`error.data.reason`), e.g. REAUTH_REQUIRED. */
export function reasonOf(result: { error: { data: object } | null }): string | undefined {
  return (result.error?.data as { reason?: string } | undefined)?.reason;
}
