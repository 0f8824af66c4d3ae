import { randomInt } from 'node:crypto';
import { USERNAME_MAX, USERNAME_MIN } from '../accounts/identifiers.js';
import type { ExternalProfile } from './providers.js';

/**
 * A username for a new account from the provider's profile, within the username rules (ASCII
 * letters, digits, ".", "_", "-"; alphanumeric at both ends). Accents are folded away.
 */
export function usernameBase(profile: ExternalProfile): string {
  const candidates = [profile.preferredUsername, profile.email?.split('@')[0], profile.name];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const cleaned = candidate
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/\s+/g, '.')
      .replace(/[^A-Za-z0-9._-]/g, '')
      .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
      .slice(0, USERNAME_MAX - 5)
      .replace(/[^A-Za-z0-9]+$/, '');
    if (cleaned.length >= USERNAME_MIN) return cleaned;
  }
  return 'user';
}

/** The base first, then the base with a random numeric suffix: tried in turn until one is free. */
export function* usernameCandidates(base: string, attempts = 8): Generator<string> {
  yield base;
  for (let i = 1; i < attempts; i += 1) yield `${base}${randomInt(1000, 10000)}`;
}
