import { type Database, UniqueViolationError, type UserRecord } from '@gatehouse/db';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientInfo } from '../client-info.js';
import { GatehouseError, invalidCredentials } from '../errors.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import { newPasswordSchema, passwordProblem } from '../passwords/password-policy.js';
import type { SessionService } from '../sessions/sessions.js';
import { validated } from '../validation.js';
import { emailSchema, fullNameSchema, identifierKey, usernameSchema } from './identifiers.js';

/** A sign-up, by any way in: the API, the CLI's create-admin, the GATEHOUSE_ADMIN_* bootstrap. */
export const registrationSchema = z.object({
  username: usernameSchema,
  email: emailSchema,
  password: newPasswordSchema,
  fullName: fullNameSchema,
});

export type Registration = z.input<typeof registrationSchema>;

export type AdminCredentials = Pick<Registration, 'username' | 'email' | 'password'>;

/** created; admin_exists (nothing done); created_elsewhere (another instance won the race). */
export type BootstrapOutcome = 'created' | 'admin_exists' | 'created_elsewhere';

export interface ProfileChange {
  fullName?: string | null | undefined;
  email?: string | undefined;
}

/** Explains a unique-constraint clash without saying more than the caller typed. */
export function conflictFor(error: unknown): never {
  if (error instanceof UniqueViolationError) {
    const what = error.field === 'username' ? 'This username' : 'This email';
    throw new GatehouseError('CONFLICT', `${what} is already registered`, error.field);
  }
  throw error;
}

function assertAcceptablePassword(password: string, field: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new GatehouseError('BAD_REQUEST', problem, field);
}

/** Self-service account operations: sign-up, password sign-in, profile, password change. */
export class AccountService {
  constructor(
    private readonly db: Database,
    private readonly passwords: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly audit: AuditLog,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Creates a plain user; the role is never taken from the caller. `emailVerified` only for
   * addresses an operator typed (the bootstrap admin), never for sign-ups.
   */
  async register(input: Registration, role: UserRecord['role'] = 'user', emailVerified = false): Promise<UserRecord> {
    const { username, email, password, fullName = null } = validated(registrationSchema, input);
    const passwordHash = await this.passwords.hash(password);
    const record = { username, usernameKey: identifierKey(username), email, emailKey: identifierKey(email) };
    return this.db.users
      .create({ ...record, passwordHash, fullName, role, emailVerified }, this.clock())
      .catch(conflictFor);
  }

  /**
   * Creates the first admin unless an active admin exists, under the same rules as a sign-up.
   * Instances starting together on one database race to create it; the loser carries on.
   */
  async ensureAdmin(admin: AdminCredentials): Promise<BootstrapOutcome> {
    if ((await this.db.users.countAdmins()) > 0) return 'admin_exists';
    try {
      // The operator typed the address: it counts as verified (EMAIL_VERIFICATION=required must not lock the admin out).
      await this.register(admin, 'admin', true);
      return 'created';
    } catch (error) {
      const lostRace = error instanceof GatehouseError && error.kind === 'CONFLICT';
      if (lostRace && (await this.db.users.countAdmins()) > 0) return 'created_elsewhere';
      throw error;
    }
  }

  /** One account by id, or null. */
  async findById(userId: number): Promise<UserRecord | null> {
    return this.db.users.findById(userId);
  }

  /**
   * Checks a username-or-email and password. Unknown users and wrong passwords cost the same
   * bcrypt work and get the same error.
   */
  async authenticate(login: string, password: string): Promise<UserRecord> {
    return this.verifyLogin(await this.findForLogin(login), password);
  }

  /** The account a username-or-email names, if any. */
  async findForLogin(login: string): Promise<UserRecord | null> {
    return this.db.users.findByLoginKey(identifierKey(login));
  }

  /** The second half of authenticate(), for callers that looked the account up first. */
  async verifyLogin(user: UserRecord | null, password: string): Promise<UserRecord> {
    const valid = await this.passwords.verifyOrBurn(password, user?.passwordHash ?? null);
    if (!user || !valid || !user.passwordHash) throw invalidCredentials();
    if (!user.isActive) throw new GatehouseError('FORBIDDEN', 'This account is deactivated');
    if (this.passwords.needsRehash(user.passwordHash)) await this.rehash(user.id, user.passwordHash, password);
    return user;
  }

  /**
   * Changes the profile. The email is not changed here: an address moves only through a
   * confirmed link (EmailLifecycle.requestEmailChange). The current address is accepted and
   * ignored, so forms that send the whole profile keep working.
   */
  async updateProfile(userId: number, change: ProfileChange): Promise<UserRecord> {
    const current = await this.db.users.findById(userId);
    if (!current) throw new GatehouseError('NOT_FOUND', 'User not found');
    if (change.email !== undefined && identifierKey(change.email) !== identifierKey(current.email)) {
      throw new GatehouseError(
        'BAD_REQUEST',
        'email: the address cannot be changed here; use user.requestEmailChange (a confirmation link goes to the new address)',
        'email',
      );
    }
    if (change.fullName === undefined) return current;
    const fullName = validated(fullNameSchema, change.fullName, 'fullName') ?? null;
    const user = await this.db.users.update(userId, { fullName }, this.clock());
    if (!user) throw new GatehouseError('NOT_FOUND', 'User not found');
    return user;
  }

  /**
   * Replaces the password after checking the current one, then ends every other session and
   * invalidates every access token issued before (the caller refreshes on its own session).
   */
  async changePassword(
    userId: number,
    sessionId: string,
    current: string,
    next: string,
    client: ClientInfo | null = null,
  ): Promise<number> {
    const user = await this.db.users.findById(userId);
    if (!user) throw new GatehouseError('NOT_FOUND', 'User not found');
    if (!user.passwordHash || !(await this.passwords.verify(current, user.passwordHash))) {
      throw new GatehouseError('BAD_REQUEST', 'currentPassword: the current password is incorrect', 'currentPassword');
    }
    assertAcceptablePassword(next, 'newPassword');
    await this.db.users.setPassword(userId, await this.passwords.hash(next), this.clock());
    // A new password voids every mailed link (a reset link in an old mail must not undo it).
    await this.db.emailTokens.revokeForUser(userId, this.clock());
    const ended = await this.sessions.revokeAll(userId, sessionId);
    await this.audit.record({
      type: 'password_changed',
      actorUserId: userId,
      targetUserId: userId,
      client,
      detail: { sessionsEnded: ended },
    });
    return ended;
  }

  /**
   * Gives an account that signs in only through a provider a password. Accounts that already
   * have one change it with changePassword (which asks for the current one).
   */
  async setPassword(userId: number, password: string, client: ClientInfo | null = null): Promise<void> {
    const user = await this.db.users.findById(userId);
    if (!user) throw new GatehouseError('NOT_FOUND', 'User not found');
    if (user.passwordHash) {
      throw new GatehouseError('BAD_REQUEST', 'This account already has a password; use changePassword', 'password');
    }
    assertAcceptablePassword(password, 'password');
    // setPassword bumps the token version; the caller refreshes on its own session.
    await this.db.users.setPassword(userId, await this.passwords.hash(password), this.clock());
    await this.db.emailTokens.revokeForUser(userId, this.clock());
    await this.audit.record({ type: 'password_set', actorUserId: userId, targetUserId: userId, client });
  }

  private async rehash(userId: number, oldHash: string, password: string): Promise<void> {
    await this.db.users.replaceHash(userId, oldHash, await this.passwords.hash(password));
  }
}
