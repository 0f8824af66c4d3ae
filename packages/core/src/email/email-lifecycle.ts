import type { Database, EmailTokenPurpose, NewMail, UserRecord } from '@gatehouse/db';
import { UniqueViolationError } from '@gatehouse/db';
import { identifierKey, normalizeEmail } from '../accounts/identifiers.js';
import type { Actor, AuditLog } from '../audit/audit-log.js';
import type { ClientInfo } from '../client-info.js';
import { GatehouseError } from '../errors.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import { passwordProblem } from '../passwords/password-policy.js';
import type { RateLimits } from '../rate-limits/rate-limits.js';
import { hashSecret } from '../secret-hashing.js';
import type { SessionService } from '../sessions/sessions.js';
import { EMAIL_LINK_PAGES, type EmailSettings } from './email-settings.js';
import { lifetimePhrase, newEmailToken } from './email-tokens.js';
import type { MailKind, MailTemplates } from './mail-templates.js';
import { OutboxSender, type OutboxSenderOptions } from './outbox-sender.js';

/** The answer of every request procedure, whoever the address belongs to. */
export interface RequestAccepted {
  ok: true;
}

const ACCEPTED: RequestAccepted = Object.freeze({ ok: true as const });

const linkRefused = () =>
  new GatehouseError(
    'BAD_REQUEST',
    'This link is invalid, was already used or has expired; ask for a new one',
    'token',
  );

const signInLinkRefused = () =>
  new GatehouseError(
    'UNAUTHORIZED',
    'This sign-in link is invalid, was already used or has expired; ask for a new one',
  );

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` and answers no sooner than `floorMs` after starting: a request for an unknown
 * address (a look-up) and one for a known address (a token, a queued mail) look alike from outside.
 */
async function withFloor<T>(floorMs: number, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const left = floorMs - (performance.now() - started);
    if (left > 0) await sleep(left);
  }
}

interface Deps {
  db: Database;
  passwords: PasswordHasher;
  sessions: SessionService;
  audit: AuditLog;
  limits: RateLimits;
  templates: MailTemplates;
  settings: EmailSettings;
  clock: () => Date;
}

/**
 * The account lifecycle by email: verifying addresses, password reset, confirmed email changes
 * and sign-in links. Tokens are single-use, hashed at rest, bound to one purpose and account, and
 * written with their mail in one transaction; the outbox sender delivers the mail later.
 */
export class EmailLifecycle {
  /** Called after mail was queued (the server wakes its outbox sender). */
  onQueued: () => void = () => {};

  constructor(private readonly d: Deps) {}

  get settings(): Readonly<EmailSettings> {
    return this.d.settings;
  }

  /** What a client may offer: the verification mode and which mail flows work on this server. */
  publicOptions(): { verification: EmailSettings['verification']; signInLinks: boolean; passwordReset: boolean } {
    const { verification, signInLinks, passwordReset, mailEnabled } = this.d.settings;
    return { verification, signInLinks: signInLinks && mailEnabled, passwordReset: passwordReset && mailEnabled };
  }

  // ---- verification ------------------------------------------------------------------------

  /** After sign-up: the first verification mail (none when EMAIL_VERIFICATION=off or no mail). */
  /** A sender for this outbox, for the process that delivers mail (see OutboxSender). */
  /** Delivers the outbox on the services' clock (mail queued "now" is due now, test clocks too). */
  outboxSender(options: Omit<OutboxSenderOptions, 'db'>): OutboxSender {
    return new OutboxSender({ clock: this.d.clock, ...options, db: this.d.db });
  }

  /** Housekeeping: mailed links a day past expiry and mail sent a month ago serve no one. */
  async purgeStale(): Promise<void> {
    const now = this.d.clock().getTime();
    await this.d.db.emailTokens.purgeExpired(new Date(now - 86400_000));
    await this.d.db.mailOutbox.purgeSent(new Date(now - 30 * 86400_000));
  }

  async afterRegistration(user: UserRecord, client: ClientInfo): Promise<void> {
    if (this.d.settings.verification === 'off' || !this.d.settings.mailEnabled) return;
    await this.sendVerification(user, client);
  }

  /** user.requestEmailVerification: a new link for the signed-in user; nothing when already verified. */
  async requestVerification(userId: number, client: ClientInfo): Promise<RequestAccepted> {
    this.requireMail();
    if (this.d.settings.verification === 'off') {
      throw new GatehouseError('BAD_REQUEST', 'Email verification is turned off on this server');
    }
    await this.limitRequest(client, `user:${userId}`);
    const user = await this.d.db.users.findById(userId);
    if (!user) throw new GatehouseError('NOT_FOUND', 'User not found');
    if (!user.emailVerified) await this.sendVerification(user, client);
    return ACCEPTED;
  }

  /**
   * auth.requestEmailVerification: a new link for whoever has this address, without a session
   * (EMAIL_VERIFICATION=required refuses their password sign-in until they verify). Same answer
   * and about the same time whether or not an unverified account has the address.
   */
  async requestVerificationByEmail(email: string, client: ClientInfo): Promise<RequestAccepted> {
    this.requireMail();
    if (this.d.settings.verification === 'off') {
      throw new GatehouseError('BAD_REQUEST', 'Email verification is turned off on this server');
    }
    const key = identifierKey(email);
    await this.limitRequest(client, `email:${key}`);
    return withFloor(this.d.settings.requestFloorMs, async () => {
      const user = await this.findByEmail(key);
      if (!user?.isActive || user.emailVerified) return this.unmatched('verify_email', client);
      await this.sendVerification(user, client);
      return ACCEPTED;
    });
  }

  async verifyEmail(token: string, client: ClientInfo): Promise<UserRecord> {
    const used = await this.consume(token, 'verify_email');
    if (!used) throw linkRefused();
    const user = await this.d.db.users.update(used.userId, { emailVerified: true }, this.d.clock());
    if (!user) throw linkRefused();
    await this.d.audit.record({ type: 'email_verified', actorUserId: user.id, targetUserId: user.id, client });
    return user;
  }

  // ---- password reset ----------------------------------------------------------------------

  /** Same answer and about the same time whether or not the address has an account. */
  async requestPasswordReset(email: string, client: ClientInfo): Promise<RequestAccepted> {
    this.requirePasswordReset();
    const key = identifierKey(email);
    await this.limitRequest(client, `email:${key}`);
    return withFloor(this.d.settings.requestFloorMs, async () => {
      const user = await this.findByEmail(key);
      if (!user?.isActive) return this.unmatched('reset_password', client);
      await this.sendPasswordReset(user, client, null);
      return ACCEPTED;
    });
  }

  /** An admin sends a user a reset link (admin.users.sendPasswordReset). */
  async sendPasswordResetAsAdmin(actor: Actor, userId: number): Promise<RequestAccepted> {
    this.requirePasswordReset();
    await this.d.limits.hit('emailTarget', `user:${userId}`);
    const user = await this.d.db.users.findById(userId);
    if (!user) throw new GatehouseError('NOT_FOUND', 'User not found', 'userId');
    await this.sendPasswordReset(user, actor.client, actor.userId);
    return ACCEPTED;
  }

  /**
   * Sets the password from a reset link: ends every session, makes access tokens fail on their
   * next call (token version), voids every other mailed link, marks the address verified (the
   * user just proved they receive mail there), audits and mails a notice.
   */
  async resetPassword(token: string, newPassword: string, client: ClientInfo): Promise<UserRecord> {
    // Checked before the token is spent: a refused password leaves the link usable.
    this.requirePasswordReset();
    const problem = passwordProblem(newPassword);
    if (problem) throw new GatehouseError('BAD_REQUEST', problem, 'newPassword');
    const used = await this.consume(token, 'reset_password');
    if (!used) throw linkRefused();
    const found = await this.d.db.users.findById(used.userId);
    if (!found) throw linkRefused();
    if (!found.isActive) throw new GatehouseError('FORBIDDEN', 'This account is deactivated');
    const now = this.d.clock();
    await this.d.db.users.setPassword(found.id, await this.d.passwords.hash(newPassword), now);
    const user = (await this.d.db.users.update(found.id, { emailVerified: true }, now)) ?? found;
    const ended = await this.d.sessions.revokeAll(user.id);
    await this.d.db.emailTokens.revokeForUser(user.id, now);
    await this.d.audit.record({
      type: 'password_reset',
      actorUserId: user.id,
      targetUserId: user.id,
      client,
      detail: { sessionsEnded: ended },
    });
    await this.queue([this.mail('password_reset_notice', user, user.email)]);
    return user;
  }

  // ---- email change ------------------------------------------------------------------------

  /**
   * Sends a confirmation link to the new address and a notice to the current one. When the new
   * address belongs to another account, that address gets a "someone tried" mail instead of a
   * link, and the caller the same answer.
   */
  async requestEmailChange(
    userId: number,
    newEmail: string,
    currentPassword: string,
    client: ClientInfo,
  ): Promise<RequestAccepted> {
    this.requireMail();
    const user = await this.d.db.users.findById(userId);
    if (!user) throw new GatehouseError('NOT_FOUND', 'User not found');
    if (!user.passwordHash) {
      throw new GatehouseError(
        'BAD_REQUEST',
        'Set a password first (user.setPassword), then change your email',
        'currentPassword',
      );
    }
    const email = normalizeEmail(newEmail);
    const key = identifierKey(email);
    if (key === identifierKey(user.email)) {
      throw new GatehouseError('BAD_REQUEST', 'newEmail: this is already your email address', 'newEmail');
    }
    await this.limitRequest(client, `user:${userId}`);
    await this.d.limits.hit('emailTarget', `email:${key}`);
    if (!(await this.d.passwords.verify(currentPassword, user.passwordHash))) {
      throw new GatehouseError('BAD_REQUEST', 'currentPassword: the current password is incorrect', 'currentPassword');
    }
    return withFloor(this.d.settings.requestFloorMs, async () => {
      const notice = this.mail('email_change_requested_notice', user, user.email, { newEmail: email });
      if (await this.findByEmail(key)) {
        await this.queue([notice, this.mail('email_change_taken', { username: email }, email, { newEmail: email })]);
      } else {
        await this.issue(user, 'change_email', email, (link, ttl) => [
          this.mail('change_email', user, email, { link, expiresIn: ttl, newEmail: email }),
          notice,
        ]);
      }
      await this.d.audit.record({ type: 'email_change_requested', actorUserId: userId, targetUserId: userId, client });
      return ACCEPTED;
    });
  }

  /** Moves the account to the confirmed address; voids its other links; tells the old address. */
  async confirmEmailChange(token: string, client: ClientInfo): Promise<UserRecord> {
    const used = await this.consume(token, 'change_email');
    if (!used?.newEmail) throw linkRefused();
    const before = await this.d.db.users.findById(used.userId);
    if (!before) throw linkRefused();
    const now = this.d.clock();
    const email = used.newEmail;
    const user = await this.d.db.users
      .update(before.id, { email, emailKey: identifierKey(email), emailVerified: true }, now)
      .catch((error: unknown) => {
        if (error instanceof UniqueViolationError) {
          throw new GatehouseError('CONFLICT', 'This address was registered by another account meanwhile', 'token');
        }
        throw error;
      });
    if (!user) throw linkRefused();
    await this.d.db.emailTokens.revokeForUser(user.id, now);
    await this.d.audit.record({ type: 'email_changed', actorUserId: user.id, targetUserId: user.id, client });
    await this.queue([this.mail('email_changed_notice', before, before.email, { newEmail: email })]);
    return user;
  }

  // ---- sign-in links -----------------------------------------------------------------------

  async requestSignInLink(email: string, client: ClientInfo): Promise<RequestAccepted> {
    this.requireSignInLinks();
    const key = identifierKey(email);
    await this.limitRequest(client, `email:${key}`);
    return withFloor(this.d.settings.requestFloorMs, async () => {
      const user = await this.findByEmail(key);
      if (!user?.isActive) return this.unmatched('sign_in', client);
      await this.issue(user, 'sign_in', null, (link, ttl) => [
        this.mail('sign_in_link', user, user.email, { link, expiresIn: ttl }),
      ]);
      await this.d.audit.record({ type: 'sign_in_link_sent', targetUserId: user.id, client });
      return ACCEPTED;
    });
  }

  /** The user behind a sign-in link (the caller opens the session); the address counts as verified. */
  async signInWithLink(token: string, client: ClientInfo): Promise<UserRecord> {
    this.requireSignInLinks();
    const used = await this.consume(token, 'sign_in');
    const found = used ? await this.d.db.users.findById(used.userId) : null;
    if (!found) {
      await this.d.audit.record({ type: 'login_failed', client, detail: { reason: 'bad_sign_in_link' } });
      throw signInLinkRefused();
    }
    if (!found.isActive) {
      await this.d.audit.record({
        type: 'login_failed',
        targetUserId: found.id,
        client,
        detail: { reason: 'inactive' },
      });
      throw new GatehouseError('FORBIDDEN', 'This account is deactivated');
    }
    const user = found.emailVerified
      ? found
      : ((await this.d.db.users.update(found.id, { emailVerified: true }, this.d.clock())) ?? found);
    await this.d.audit.record({
      type: 'login_succeeded',
      actorUserId: user.id,
      targetUserId: user.id,
      client,
      detail: { method: 'email_link' },
    });
    return user;
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private requireMail(): void {
    if (!this.d.settings.mailEnabled) {
      throw new GatehouseError('FORBIDDEN', 'This server cannot send mail (no SMTP_URL); ask an administrator');
    }
  }

  private requirePasswordReset(): void {
    if (!this.d.settings.passwordReset) {
      throw new GatehouseError('NOT_FOUND', 'Password reset by mail is turned off on this server');
    }
    this.requireMail();
  }

  private requireSignInLinks(): void {
    if (!this.d.settings.signInLinks)
      throw new GatehouseError('NOT_FOUND', 'Sign-in links are turned off on this server');
    this.requireMail();
  }

  /** Per client address, then per target (typed address or account): the 429 says nothing of the account. */
  private async limitRequest(client: ClientInfo, target: string): Promise<void> {
    await this.d.limits.hit('emailRequest', this.d.limits.addressKey(client.ip));
    await this.d.limits.hit('emailTarget', target);
  }

  private async findByEmail(key: string): Promise<UserRecord | null> {
    const user = await this.d.db.users.findByLoginKey(key);
    // findByLoginKey matches usernames too; only an email match counts.
    return user && identifierKey(user.email) === key ? user : null;
  }

  /** An unknown (or deactivated) address: recorded, nothing sent, the usual answer. */
  private async unmatched(purpose: EmailTokenPurpose, client: ClientInfo): Promise<RequestAccepted> {
    await this.d.audit.record({ type: 'mail_request_unmatched', client, detail: { purpose } });
    return ACCEPTED;
  }

  private async sendVerification(user: UserRecord, client: ClientInfo): Promise<void> {
    await this.issue(user, 'verify_email', null, (link, ttl) => [
      this.mail('verify_email', user, user.email, { link, expiresIn: ttl }),
    ]);
    await this.d.audit.record({ type: 'email_verification_sent', targetUserId: user.id, actorUserId: user.id, client });
  }

  private async sendPasswordReset(user: UserRecord, client: ClientInfo, adminId: number | null): Promise<void> {
    await this.issue(user, 'reset_password', null, (link, ttl) => [
      this.mail('reset_password', user, user.email, { link, expiresIn: ttl }),
    ]);
    await this.d.audit.record({
      type: 'password_reset_sent',
      actorUserId: adminId,
      targetUserId: user.id,
      client,
      detail: { by: adminId === null ? 'self' : 'admin' },
    });
  }

  /** A new token (superseding the user's live ones of this purpose) and its mails, in one transaction. */
  private async issue(
    user: UserRecord,
    purpose: EmailTokenPurpose,
    newEmail: string | null,
    mails: (link: string, lifetime: string) => NewMail[],
  ): Promise<void> {
    const token = newEmailToken();
    const ttl = this.d.settings.ttls[purpose];
    const now = this.d.clock();
    const expiresAt = new Date(now.getTime() + ttl * 1000);
    const link = `${this.d.settings.publicUrl()}/${EMAIL_LINK_PAGES[purpose]}?token=${token}`;
    await this.d.db.emailTokens.issue(
      { purpose, userId: user.id, tokenHash: hashSecret(token), newEmail, expiresAt },
      mails(link, lifetimePhrase(ttl)),
      now,
    );
    this.onQueued();
  }

  /** Mails the user a notice about a change an admin made (no link), when this server sends mail. */
  async sendNotice(kind: 'mfa_reset_notice', user: UserRecord): Promise<void> {
    // Production without SMTP has nowhere to send it; the audit log still records the change.
    if (!this.d.settings.mailEnabled) return;
    await this.queue([this.mail(kind, user, user.email)]);
  }

  private async queue(mails: NewMail[]): Promise<void> {
    await this.d.db.mailOutbox.enqueue(mails, this.d.clock());
    this.onQueued();
  }

  private consume(token: string, purpose: EmailTokenPurpose) {
    return this.d.db.emailTokens.consume(hashSecret(token), purpose, this.d.clock());
  }

  private mail(
    kind: MailKind,
    user: Pick<UserRecord, 'username'> & { id?: number },
    to: string,
    values: { link?: string; expiresIn?: string; newEmail?: string } = {},
  ): NewMail {
    const rendered = this.d.templates.render(kind, {
      productName: this.d.settings.productName,
      username: user.username,
      link: values.link ?? '',
      expiresIn: values.expiresIn ?? '',
      newEmail: values.newEmail ?? '',
    });
    return { kind, userId: user.id ?? null, to, ...rendered };
  }
}
