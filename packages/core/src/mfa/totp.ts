import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
const DIGITS = 6;
/** Steps of clock drift accepted either side of now. */
const DRIFT_STEPS = 1;

function totpFor(base32Secret: string, issuer = 'Gatehouse', label = 'account'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(base32Secret),
  });
}

/** A new random secret (160 bits, the size RFC 4226 recommends), base32 as apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an app scans from a QR code. */
export function totpUri(base32Secret: string, issuer: string, accountName: string): string {
  return totpFor(base32Secret, issuer, accountName).toString();
}

/** The time step a moment falls in. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * The time step a code belongs to when it is valid at `at` (±1 step), or null. The caller
 * accepts a step only once (see MfaRepository.useTotpStep).
 */
export function matchTotp(base32Secret: string, code: string, at: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(base32Secret).validate({ token: code, timestamp: at.getTime(), window: DRIFT_STEPS });
  return delta === null ? null : totpStep(at) + delta;
}

/** The code for a moment; for tests and the measuring script. */
export function totpCode(base32Secret: string, at: Date): string {
  return totpFor(base32Secret).generate({ timestamp: at.getTime() });
}
