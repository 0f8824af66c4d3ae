import type { Database, GuardedChange, Role, UserPage, UserRecord } from '@gatehouse/db';
import type { Actor, AuditLog } from '../audit/audit-log.js';
import { GatehouseError } from '../errors.js';
import type { SessionService } from '../sessions/sessions.js';

export interface UserListOptions {
  cursor?: number | undefined;
  limit?: number | undefined;
  search?: string | undefined;
  role?: Role | undefined;
  emailVerified?: boolean | undefined;
}

export const USER_PAGE_DEFAULT = 20;
export const USER_PAGE_MAX = 100;

function check(outcome: GuardedChange, action: string): void {
  if (outcome === 'not_found') throw new GatehouseError('NOT_FOUND', 'User not found', 'userId');
  if (outcome === 'last_admin') {
    throw new GatehouseError(
      'CONFLICT',
      `Cannot ${action} the last active admin; promote another admin first`,
      'userId',
    );
  }
}

/**
 * What admins do to other users. Every change that locks a user out also ends their sessions;
 * every change is written to the audit log with the admin who made it.
 */
export class AdministrationService {
  constructor(
    private readonly db: Database,
    private readonly sessions: SessionService,
    private readonly audit: AuditLog,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async list(options: UserListOptions): Promise<UserPage> {
    const limit = Math.min(options.limit ?? USER_PAGE_DEFAULT, USER_PAGE_MAX);
    const search = options.search?.trim() || undefined;
    const { cursor, role, emailVerified } = options;
    return this.db.users.list({ cursor, limit, search, role, emailVerified });
  }

  async setRole(actor: Actor, userId: number, role: Role): Promise<UserRecord> {
    const before = await this.mustFind(userId);
    check(await this.db.users.setRole(userId, role, this.clock()), 'demote');
    await this.record(actor, 'role_changed', userId, { from: before.role, to: role });
    return this.mustFind(userId);
  }

  async setActive(actor: Actor, userId: number, active: boolean): Promise<UserRecord> {
    check(await this.db.users.setActive(userId, active, this.clock()), 'deactivate');
    const ended = active ? 0 : await this.sessions.revokeAll(userId);
    await this.record(actor, active ? 'user_activated' : 'user_deactivated', userId, { sessionsEnded: ended });
    return this.mustFind(userId);
  }

  async delete(actor: Actor, userId: number): Promise<void> {
    if (actor.userId === userId) {
      throw new GatehouseError('FORBIDDEN', 'You cannot delete your own account', 'userId');
    }
    const before = await this.mustFind(userId);
    check(await this.db.users.delete(userId), 'delete');
    // The username is kept in the event: the account it names no longer exists to look up.
    await this.record(actor, 'user_deleted', userId, { username: before.username });
  }

  private async record(
    actor: Actor,
    type: 'role_changed' | 'user_activated' | 'user_deactivated' | 'user_deleted',
    targetUserId: number,
    detail: Record<string, string | number>,
  ): Promise<void> {
    await this.audit.record({ type, actorUserId: actor.userId, targetUserId, client: actor.client, detail });
  }

  private async mustFind(userId: number): Promise<UserRecord> {
    const user = await this.db.users.findById(userId);
    if (!user) throw new GatehouseError('NOT_FOUND', 'User not found', 'userId');
    return user;
  }
}
