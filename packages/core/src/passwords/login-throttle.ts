import { RateLimitedError, waitPhrase } from '../errors.js';
import type { RateLimits } from '../rate-limits/rate-limits.js';

/** One sign-in attempt as the brute-force defence sees it. */
export interface LoginAttempt {
  /** The account tried: its user id, or the typed name when no such account exists. */
  account: string;
  ip: string;
  /** The account has signed in from this address before: the account-wide ceiling spares it. */
  knownAddress: boolean;
}

/** Where an admitted attempt stands in the counts (it is the n-th since the last success). */
export interface AdmittedAttempt {
  pairCount: number;
  accountCount: number;
}

export type LockScope = 'account_ip' | 'account';

export interface EngagedLock {
  scope: LockScope;
  seconds: number;
}

/**
 * Per-account brute-force defence. Attempts are counted per account+address (a short lock after
 * a few failures in a row) and per account across all addresses (a higher daily ceiling, for
 * attackers rotating addresses). An attacker elsewhere only locks their own address out; past
 * the ceiling the account still admits addresses it has signed in from before, so the real user
 * gets in. A success clears both counts.
 */
export class LoginThrottle {
  constructor(private readonly limits: RateLimits) {}

  /**
   * Counts the attempt before the password is looked at, and refuses it when locked. Counting
   * first (an atomic increment in every store) means a burst of parallel guesses cannot all slip
   * past a check made before any of them failed; refusing before the password check gives the
   * same answer whether it was right or wrong.
   */
  async admit(attempt: LoginAttempt): Promise<AdmittedAttempt> {
    const pair = await this.limits.count('accountIp', pairKey(attempt));
    if (pair.count > pair.limit) throw locked(pair.retryAfter);
    const account = await this.limits.count('account', attempt.account);
    if (account.count > account.limit && !attempt.knownAddress) {
      // Refused by the ceiling, not tried: it must not push this address towards its own lock.
      await this.limits.refund('accountIp', pairKey(attempt));
      throw locked(account.retryAfter);
    }
    return { pairCount: pair.count, accountCount: account.count };
  }

  /** An admitted attempt failed: returns the locks it engaged. */
  async recordFailure(attempt: LoginAttempt, admitted: AdmittedAttempt): Promise<EngagedLock[]> {
    const { accountIpFailures, accountFailuresPerDay, accountLockSeconds } = this.limits.settings;
    const engaged: EngagedLock[] = [];
    if (admitted.pairCount === accountIpFailures) {
      // Locks for a fixed time from the last failure, whatever the counting window had left.
      await this.limits.block('accountIp', pairKey(attempt), accountLockSeconds);
      engaged.push({ scope: 'account_ip', seconds: accountLockSeconds });
    }
    if (admitted.accountCount === accountFailuresPerDay) {
      const seconds = (await this.limits.blockedFor('account', attempt.account)) ?? 0;
      engaged.push({ scope: 'account', seconds });
    }
    return engaged;
  }

  /** A correct password proves the real user: both counts start again. */
  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    await this.limits.clear('accountIp', pairKey(attempt));
    await this.limits.clear('account', attempt.account);
  }
}

function locked(seconds: number): RateLimitedError {
  return new RateLimitedError(`Too many failed sign-ins for this account; try again ${waitPhrase(seconds)}`, seconds);
}

function pairKey(attempt: LoginAttempt): string {
  return `${attempt.account}|${attempt.ip}`;
}
