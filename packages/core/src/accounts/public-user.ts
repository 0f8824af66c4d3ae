import type { Role, UserRecord } from '@gatehouse/db';

/** A user as seen from outside: never the password hash or the token version. */
export interface PublicUser {
  id: number;
  username: string;
  email: string;
  fullName: string | null;
  role: Role;
  isActive: boolean;
  /** The user proved they receive mail at `email`. */
  emailVerified: boolean;
  hasPassword: boolean;
  createdAt: string;
}

export function toPublicUser(user: UserRecord): PublicUser {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    fullName: user.fullName,
    role: user.role,
    isActive: user.isActive,
    emailVerified: user.emailVerified,
    hasPassword: user.passwordHash !== null,
    createdAt: user.createdAt.toISOString(),
  };
}
