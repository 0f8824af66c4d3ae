/** Storage shapes of the email lifecycle: one-time mailed tokens and the mail outbox. */

export const EMAIL_TOKEN_PURPOSES = ['verify_email', 'reset_password', 'change_email', 'sign_in'] as const;
export type EmailTokenPurpose = (typeof EMAIL_TOKEN_PURPOSES)[number];

export interface EmailTokenRecord {
  id: number;
  purpose: EmailTokenPurpose;
  userId: number;
  /** SHA-256 (hex) of the token; the token itself is only ever in the mail. */
  tokenHash: string;
  /** For change_email: the address the account moves to. */
  newEmail: string | null;
  expiresAt: Date;
  createdAt: Date;
  usedAt: Date | null;
  /** Set when a newer token of the same purpose superseded it, or a password/email change voided it. */
  revokedAt: Date | null;
}

export type NewEmailToken = Pick<EmailTokenRecord, 'purpose' | 'userId' | 'tokenHash' | 'newEmail' | 'expiresAt'>;

export const MAIL_STATUSES = ['pending', 'sent', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

/** A mail to send: rendered in full when queued, so sending needs nothing but the row. */
export interface NewMail {
  /** What the mail is for (verify_email, password_reset_notice…): for logs, audit and tests. */
  kind: string;
  /** The account it concerns, if any (no foreign key: a notice outlives a deleted account). */
  userId: number | null;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailRecord extends NewMail {
  id: number;
  status: MailStatus;
  /** Delivery attempts started (a claim counts as one). */
  attempts: number;
  nextAttemptAt: Date;
  /** While in the future, the sender named in `claimedBy` owns the row. */
  lockedUntil: Date | null;
  claimedBy: string | null;
  createdAt: Date;
  sentAt: Date | null;
  lastError: string | null;
}

export interface EmailTokensRepository {
  /**
   * In one transaction: ends the user's live tokens of the same purpose (a newer link supersedes
   * older ones), stores the new token and queues `mails`, so a token never exists without its
   * mail nor a mail without its token.
   */
  issue(token: NewEmailToken, mails: readonly NewMail[], now: Date): Promise<EmailTokenRecord>;
  /**
   * Marks the token used, only if it has this purpose, is unused, not revoked and not expired at
   * `now`, in one conditional update: of two racing uses exactly one gets the record, the other null.
   */
  consume(tokenHash: string, purpose: EmailTokenPurpose, now: Date): Promise<EmailTokenRecord | null>;
  /** Voids the user's live tokens (of `purposes`, or all); returns how many. */
  revokeForUser(userId: number, now: Date, purposes?: readonly EmailTokenPurpose[]): Promise<number>;
  /** Removes tokens that expired before `before`. */
  purgeExpired(before: Date): Promise<number>;
}

export interface MailQuery {
  status?: MailStatus | undefined;
  to?: string | undefined;
  limit: number;
}

export interface MailOutboxRepository {
  enqueue(mails: readonly NewMail[], now: Date): Promise<void>;
  /**
   * Takes up to `limit` due mails (pending, next attempt reached, no live lease) for `workerId`
   * until `leaseUntil` and counts an attempt. Concurrent claims never take the same row.
   */
  claim(workerId: string, now: Date, leaseUntil: Date, limit: number): Promise<MailRecord[]>;
  /** Marks a claimed mail sent; false when the claim was lost (lease expired and re-claimed). */
  markSent(id: number, workerId: string, now: Date): Promise<boolean>;
  /** Releases a claimed mail after a failed attempt: retried at `retryAt`, or given up (failed) when null. */
  markFailed(id: number, workerId: string, error: string, retryAt: Date | null): Promise<boolean>;
  /** Oldest first. */
  list(query: MailQuery): Promise<MailRecord[]>;
  /** Removes mails sent before `before`. */
  purgeSent(before: Date): Promise<number>;
}
