import type { Database, UserRecord } from '@gatehouse/db';
import type { AccountService } from '../accounts/accounts.js';
import { identifierKey } from '../accounts/identifiers.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientInfo } from '../client-info.js';
import { emailNotVerified, GatehouseError } from '../errors.js';
import type { RateLimits } from '../rate-limits/rate-limits.js';
import type { AdmittedAttempt, LoginAttempt, LoginThrottle } from './login-throttle.js';

/** How far back a session from the same address makes it a "known" one for the account. */
const KNOWN_ADDRESS_DAYS = 30;

/**
 * Sign-in with a password, behind every defence: the per-address limit, the per-account lock,
 * and the audit log. Returns the user; the caller opens the session.
 */
export class PasswordSignIn {
  constructor(
    private readonly db: Database,
    private readonly accounts: AccountService,
    private readonly limits: RateLimits,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditLog,
    private readonly clock: () => Date = () => new Date(),
    /** EMAIL_VERIFICATION=required: a right password of an unverified address is refused with a reason. */
    private readonly requireVerifiedEmail = false,
  ) {}

  async signIn(login: string, password: string, client: ClientInfo): Promise<UserRecord> {
    const address = this.limits.addressKey(client.ip);
    await this.limits.hit('login', address);
    const user = await this.accounts.findForLogin(login);
    const attempt: LoginAttempt = {
      account: user ? `user:${user.id}` : `name:${identifierKey(login)}`,
      ip: address,
      // Known addresses are the exact ones past sessions came from.
      knownAddress: user ? await this.isKnownAddress(user.id, client.ip ?? 'unknown') : false,
    };
    const admitted = await this.throttle.admit(attempt);
    let signedIn: UserRecord;
    try {
      signedIn = await this.accounts.verifyLogin(user, password);
    } catch (error) {
      await this.recordRefusal(error, user, attempt, admitted, client);
      throw error;
    }
    await this.throttle.recordSuccess(attempt);
    if (this.requireVerifiedEmail && !signedIn.emailVerified) {
      // Said only after the right password, so it tells a stranger nothing about the account.
      const detail = { reason: 'email_not_verified' };
      await this.audit.record({ type: 'login_failed', targetUserId: signedIn.id, client, detail });
      throw emailNotVerified();
    }
    await this.audit.record({ type: 'login_succeeded', actorUserId: signedIn.id, targetUserId: signedIn.id, client });
    return signedIn;
  }

  private async recordRefusal(
    error: unknown,
    user: UserRecord | null,
    attempt: LoginAttempt,
    admitted: AdmittedAttempt,
    client: ClientInfo,
  ) {
    if (!(error instanceof GatehouseError)) return;
    const targetUserId = user?.id ?? null;
    // verifyLogin refuses a wrong password or unknown account with UNAUTHORIZED, and a right
    // password of a deactivated account with FORBIDDEN.
    if (error.kind === 'UNAUTHORIZED') {
      const locks = await this.throttle.recordFailure(attempt, admitted);
      const reason = user ? 'wrong_password' : 'unknown_account';
      await this.audit.record({ type: 'login_failed', targetUserId, client, detail: { reason } });
      for (const lock of locks) {
        await this.audit.record({ type: 'account_locked', targetUserId, client, detail: { ...lock } });
      }
    } else if (error.kind === 'FORBIDDEN') {
      // The password was right but the account is deactivated: a correct password, so the
      // counts start again as after any success.
      await this.throttle.recordSuccess(attempt);
      await this.audit.record({ type: 'login_failed', targetUserId, client, detail: { reason: 'inactive' } });
    }
  }

  private async isKnownAddress(userId: number, ip: string): Promise<boolean> {
    const since = new Date(this.clock().getTime() - KNOWN_ADDRESS_DAYS * 86400_000);
    return this.db.sessions.hasSessionFrom(userId, ip, since);
  }
}
