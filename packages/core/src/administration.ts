import type { Database, GuardedChange, Role, UserPage, UserRecord } from '@gatehouse/db';
import { GatehouseError } from './errors.js';
import type { SessionService } from './sessions.js';

export interface UserListOptions {
  cursor?: number | undefined;
  limit?: number | undefined;
  search?: string | undefined;
  role?: Role | undefined;
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

/** What admins do to other users. Every change that locks a user out also ends their sessions. */
export class AdministrationService {
  constructor(
    private readonly db: Database,
    private readonly sessions: SessionService,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async list(options: UserListOptions): Promise<UserPage> {
    const limit = Math.min(options.limit ?? USER_PAGE_DEFAULT, USER_PAGE_MAX);
    const search = options.search?.trim() || undefined;
    return this.db.users.list({ cursor: options.cursor, limit, search, role: options.role });
  }

  async setRole(userId: number, role: Role): Promise<UserRecord> {
    check(await this.db.users.setRole(userId, role, this.clock()), 'demote');
    return this.mustFind(userId);
  }

  async setActive(userId: number, active: boolean): Promise<UserRecord> {
    check(await this.db.users.setActive(userId, active, this.clock()), 'deactivate');
    if (!active) await this.sessions.revokeAll(userId);
    return this.mustFind(userId);
  }

  async delete(actorId: number, userId: number): Promise<void> {
    if (actorId === userId) throw new GatehouseError('FORBIDDEN', 'You cannot delete your own account', 'userId');
    check(await this.db.users.delete(userId), 'delete');
  }

  private async mustFind(userId: number): Promise<UserRecord> {
    const user = await this.db.users.findById(userId);
    if (!user) throw new GatehouseError('NOT_FOUND', 'User not found', 'userId');
    return user;
  }
}
