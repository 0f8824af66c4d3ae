import type { Database, SessionsRepository, UsersRepository } from '@gatehouse/db';
import type { ViewChange } from './view-sync.js';

/** Drops the entries of a change here and, where instances share the database, everywhere. */
export type AnnounceChange = (change: ViewChange) => Promise<void>;

/**
 * Runs a write, then announces what it changed, even when the write failed: a failure after the
 * commit (a dropped connection) must not leave entries the database no longer agrees with.
 */
async function thenAnnounce<T>(write: Promise<T>, announce: AnnounceChange, change: ViewChange): Promise<T> {
  try {
    return await write;
  } finally {
    await announce(change);
  }
}

const user = (id: number): ViewChange => ({ users: [id], sessions: [] });
const session = (id: string): ViewChange => ({ users: [], sessions: [id] });

function usersAnnouncing(users: UsersRepository, announce: AnnounceChange): UsersRepository {
  return {
    create: (record, now) => users.create(record, now),
    findById: (id) => users.findById(id),
    findWithSession: (userId, sessionId) => users.findWithSession(userId, sessionId),
    findByLoginKey: (key) => users.findByLoginKey(key),
    usernames: (ids) => users.usernames(ids),
    list: (query) => users.list(query),
    countAdmins: () => users.countAdmins(),
    update: (id, patch, now) => thenAnnounce(users.update(id, patch, now), announce, user(id)),
    setPassword: (id, hash, now) => thenAnnounce(users.setPassword(id, hash, now), announce, user(id)),
    replaceHash: (id, oldHash, newHash) => thenAnnounce(users.replaceHash(id, oldHash, newHash), announce, user(id)),
    setRole: (id, role, now) => thenAnnounce(users.setRole(id, role, now), announce, user(id)),
    setActive: (id, active, now) => thenAnnounce(users.setActive(id, active, now), announce, user(id)),
    delete: (id) => thenAnnounce(users.delete(id), announce, user(id)),
  };
}

function sessionsAnnouncing(sessions: SessionsRepository, announce: AnnounceChange): SessionsRepository {
  return {
    create: (record, now) => sessions.create(record, now),
    findById: (id) => sessions.findById(id),
    // Rotation and step-up change nothing an authenticated call checks (secret hash, auth time).
    rotate: (id, currentHash, nextHash, now) => sessions.rotate(id, currentHash, nextHash, now),
    markAuthenticated: (id, now) => sessions.markAuthenticated(id, now),
    listLive: (userId, now) => sessions.listLive(userId, now),
    hasSessionFrom: (userId, ip, since) => sessions.hasSessionFrom(userId, ip, since),
    // Only sessions that had already ended go; the view already refuses them.
    purgeEnded: (before) => sessions.purgeEnded(before),
    revoke: (id, now) => thenAnnounce(sessions.revoke(id, now), announce, session(id)),
    revokeForUser: (userId, now, except) =>
      thenAnnounce(sessions.revokeForUser(userId, now, except), announce, user(userId)),
  };
}

/**
 * The same database, with every write that an authenticated call would notice (user changes,
 * session revocations) announced once it has been made.
 */
export function announcingChanges(db: Database, announce: AnnounceChange): Database {
  // Both engines hand out a plain object of repositories and closures: a copy with two of them
  // replaced serves every other property as before.
  return { ...db, users: usersAnnouncing(db.users, announce), sessions: sessionsAnnouncing(db.sessions, announce) };
}
