import { randomBytes } from 'node:crypto';
import type { Database, MfaChallengeRecord, UserRecord } from '@gatehouse/db';
import type { Actor, AuditLog } from '../audit/audit-log.js';
import type { ClientInfo } from '../client-info.js';
import type { EmailLifecycle } from '../email/email-lifecycle.js';
import { GatehouseError } from '../errors.js';
import type { RateLimits } from '../rate-limits/rate-limits.js';
import { hashSecret } from '../secret-hashing.js';
import { openSealedSecret, sealSecret } from '../signing-keys/key-encryption.js';
import { hashBackupCode, looksLikeBackupCode, newBackupCodes } from './backup-codes.js';
import { matchTotp, newTotpSecret, totpUri } from './totp.js';

/** The ways a pending sign-in can be finished. */
export type SecondFactorMethod = 'totp' | 'backup_code' | 'passkey';

/** What a first-factor sign-in answers instead of tokens when the account has a second factor. */
export interface MfaRequired {
  mfaRequired: true;
  mfaToken: string;
  methods: SecondFactorMethod[];
}

export interface MfaStatus {
  totp: boolean;
  backupCodesLeft: number;
  passkeys: number;
}

/** How the first factor was given; kept on the challenge and in the audit log. */
export type FirstFactor = 'password' | 'sign_in_link' | `oauth:${string}`;

export interface MfaSettings {
  /** 32 bytes (MFA_ENCRYPTION_KEY); TOTP secrets are stored encrypted under it. Null: TOTP set-up refused. */
  encryptionKey: Buffer | null;
  /** The issuer name an authenticator app shows. */
  issuer: string;
  /** Lifetime of an mfaToken (default 5 minutes). */
  challengeTtlSeconds: number;
  /** Wrong codes that end a pending sign-in (default 5). */
  maxChallengeAttempts: number;
}

export const DEFAULT_MFA_SETTINGS = Object.freeze({ challengeTtlSeconds: 300, maxChallengeAttempts: 5 });

const challengeRefused = () =>
  new GatehouseError('UNAUTHORIZED', 'This sign-in has expired or was already used; sign in again', 'mfaToken');
const wrongCode = () => new GatehouseError('UNAUTHORIZED', 'Invalid code', 'code');

/**
 * Second factors: TOTP set-up and use, backup codes, and sign-ins waiting for a second factor.
 * Passkeys plug in through `countPasskeys` (how many a user has) and `finishSignIn` (a verified
 * passkey ends a pending sign-in like a code does).
 */
export class MfaService {
  /** Set by the passkey module: how many passkeys a user has. */
  countPasskeys: (userId: number) => Promise<number> = async () => 0;

  constructor(
    private readonly d: {
      db: Database;
      audit: AuditLog;
      limits: RateLimits;
      email: EmailLifecycle;
      settings: MfaSettings;
      clock: () => Date;
    },
  ) {}

  async status(userId: number): Promise<MfaStatus> {
    const totp = await this.d.db.mfa.findTotp(userId);
    return {
      totp: totp?.enabledAt != null,
      backupCodesLeft: await this.d.db.mfa.backupCodesLeft(userId),
      passkeys: await this.countPasskeys(userId),
    };
  }

  /** The second factors a user can finish a sign-in with; empty when none is needed. */
  async methodsFor(user: Pick<UserRecord, 'id'>): Promise<SecondFactorMethod[]> {
    const status = await this.status(user.id);
    const methods: SecondFactorMethod[] = [];
    if (status.totp) methods.push('totp');
    if (status.totp && status.backupCodesLeft > 0) methods.push('backup_code');
    // A passkey signs in on its own (auth.passkey.verify counts as two factors); finishing a
    // password sign-in with one is not offered yet, so it is not listed as a way to.
    return methods;
  }

  /**
   * After a right first factor: null when the account has no second factor (the caller opens
   * the session), else a pending sign-in the caller answers with instead of tokens.
   */
  async beginSignIn(user: UserRecord, firstFactor: FirstFactor, client: ClientInfo): Promise<MfaRequired | null> {
    const methods = await this.methodsFor(user);
    // Backup codes alone (never the case today) would not make a second factor.
    if (!methods.includes('totp')) return null;
    const mfaToken = randomBytes(32).toString('base64url');
    const now = this.d.clock();
    const expiresAt = new Date(now.getTime() + this.d.settings.challengeTtlSeconds * 1000);
    await this.d.db.mfa.createChallenge(
      { tokenHash: hashSecret(mfaToken), userId: user.id, firstFactor, expiresAt },
      now,
    );
    await this.d.audit.record({
      type: 'mfa_challenge_started',
      actorUserId: user.id,
      targetUserId: user.id,
      client,
      detail: { firstFactor },
    });
    return { mfaRequired: true, mfaToken, methods };
  }

  /** auth.mfa.verify: a TOTP or backup code finishes the pending sign-in; returns its user. */
  async verifySignIn(mfaToken: string, code: string, client: ClientInfo): Promise<UserRecord> {
    return this.finishSignIn(mfaToken, client, async (userId) => this.verifyCode(userId, code));
  }

  /**
   * Finishes a pending sign-in with any factor: `prove` checks it for the challenge's user and
   * says which method it was, or null when it failed. A failure counts against the challenge
   * (five end it) and the account's limit; a success ends the challenge, exactly once.
   */
  async finishSignIn(
    mfaToken: string,
    client: ClientInfo,
    prove: (userId: number) => Promise<SecondFactorMethod | null>,
  ): Promise<UserRecord> {
    const challenge = await this.liveChallenge(mfaToken);
    await this.d.limits.hit('mfaAttempt', `user:${challenge.userId}`);
    const method = await prove(challenge.userId);
    if (!method) {
      const attempts = await this.d.db.mfa.countChallengeFailure(challenge.id);
      if (attempts >= this.d.settings.maxChallengeAttempts)
        await this.d.db.mfa.endChallenge(challenge.id, this.d.clock());
      await this.d.audit.record({
        type: 'mfa_failed',
        targetUserId: challenge.userId,
        client,
        detail: { attempts, firstFactor: challenge.firstFactor },
      });
      throw wrongCode();
    }
    if (!(await this.d.db.mfa.endChallenge(challenge.id, this.d.clock()))) throw challengeRefused();
    const user = await this.d.db.users.findById(challenge.userId);
    if (!user) throw challengeRefused();
    if (!user.isActive) throw new GatehouseError('FORBIDDEN', 'This account is deactivated');
    await this.d.audit.record({
      type: 'mfa_verified',
      actorUserId: user.id,
      targetUserId: user.id,
      client,
      detail: { method, firstFactor: challenge.firstFactor },
    });
    return user;
  }

  /**
   * Checks a TOTP code (each time step accepted once) or an unused backup code (then spent).
   * Returns the method, or null. Does not count the attempt: callers do.
   */
  async verifyCode(userId: number, code: string): Promise<SecondFactorMethod | null> {
    const typed = code.trim();
    if (looksLikeBackupCode(typed)) {
      const used = await this.d.db.mfa.useBackupCode(userId, hashBackupCode(typed), this.d.clock());
      return used ? 'backup_code' : null;
    }
    const totp = await this.d.db.mfa.findTotp(userId);
    if (!totp?.enabledAt) return null;
    const step = matchTotp(this.secretOf(totp.userId, totp.encryptedSecret), typed, this.d.clock());
    if (step === null) return null;
    return (await this.d.db.mfa.useTotpStep(userId, step)) ? 'totp' : null;
  }

  /** A new pending secret, replacing an unconfirmed one; enabled by enableTotp. */
  async setupTotp(user: UserRecord): Promise<{ secret: string; otpauthUri: string }> {
    const key = this.requireKey();
    const secret = newTotpSecret();
    const stored = await this.d.db.mfa.putPendingTotp(
      user.id,
      sealSecret(secret, key, context(user.id)),
      this.d.clock(),
    );
    if (!stored) throw new GatehouseError('CONFLICT', 'An authenticator app is already set up; disable it first');
    return { secret, otpauthUri: totpUri(secret, this.d.settings.issuer, user.username) };
  }

  /** Confirms the pending secret with a code from the app; answers the first backup codes. */
  async enableTotp(user: UserRecord, code: string, client: ClientInfo): Promise<{ backupCodes: string[] }> {
    await this.d.limits.hit('mfaAttempt', `user:${user.id}`);
    const pending = await this.d.db.mfa.findTotp(user.id);
    if (!pending) throw new GatehouseError('BAD_REQUEST', 'Call user.mfa.totp.setup first', 'code');
    if (pending.enabledAt) throw new GatehouseError('CONFLICT', 'An authenticator app is already enabled');
    const step = matchTotp(this.secretOf(user.id, pending.encryptedSecret), code.trim(), this.d.clock());
    if (step === null) throw new GatehouseError('BAD_REQUEST', 'Invalid code: check the time on your device', 'code');
    if (!(await this.d.db.mfa.enableTotp(user.id, step, this.d.clock()))) {
      throw new GatehouseError('CONFLICT', 'An authenticator app is already enabled');
    }
    const backupCodes = await this.replaceBackupCodes(user.id);
    await this.record('mfa_totp_enabled', user.id, client);
    return { backupCodes };
  }

  /** New backup codes; the old ones stop working. */
  async regenerateBackupCodes(user: UserRecord, client: ClientInfo): Promise<{ backupCodes: string[] }> {
    if (!(await this.status(user.id)).totp) {
      throw new GatehouseError('BAD_REQUEST', 'Backup codes need an authenticator app; set one up first');
    }
    const backupCodes = await this.replaceBackupCodes(user.id);
    await this.record('mfa_backup_codes_regenerated', user.id, client);
    return { backupCodes };
  }

  /** Removes the authenticator app and the backup codes (passkeys stay: they are managed on their own). */
  async disable(user: UserRecord, client: ClientInfo): Promise<{ ok: true }> {
    const removed = await this.d.db.mfa.removeFactors(user.id);
    await this.record('mfa_disabled', user.id, client, { totp: removed.totp });
    return { ok: true };
  }

  /** An admin removes a user's TOTP and backup codes (lost device); the user is mailed. */
  async adminReset(actor: Actor, userId: number): Promise<{ ok: true }> {
    const user = await this.d.db.users.findById(userId);
    if (!user) throw new GatehouseError('NOT_FOUND', 'User not found', 'userId');
    const removed = await this.d.db.mfa.removeFactors(userId);
    await this.d.audit.record({
      type: 'mfa_reset',
      actorUserId: actor.userId,
      targetUserId: userId,
      client: actor.client,
      detail: { totp: removed.totp, backupCodesLeft: removed.backupCodesLeft },
    });
    await this.d.email.sendNotice('mfa_reset_notice', user);
    return { ok: true };
  }

  /** Which factors each user has, for the admin list. */
  async factorsOf(userIds: number[]): Promise<Map<number, MfaStatus>> {
    const rows = await this.d.db.mfa.factorsOf(userIds);
    const result = new Map<number, MfaStatus>();
    for (const id of userIds) {
      const row = rows.get(id) ?? { totp: false, backupCodesLeft: 0 };
      result.set(id, { ...row, passkeys: await this.countPasskeys(id) });
    }
    return result;
  }

  /**
   * Whether the stored authenticator secrets can be read: 'none' when no account has an app,
   * 'missing' without a key, 'wrong' when the key does not open them (a changed or mistyped key).
   */
  async keyStatus(): Promise<'none' | 'ok' | 'missing' | 'wrong'> {
    const factor = await this.d.db.mfa.anyEnabledTotp();
    if (!factor) return 'none';
    const key = this.d.settings.encryptionKey;
    if (!key) return 'missing';
    try {
      openSealedSecret(factor.encryptedSecret, key, context(factor.userId));
      return 'ok';
    } catch {
      return 'wrong';
    }
  }

  /** Removes expired pending sign-ins (housekeeping). */
  purgeExpired(): Promise<number> {
    return this.d.db.mfa.purgeChallenges(this.d.clock());
  }

  private async liveChallenge(mfaToken: string): Promise<MfaChallengeRecord> {
    const challenge = await this.d.db.mfa.findChallenge(hashSecret(mfaToken));
    const now = this.d.clock();
    if (!challenge || challenge.usedAt || challenge.expiresAt <= now) throw challengeRefused();
    if (challenge.attempts >= this.d.settings.maxChallengeAttempts) throw challengeRefused();
    return challenge;
  }

  private async replaceBackupCodes(userId: number): Promise<string[]> {
    const codes = newBackupCodes();
    await this.d.db.mfa.replaceBackupCodes(userId, codes.map(hashBackupCode), this.d.clock());
    return codes;
  }

  private secretOf(userId: number, sealed: string): string {
    const key = this.requireKey();
    try {
      return openSealedSecret(sealed, key, context(userId));
    } catch {
      // The key changed since the secret was stored: start-up refuses that, this is the backstop.
      throw new GatehouseError('SERVICE_UNAVAILABLE', 'Authenticator codes cannot be checked on this server right now');
    }
  }

  private requireKey(): Buffer {
    const key = this.d.settings.encryptionKey;
    if (!key) throw new GatehouseError('SERVICE_UNAVAILABLE', 'Authenticator apps are not configured on this server');
    return key;
  }

  private record(
    type: 'mfa_totp_enabled' | 'mfa_disabled' | 'mfa_backup_codes_regenerated',
    userId: number,
    client: ClientInfo,
    detail?: Record<string, boolean>,
  ) {
    return this.d.audit.record({ type, actorUserId: userId, targetUserId: userId, client, detail: detail ?? null });
  }
}

const context = (userId: number) => `totp:${userId}`;
