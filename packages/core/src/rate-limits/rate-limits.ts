import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError, waitPhrase } from '../errors.js';
import { addressKey } from './address-key.js';
import { DEFAULT_RATE_LIMITS, type RateLimitSettings } from './rate-limit-settings.js';
import { createLimiterFactory, type LimiterFactory, type RateLimitStore } from './rate-limit-store.js';

/** Limits on requests: every call counts, and calls past the limit are refused. */
export type RequestLimit =
  | 'login'
  | 'register'
  | 'refresh'
  | 'oauthStart'
  | 'passwordChange'
  | 'userWrites'
  | 'mfaAttempt'
  | 'emailRequest'
  | 'emailTarget'
  | 'deviceStart'
  | 'devicePoll'
  | 'passkeyChallenge';

/**
 * Limits on failures: attempts are counted, failures keep the count, and a success (or the end
 * of the window) clears it.
 */
export type FailureLimit = 'accountIp' | 'account' | 'apiKey' | 'deviceCode';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

const REFUSALS: Record<RequestLimit, string> = {
  login: 'Too many sign-in attempts from this address',
  register: 'Too many sign-ups from this address',
  refresh: 'Too many token refreshes from this address',
  oauthStart: 'Too many sign-ins started from this address',
  passwordChange: 'Too many password changes',
  userWrites: 'Too many changes in a short time',
  mfaAttempt: 'Too many code or password attempts for this account',
  emailRequest: 'Too many mail requests from this address',
  emailTarget: 'Too many mails asked for this account or address',
  deviceStart: 'Too many device sign-ins started from this address',
  devicePoll: 'Too many device sign-in polls from this address',
  passkeyChallenge: 'Too many passkey ceremonies started from this address',
};

export interface RateLimitsOptions {
  settings?: Partial<RateLimitSettings>;
  store?: RateLimitStore;
  /** Prefix of the keys in a shared store (default "gatehouse"). */
  keyPrefix?: string;
  onStoreError?: (error: Error) => void;
  onStoreRecovered?: () => void;
}

/** Seconds to wait before retrying, rounded up, at least 1. */
export function retryAfterSeconds(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

/** consume() rejects with a RateLimiterRes when over the limit; both outcomes carry the count. */
async function consume(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes> {
  try {
    return await limiter.consume(key);
  } catch (outcome) {
    if (outcome instanceof RateLimiterRes) return outcome;
    throw outcome;
  }
}

/** Every limiter Gatehouse uses, on one store (memory, database or Redis), built with rate-limiter-flexible. */
export class RateLimits {
  readonly settings: Readonly<RateLimitSettings>;
  readonly storeKind: RateLimitStore['kind'];
  private readonly factory: LimiterFactory;
  private readonly requests: Record<RequestLimit, RateLimiterAbstract>;
  private readonly failures: Record<FailureLimit, RateLimiterAbstract>;

  constructor(options: RateLimitsOptions = {}) {
    const s = { ...DEFAULT_RATE_LIMITS, ...options.settings };
    this.settings = Object.freeze(s);
    this.factory = createLimiterFactory(options.store ?? { kind: 'memory' }, {
      keyPrefix: options.keyPrefix ?? 'gatehouse',
      ...(options.onStoreError ? { onStoreError: options.onStoreError } : {}),
      ...(options.onStoreRecovered ? { onStoreRecovered: options.onStoreRecovered } : {}),
    });
    this.storeKind = this.factory.kind;
    const limiter = (name: string, points: number, durationSeconds: number) =>
      this.factory.create({ name, points, durationSeconds });
    this.requests = {
      login: limiter('login-ip', s.loginPerMinute, MINUTE),
      register: limiter('register-ip', s.registerPerHour, HOUR),
      refresh: limiter('refresh-ip', s.refreshPerMinute, MINUTE),
      oauthStart: limiter('oauth-start-ip', s.oauthStartPerMinute, MINUTE),
      passwordChange: limiter('password-change', s.passwordChangePerHour, HOUR),
      userWrites: limiter('user-writes', s.userWritesPerMinute, MINUTE),
      mfaAttempt: limiter('mfa-attempt', s.mfaAttemptsPerHour, HOUR),
      emailRequest: limiter('email-request-ip', s.emailRequestsPerHour, HOUR),
      emailTarget: limiter('email-target', s.emailsPerTargetPerHour, HOUR),
      deviceStart: limiter('device-start-ip', s.deviceStartPerMinute, MINUTE),
      devicePoll: limiter('device-poll-ip', s.devicePollPerMinute, MINUTE),
      passkeyChallenge: limiter('passkey-challenge-ip', s.passkeyChallengesPerMinute, MINUTE),
    };
    this.failures = {
      // Attempts since the last success ("in a row"), over a day at most.
      accountIp: limiter('login-account-ip', s.accountIpFailures, DAY),
      account: limiter('login-account', s.accountFailuresPerDay, DAY),
      apiKey: limiter('api-key-fail-ip', s.apiKeyFailuresPerMinute, MINUTE),
      // Keyed by user and by address alike (`user:<id>`, the address key).
      deviceCode: limiter('device-code-fail', s.deviceCodeFailuresPerHour, HOUR),
    };
  }

  /** The key a client address counts under in the per-address limits (IPv6 by prefix). */
  addressKey(ip: string | null): string {
    return addressKey(ip, this.settings.ipv6PrefixBits);
  }

  /** Counts one call against a request limit; throws RateLimitedError once the limit is used up. */
  async hit(limit: RequestLimit, key: string): Promise<void> {
    const res = await consume(this.requests[limit], key);
    if (res.consumedPoints > this.requests[limit].points) {
      const seconds = retryAfterSeconds(res);
      throw new RateLimitedError(`${REFUSALS[limit]}; try again ${waitPhrase(seconds)}`, seconds);
    }
  }

  /** Seconds until `key` may try again when its failures reached the limit, else null. */
  async blockedFor(limit: FailureLimit, key: string): Promise<number | null> {
    const limiter = this.failures[limit];
    const res = await limiter.get(key);
    return res && res.consumedPoints >= limiter.points ? retryAfterSeconds(res) : null;
  }

  /**
   * Counts one attempt (atomically in every store) and reports the count so far, the limit it
   * is held to, and how long until the count expires.
   */
  async count(limit: FailureLimit, key: string): Promise<{ count: number; limit: number; retryAfter: number }> {
    const limiter = this.failures[limit];
    const res = await consume(limiter, key);
    return { count: res.consumedPoints, limit: limiter.points, retryAfter: retryAfterSeconds(res) };
  }

  /** Takes back one counted attempt. */
  async refund(limit: FailureLimit, key: string): Promise<void> {
    await this.failures[limit].reward(key, 1);
  }

  /** Keeps `key` at its limit for `seconds`, however long its window had left. */
  async block(limit: FailureLimit, key: string, seconds: number): Promise<void> {
    await this.failures[limit].block(key, seconds);
  }

  async clear(limit: FailureLimit, key: string): Promise<void> {
    await this.failures[limit].delete(key);
  }

  /** Resolves once the shared store answers (immediately for memory and database). */
  ready(): Promise<void> {
    return this.factory.ready();
  }

  close(): Promise<void> {
    return this.factory.close();
  }
}
