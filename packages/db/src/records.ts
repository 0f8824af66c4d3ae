/** Storage-level shapes shared by every engine. Domain rules live in @gatehouse/core. */

export const ROLES = ['admin', 'user', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface UserRecord {
  id: number;
  username: string;
  email: string;
  passwordHash: string | null;
  fullName: string | null;
  role: Role;
  isActive: boolean;
  tokenVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  username: string;
  usernameKey: string;
  email: string;
  emailKey: string;
  passwordHash: string | null;
  fullName: string | null;
  role: Role;
}

export interface UserPatch {
  email?: string;
  emailKey?: string;
  fullName?: string | null;
  passwordHash?: string | null;
  role?: Role;
  isActive?: boolean;
}

export interface UserListQuery {
  /** Id of the last user of the previous page. */
  cursor?: number | undefined;
  limit: number;
  search?: string | undefined;
  role?: Role | undefined;
}

export interface UserPage {
  items: UserRecord[];
  nextCursor: number | null;
}

export interface SessionRecord {
  id: string;
  userId: number;
  tokenHash: string;
  previousTokenHash: string | null;
  rotatedAt: Date | null;
  expiresAt: Date;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string | null;
  ip: string | null;
  revokedAt: Date | null;
}

export interface NewSession {
  id: string;
  userId: number;
  tokenHash: string;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

/** Outcome of a change that must leave at least one active admin behind. */
export type GuardedChange = 'ok' | 'not_found' | 'last_admin';

export interface UsersRepository {
  /** Throws UniqueViolationError when the username or email is taken. */
  create(user: NewUser, now: Date): Promise<UserRecord>;
  findById(id: number): Promise<UserRecord | null>;
  /** Looks a user up by lower-cased username or email. */
  findByLoginKey(key: string): Promise<UserRecord | null>;
  /** Throws UniqueViolationError when a new email is taken. */
  update(id: number, patch: UserPatch, now: Date): Promise<UserRecord | null>;
  /** Changes the password hash and invalidates every access token issued before. */
  setPassword(id: number, passwordHash: string, now: Date): Promise<UserRecord | null>;
  /** Stores a re-made hash only if the old one is still current. */
  replaceHash(id: number, oldHash: string, newHash: string): Promise<void>;
  setRole(id: number, role: UserRecord['role'], now: Date): Promise<GuardedChange>;
  setActive(id: number, active: boolean, now: Date): Promise<GuardedChange>;
  delete(id: number): Promise<GuardedChange>;
  list(query: UserListQuery): Promise<UserPage>;
  countAdmins(): Promise<number>;
}

export interface SessionsRepository {
  create(session: NewSession, now: Date): Promise<SessionRecord>;
  findById(id: string): Promise<SessionRecord | null>;
  /**
   * Swaps the current secret hash for a new one, only if `currentHash` is still current and the
   * session is live. Returns false when another call got there first.
   */
  rotate(id: string, currentHash: string, nextHash: string, now: Date): Promise<boolean>;
  revoke(id: string, now: Date): Promise<boolean>;
  revokeForUser(userId: number, now: Date, exceptSessionId?: string): Promise<number>;
  listLive(userId: number, now: Date): Promise<SessionRecord[]>;
  /** Removes sessions that ended before `before`. */
  purgeEnded(before: Date): Promise<number>;
}

export interface Database {
  readonly engine: 'sqlite' | 'postgres';
  readonly users: UsersRepository;
  readonly sessions: SessionsRepository;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
