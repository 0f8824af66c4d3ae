/** Storage shapes of passkeys (WebAuthn): registered credentials and ceremony challenges. */

export const WEBAUTHN_CHALLENGE_PURPOSES = ['registration', 'authentication'] as const;
export type WebAuthnChallengePurpose = (typeof WEBAUTHN_CHALLENGE_PURPOSES)[number];

/** A passkey registered to an account. */
export interface WebAuthnCredentialRecord {
  /** The credential id, base64url: chosen by the authenticator, unique across accounts. */
  id: string;
  userId: number;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The last signature counter seen (0 for authenticators that keep none). */
  counter: number;
  /** Transport hints the browser reported (usb, internal, hybrid…). */
  transports: string[] | null;
  /** A label the user chose ("Laptop", "Phone"). */
  name: string;
  /** singleDevice or multiDevice (a synced passkey). */
  deviceType: string;
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export type NewWebAuthnCredential = Omit<WebAuthnCredentialRecord, 'createdAt' | 'lastUsedAt'>;

/**
 * A challenge handed to a browser for one ceremony. Only a SHA-256 of it is kept, so a leaked
 * row cannot be answered; `usedAt` makes it single use.
 */
export interface WebAuthnChallengeRecord {
  /** A random public id the client may send back with the response. */
  id: string;
  /** SHA-256 (hex) of the challenge (its base64url text). */
  challengeHash: string;
  purpose: WebAuthnChallengePurpose;
  /** The account a registration is for, or the named account of a sign-in; null for usernameless sign-in. */
  userId: number | null;
  expiresAt: Date;
  createdAt: Date;
  usedAt: Date | null;
}

export type NewWebAuthnChallenge = Omit<WebAuthnChallengeRecord, 'createdAt' | 'usedAt'>;

export interface WebAuthnCredentialsRepository {
  /** Stores a credential; null when that credential id is already registered (to anyone). */
  create(credential: NewWebAuthnCredential, now: Date): Promise<WebAuthnCredentialRecord | null>;
  findById(id: string): Promise<WebAuthnCredentialRecord | null>;
  /** The user's passkeys, oldest first. */
  listForUser(userId: number): Promise<WebAuthnCredentialRecord[]>;
  countForUser(userId: number): Promise<number>;
  /** False when the user has no passkey with that id. */
  rename(userId: number, id: string, name: string): Promise<boolean>;
  /** False when the user has no passkey with that id. */
  delete(userId: number, id: string): Promise<boolean>;
  /**
   * Records a sign-in: the new counter and the time, only while the stored counter is still
   * `previousCounter`, so of two racing uses of one assertion at most one passes.
   */
  recordUse(id: string, previousCounter: number, counter: number, now: Date): Promise<boolean>;
}

export interface WebAuthnChallengesRepository {
  create(challenge: NewWebAuthnChallenge, now: Date): Promise<void>;
  /**
   * Marks a live challenge of that hash and purpose used and returns it, in one conditional
   * update: of many racing uses exactly one gets it. Null when unknown, used, expired or of
   * another purpose.
   */
  consume(challengeHash: string, purpose: WebAuthnChallengePurpose, now: Date): Promise<WebAuthnChallengeRecord | null>;
  /** Deletes challenges that expired before `before`. */
  purgeExpired(before: Date): Promise<number>;
}
