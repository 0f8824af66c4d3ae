import type { Database, UserRecord } from '@gatehouse/db';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientInfo } from '../client-info.js';
import { GatehouseError, reauthRequired } from '../errors.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { RateLimits } from '../rate-limits/rate-limits.js';
import type { MfaService, SecondFactorMethod } from './mfa-service.js';

/** What auth.reauthenticate accepts: the password, or a code when the account has a second factor. */
export interface ReauthProof {
  password?: string | undefined;
  code?: string | undefined;
}

/**
 * Step-up: sensitive changes need a proof of identity on this session within the window (a
 * sign-in, or reauthenticate), so a stolen access token alone cannot make changes that outlive it.
 */
export class StepUp {
  constructor(
    private readonly d: {
      db: Database;
      passwords: PasswordHasher;
      mfa: MfaService;
      audit: AuditLog;
      limits: RateLimits;
      /** REAUTH_WINDOW, in seconds. */
      windowSeconds: number;
      clock: () => Date;
    },
  ) {}

  get windowSeconds(): number {
    return this.d.windowSeconds;
  }

  /** Throws FORBIDDEN with reason REAUTH_REQUIRED unless the session proved itself recently. */
  async requireRecent(sessionId: string): Promise<void> {
    const session = await this.d.db.sessions.findById(sessionId);
    if (!session) throw reauthRequired();
    // Sessions opened before step-up existed count from their sign-in.
    const at = session.authenticatedAt ?? session.createdAt;
    if (this.d.clock().getTime() - at.getTime() > this.d.windowSeconds * 1000) throw reauthRequired();
  }

  /**
   * Renews the session's proof. An account with a second factor proves itself with a code (a
   * password alone is what step-up guards against); one without, with its password.
   */
  async reauthenticate(user: UserRecord, sessionId: string, proof: ReauthProof, client: ClientInfo) {
    await this.d.limits.hit('mfaAttempt', `user:${user.id}`);
    const methods = await this.d.mfa.methodsFor(user);
    let method: SecondFactorMethod | 'password' | null = null;
    if (methods.includes('totp')) {
      if (!proof.code)
        throw new GatehouseError('BAD_REQUEST', 'This account has an authenticator app: send code', 'code');
      method = await this.d.mfa.verifyCode(user.id, proof.code);
    } else if (proof.password !== undefined) {
      if (!user.passwordHash) throw new GatehouseError('BAD_REQUEST', 'This account has no password', 'password');
      method = (await this.d.passwords.verify(proof.password, user.passwordHash)) ? 'password' : null;
    } else {
      throw new GatehouseError('BAD_REQUEST', 'Send password (or code, for accounts with a second factor)', 'password');
    }
    if (!method) {
      await this.d.audit.record({ type: 'reauth_failed', targetUserId: user.id, client });
      throw new GatehouseError(
        'UNAUTHORIZED',
        proof.code ? 'Invalid code' : 'Invalid password',
        proof.code ? 'code' : 'password',
      );
    }
    return this.renew(user, sessionId, method, client);
  }

  /** Records a proof checked elsewhere (a passkey assertion) on this session. */
  async renew(user: UserRecord, sessionId: string, method: SecondFactorMethod | 'password', client: ClientInfo) {
    const now = this.d.clock();
    if (!(await this.d.db.sessions.markAuthenticated(sessionId, now))) {
      throw new GatehouseError('UNAUTHORIZED', 'This session has ended; sign in again');
    }
    await this.d.audit.record({
      type: 'reauthenticated',
      actorUserId: user.id,
      targetUserId: user.id,
      client,
      detail: { method },
    });
    return { ok: true as const, authenticatedAt: now.toISOString(), validForSeconds: this.d.windowSeconds };
  }
}
