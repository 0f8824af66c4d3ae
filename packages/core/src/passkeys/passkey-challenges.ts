import { randomBytes } from 'node:crypto';
import type { Database, WebAuthnChallengePurpose, WebAuthnChallengeRecord } from '@gatehouse/db';
import { hashSecret } from '../secret-hashing.js';

/** A fresh challenge: the value for the browser and the public id the client may echo back. */
export interface IssuedChallenge {
  challenge: string;
  challengeId: string;
}

/** The challenge store: random 32-byte challenges, kept hashed, single use, short-lived. */
export class PasskeyChallenges {
  constructor(
    private readonly db: Database,
    private readonly clock: () => Date,
    private readonly ttlSeconds: number,
  ) {}

  async issue(purpose: WebAuthnChallengePurpose, userId: number | null): Promise<IssuedChallenge> {
    const challenge = randomBytes(32).toString('base64url');
    const challengeId = randomBytes(24).toString('base64url');
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + this.ttlSeconds * 1000);
    await this.db.webauthnChallenges.create(
      { id: challengeId, challengeHash: hashSecret(challenge), purpose, userId, expiresAt },
      now,
    );
    return { challenge, challengeId };
  }

  /** Uses up the challenge the browser signed; null when unknown, used, expired or of another purpose. */
  consume(challenge: string, purpose: WebAuthnChallengePurpose): Promise<WebAuthnChallengeRecord | null> {
    return this.db.webauthnChallenges.consume(hashSecret(challenge), purpose, this.clock());
  }

  purgeExpired(): Promise<number> {
    return this.db.webauthnChallenges.purgeExpired(this.clock());
  }
}

/** The challenge inside a response's clientDataJSON, or null when it is not readable JSON. */
export function signedChallenge(clientDataJSON: string): string | null {
  try {
    const data: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    if (typeof data !== 'object' || data === null) return null;
    const challenge = (data as { challenge?: unknown }).challenge;
    return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 512 ? challenge : null;
  } catch {
    return null;
  }
}
