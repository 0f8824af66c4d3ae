import type { AuditDetail, AuditEventRecord, AuditPage, Database } from '@gatehouse/db';
import type { ClientInfo } from '../client-info.js';

/** The security events Gatehouse records. */
/** How long events that name no user are kept (the known-address window of the lock-out). */
export const UNATTRIBUTED_EVENTS_KEPT_DAYS = 30;

export const AUDIT_EVENT_TYPES = [
  'login_succeeded',
  'login_failed',
  'account_locked',
  'refresh_reuse_detected',
  'logout',
  'password_changed',
  'password_set',
  'oauth_account_linked',
  'oauth_account_unlinked',
  'role_changed',
  'user_activated',
  'user_deactivated',
  'user_deleted',
  'api_key_created',
  'api_key_revoked',
  'api_key_denied',
  'email_verification_sent',
  'email_verified',
  'password_reset_sent',
  'password_reset',
  'email_change_requested',
  'email_changed',
  'sign_in_link_sent',
  'mail_request_unmatched',
  'device_approved',
  'device_denied',
  'device_tokens_issued',
  'passkey_registered',
  'passkey_renamed',
  'passkey_deleted',
  'passkey_refused',
  'passkey_counter_regression',
  'mfa_totp_enabled',
  'mfa_disabled',
  'mfa_backup_codes_regenerated',
  'mfa_challenge_started',
  'mfa_verified',
  'mfa_failed',
  'mfa_reset',
  'reauthenticated',
  'reauth_failed',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Who did something and from where: an admin acting on another user, or a user on themselves. */
export interface Actor {
  userId: number;
  client: ClientInfo;
}

export interface AuditEntry {
  type: AuditEventType;
  actorUserId?: number | null | undefined;
  apiKeyId?: string | null | undefined;
  targetUserId?: number | null | undefined;
  client?: ClientInfo | null | undefined;
  /** Short facts (a role, a reason, a count). Callers never put a secret here. */
  detail?: AuditDetail | null | undefined;
}

export interface AuditListOptions {
  userId?: number | undefined;
  type?: AuditEventType | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  cursor?: number | undefined;
  limit?: number | undefined;
}

export interface NamedAuditPage extends AuditPage {
  /** Usernames by user id, for every user an event of the page names (deleted users are absent). */
  usernames: Map<number, string>;
}

export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 200;
const USER_AGENT_MAX = 256;

/** An event as seen from outside: the stored one with its time as ISO 8601 text. */
export interface PublicAuditEvent extends Omit<AuditEventRecord, 'at'> {
  at: string;
}

export function toPublicAuditEvent(event: AuditEventRecord): PublicAuditEvent {
  return { ...event, at: event.at.toISOString() };
}

/** The append-only security log. */
export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.audit.append({
      type: entry.type,
      at: this.clock(),
      actorUserId: entry.actorUserId ?? null,
      apiKeyId: entry.apiKeyId ?? null,
      targetUserId: entry.targetUserId ?? null,
      ip: entry.client?.ip ?? null,
      userAgent: entry.client?.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
      detail: entry.detail ?? null,
    });
  }

  /** Newest first; `cursor` is the id of the last event of the previous page. */
  /** Deletes events older than `retentionSeconds`; returns how many. */
  /**
   * Deletes events naming no user (failed sign-ins to names that are no account, their locks)
   * after UNATTRIBUTED_EVENTS_KEPT_DAYS, whatever AUDIT_RETENTION says: a spray of made-up
   * usernames must not grow the log for ever.
   */
  async purgeUnattributed(): Promise<number> {
    return this.db.audit.purgeUnattributedBefore(
      new Date(this.clock().getTime() - UNATTRIBUTED_EVENTS_KEPT_DAYS * 86400_000),
    );
  }

  async purgeOlderThan(retentionSeconds: number): Promise<number> {
    return this.db.audit.purgeBefore(new Date(this.clock().getTime() - retentionSeconds * 1000));
  }

  /** A page of events, newest first, with the usernames of the users they name. */
  async list(options: AuditListOptions = {}): Promise<NamedAuditPage> {
    const limit = Math.min(options.limit ?? AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX);
    const page = await this.db.audit.list({ ...options, limit });
    const ids = new Set<number>();
    for (const event of page.items) {
      if (event.actorUserId !== null) ids.add(event.actorUserId);
      if (event.targetUserId !== null) ids.add(event.targetUserId);
    }
    return { ...page, usernames: await this.db.users.usernames([...ids]) };
  }
}
