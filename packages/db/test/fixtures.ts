import type { NewUser } from '../src/index.js';

/** The conformance suites' fixed clock: t0, and `at(s)` seconds after it. */
export const t0 = new Date('2026-01-01T00:00:00Z');
export const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

/** A new user named `name`, with the lower-cased keys the accounts service would store. */
export const user = (name: string, role: NewUser['role'] = 'user'): NewUser => ({
  username: name,
  usernameKey: name.toLowerCase(),
  email: `${name}@example.com`,
  emailKey: `${name}@example.com`.toLowerCase(),
  passwordHash: null,
  fullName: null,
  role,
});
