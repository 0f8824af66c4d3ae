/**
 * Every limit Gatehouse enforces, in one place. The server reads each from the environment
 * (RATE_LIMIT_*); these defaults are the documented ones.
 */
export interface RateLimitSettings {
  /** auth.login calls per client address per minute (the runbook's figure). */
  loginPerMinute: number;
  /** auth.register calls per client address per hour. */
  registerPerHour: number;
  /** auth.refresh calls per client address per minute. */
  refreshPerMinute: number;
  /** oauth.start calls per client address per minute (each stores a pending sign-in). */
  oauthStartPerMinute: number;
  /** user.changePassword calls per hour, per client address and per user. */
  passwordChangePerHour: number;
  /** Other changes a signed-in user (or admin) makes, per user per minute. */
  userWritesPerMinute: number;
  /** Refused X-API-Key attempts per client address per minute before it is turned away. */
  apiKeyFailuresPerMinute: number;
  /** Consecutive failed logins for one account from one address before that pair is locked. */
  accountIpFailures: number;
  /** How long an account+address pair stays locked, in seconds. */
  accountLockSeconds: number;
  /**
   * Failed logins for one account from all addresses per day; past it the account refuses
   * sign-ins except from addresses it has signed in from before.
   */
  accountFailuresPerDay: number;
  /** IPv6 addresses count per prefix of this many bits for every per-address limit (IPv4: per address). */
  ipv6PrefixBits: number;
  /** Requests that send mail (reset, verification, email change, sign-in link) per client address per hour. */
  emailRequestsPerHour: number;
  /** Such requests per target (address typed, or account) per hour, from all client addresses. */
  emailsPerTargetPerHour: number;
  /** auth.device.start calls per client address per minute (each stores a pending device sign-in). */
  deviceStartPerMinute: number;
  /** auth.device.poll calls per client address per minute (a device polls every 5 s or slower). */
  devicePollPerMinute: number;
  /** Wrong user codes typed at approve/deny per hour, per user and per client address: guessing is held hard. */
  deviceCodeFailuresPerHour: number;
  /** Passkey ceremonies started (each stores a challenge) per client address per minute. */
  passkeyChallengesPerMinute: number;
  /** Second-factor and re-authentication attempts per account per hour (codes, backup codes, passwords). */
  mfaAttemptsPerHour: number;
}

export const DEFAULT_RATE_LIMITS: Readonly<RateLimitSettings> = Object.freeze({
  loginPerMinute: 5,
  registerPerHour: 20,
  refreshPerMinute: 60,
  oauthStartPerMinute: 30,
  passwordChangePerHour: 10,
  userWritesPerMinute: 30,
  apiKeyFailuresPerMinute: 20,
  accountIpFailures: 10,
  accountLockSeconds: 15 * 60,
  accountFailuresPerDay: 100,
  ipv6PrefixBits: 64,
  emailRequestsPerHour: 20,
  emailsPerTargetPerHour: 5,
  deviceStartPerMinute: 10,
  devicePollPerMinute: 30,
  deviceCodeFailuresPerHour: 10,
  passkeyChallengesPerMinute: 30,
  mfaAttemptsPerHour: 30,
});
