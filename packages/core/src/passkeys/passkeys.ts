import type { Database, UserRecord, WebAuthnCredentialRecord } from '@gatehouse/db';
import {
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { identifierKey } from '../accounts/identifiers.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientInfo } from '../client-info.js';
import { GatehouseError } from '../errors.js';
import { PasskeyChallenges, signedChallenge } from './passkey-challenges.js';
import type { PasskeyAuthenticationResponse, PasskeyRegistrationResponse } from './passkey-responses.js';
import { type RelyingParty, relyingPartyFor } from './relying-party.js';

/** How long a ceremony may take (the challenge lives as long). */
export const PASSKEY_CHALLENGE_TTL_SECONDS = 5 * 60;

export interface PasskeySettings {
  /** The name authenticators show for this site. */
  rpName: string;
  /** Where the web app is (PUBLIC_URL, else the server's own URL); RP ID and origin come from it. */
  publicUrl: () => string;
  challengeTtlSeconds?: number;
}

/** A passkey as its owner sees it: never the key or the counter. */
export interface PublicPasskey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** True for a synced passkey (backed up by its provider). */
  backedUp: boolean;
}

export function toPublicPasskey(record: WebAuthnCredentialRecord): PublicPasskey {
  return {
    id: record.id,
    name: record.name,
    createdAt: record.createdAt.toISOString(),
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    backedUp: record.backedUp,
  };
}

export interface PasskeyCreationOptions {
  options: PublicKeyCredentialCreationOptionsJSON;
  challengeId: string;
}

export interface PasskeyRequestOptions {
  options: PublicKeyCredentialRequestOptionsJSON;
  challengeId: string;
}

export interface PasskeyServiceDeps {
  db: Database;
  audit: AuditLog;
  settings: PasskeySettings;
  clock: () => Date;
}

/** Why an assertion was refused, for the audit log (the caller only learns that it failed). */
type Refusal =
  | 'unreadable'
  | 'challenge'
  | 'unknown_credential'
  | 'wrong_user'
  | 'verification'
  | 'counter_regression'
  | 'raced'
  | 'inactive';

class AssertionRefused extends Error {
  constructor(
    readonly reason: Refusal,
    readonly userId: number | null,
  ) {
    super(reason);
  }
}

const SIGN_IN_FAILED = 'Passkey sign-in failed; try again';
const DEFAULT_NAME = 'Passkey';

/** The user handle stored in a passkey: the account id, so a sign-in can be matched to it. */
function userHandleOf(userId: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(String(userId), 'utf8'));
}

/**
 * Passkeys (WebAuthn, via SimpleWebAuthn): registration and management for a signed-in user,
 * and sign-in with no username. Challenges live server-side (see PasskeyChallenges); user
 * verification is required, so a passkey proves possession and a PIN or biometric: two factors.
 */
export class PasskeyService {
  private readonly challenges: PasskeyChallenges;

  constructor(private readonly d: PasskeyServiceDeps) {
    this.challenges = new PasskeyChallenges(
      d.db,
      d.clock,
      d.settings.challengeTtlSeconds ?? PASSKEY_CHALLENGE_TTL_SECONDS,
    );
  }

  relyingParty(): RelyingParty {
    return relyingPartyFor(this.d.settings.publicUrl(), this.d.settings.rpName);
  }

  /** How many passkeys the user has (for the MFA status and the list of second-factor methods). */
  count(userId: number): Promise<number> {
    return this.d.db.webauthnCredentials.countForUser(userId);
  }

  async list(userId: number): Promise<PublicPasskey[]> {
    return (await this.d.db.webauthnCredentials.listForUser(userId)).map(toPublicPasskey);
  }

  // ---- registration -------------------------------------------------------------------------

  /** Creation options for a new discoverable passkey with user verification. */
  async registrationOptions(user: UserRecord): Promise<PasskeyCreationOptions> {
    const rp = this.relyingParty();
    const existing = await this.d.db.webauthnCredentials.listForUser(user.id);
    const { challenge, challengeId } = await this.challenges.issue('registration', user.id);
    const options = await generateRegistrationOptions({
      rpName: rp.name,
      rpID: rp.id,
      userName: user.username,
      userDisplayName: user.fullName ?? user.username,
      userID: userHandleOf(user.id),
      // As bytes: a string would be taken as UTF-8 text and encoded once more.
      challenge: challengeBytes(challenge),
      timeout: this.ttlMs(),
      attestationType: 'none',
      // The same authenticator cannot be registered twice.
      excludeCredentials: existing.map((c) => ({ id: c.id, transports: transportsOf(c) })),
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    });
    return { options, challengeId };
  }

  /** Verifies the browser's answer to registrationOptions and stores the passkey. */
  async register(
    userId: number,
    response: PasskeyRegistrationResponse,
    name: string | undefined,
    client: ClientInfo,
    challengeId?: string,
  ): Promise<PublicPasskey> {
    const refuse = async (reason: string) => {
      await this.d.audit.record({
        type: 'passkey_refused',
        actorUserId: userId,
        targetUserId: userId,
        client,
        detail: { ceremony: 'registration', reason },
      });
      return new GatehouseError('BAD_REQUEST', 'The passkey could not be verified; start again', 'response');
    };
    const challenge = signedChallenge(response.response.clientDataJSON);
    if (!challenge) throw await refuse('unreadable');
    const issued = await this.challenges.consume(challenge, 'registration');
    if (!issued || issued.userId !== userId || (challengeId !== undefined && issued.id !== challengeId)) {
      throw await refuse('challenge');
    }
    const rp = this.relyingParty();
    let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verification = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        requireUserVerification: true,
      });
    } catch {
      throw await refuse('verification');
    }
    if (!verification.verified) throw await refuse('verification');
    const info = verification.registrationInfo;
    const stored = await this.d.db.webauthnCredentials.create(
      {
        id: info.credential.id,
        userId,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: info.credential.transports ?? response.response.transports ?? null,
        name: name?.trim() || DEFAULT_NAME,
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
      },
      this.d.clock(),
    );
    if (!stored) throw new GatehouseError('CONFLICT', 'This passkey is already registered');
    await this.d.audit.record({
      type: 'passkey_registered',
      actorUserId: userId,
      targetUserId: userId,
      client,
      detail: { credentialId: stored.id, name: stored.name },
    });
    return toPublicPasskey(stored);
  }

  async rename(userId: number, id: string, name: string, client: ClientInfo): Promise<void> {
    if (!(await this.d.db.webauthnCredentials.rename(userId, id, name.trim()))) throw notFound();
    await this.d.audit.record({
      type: 'passkey_renamed',
      actorUserId: userId,
      targetUserId: userId,
      client,
      detail: { credentialId: id, name: name.trim() },
    });
  }

  async delete(userId: number, id: string, client: ClientInfo): Promise<void> {
    if (!(await this.d.db.webauthnCredentials.delete(userId, id))) throw notFound();
    await this.d.audit.record({
      type: 'passkey_deleted',
      actorUserId: userId,
      targetUserId: userId,
      client,
      detail: { credentialId: id },
    });
  }

  // ---- authentication -----------------------------------------------------------------------

  /**
   * Request options. Never lists credentials (allowCredentials): passkeys are discoverable, and
   * an empty list answers the same for every username, so it tells nobody who has passkeys.
   * `userId` binds the challenge to one account (a named sign-in, a second factor, step-up).
   */
  async authenticationOptions(userId: number | null): Promise<PasskeyRequestOptions> {
    const rp = this.relyingParty();
    const { challenge, challengeId } = await this.challenges.issue('authentication', userId);
    const options = await generateAuthenticationOptions({
      rpID: rp.id,
      // As bytes: a string would be taken as UTF-8 text and encoded once more.
      challenge: challengeBytes(challenge),
      timeout: this.ttlMs(),
      userVerification: 'required',
    });
    return { options, challengeId };
  }

  /** Request options for `auth.passkey.options {username?}`; an unknown name is not revealed. */
  async authenticationOptionsFor(username: string | undefined): Promise<PasskeyRequestOptions> {
    const user = username ? await this.d.db.users.findByLoginKey(identifierKey(username)) : null;
    return this.authenticationOptions(user?.id ?? null);
  }

  /**
   * Checks an assertion against a stored passkey and returns its (active) owner: the hook for
   * sign-in, a second factor after a password, and step-up. With `userId`, the passkey must be
   * that user's. The challenge is used up whatever the outcome; a counter that went backwards
   * (a cloned authenticator) is refused and audited.
   */
  async verifyAssertion(
    userId: number | null,
    response: PasskeyAuthenticationResponse,
    challengeId: string | undefined,
    client: ClientInfo,
  ): Promise<UserRecord> {
    try {
      return await this.checkAssertion(userId, response, challengeId, client);
    } catch (error) {
      if (!(error instanceof AssertionRefused)) throw error;
      await this.d.audit.record({
        type: 'passkey_refused',
        targetUserId: error.userId,
        client,
        detail: { ceremony: 'authentication', reason: error.reason },
      });
      if (error.reason === 'inactive') throw new GatehouseError('FORBIDDEN', 'This account is deactivated');
      throw new GatehouseError('UNAUTHORIZED', SIGN_IN_FAILED);
    }
  }

  /** Sign-in with a passkey (no username needed): a login of its own, audited as one. */
  async signIn(
    response: PasskeyAuthenticationResponse,
    challengeId: string | undefined,
    client: ClientInfo,
  ): Promise<UserRecord> {
    const user = await this.verifyAssertion(null, response, challengeId, client);
    await this.d.audit.record({
      type: 'login_succeeded',
      actorUserId: user.id,
      targetUserId: user.id,
      client,
      detail: { method: 'passkey' },
    });
    return user;
  }

  /** Deletes challenges past their expiry (housekeeping). */
  purgeExpiredChallenges(): Promise<number> {
    return this.challenges.purgeExpired();
  }

  private async checkAssertion(
    userId: number | null,
    response: PasskeyAuthenticationResponse,
    challengeId: string | undefined,
    client: ClientInfo,
  ): Promise<UserRecord> {
    const challenge = signedChallenge(response.response.clientDataJSON);
    if (!challenge) throw new AssertionRefused('unreadable', userId);
    const issued = await this.challenges.consume(challenge, 'authentication');
    if (!issued || (challengeId !== undefined && issued.id !== challengeId)) {
      throw new AssertionRefused('challenge', userId);
    }
    const credential = await this.d.db.webauthnCredentials.findById(response.id);
    if (!credential) throw new AssertionRefused('unknown_credential', userId ?? issued.userId);
    const expectedOwner = userId ?? issued.userId;
    const handle = response.response.userHandle;
    if (
      (expectedOwner !== null && credential.userId !== expectedOwner) ||
      (issued.userId !== null && issued.userId !== credential.userId) ||
      (handle !== undefined && handle !== Buffer.from(userHandleOf(credential.userId)).toString('base64url'))
    ) {
      throw new AssertionRefused('wrong_user', expectedOwner ?? credential.userId);
    }
    const rp = this.relyingParty();
    let newCounter: number;
    try {
      const verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        // The counter is compared below, where a regression can be told from a bad signature.
        credential: {
          id: credential.id,
          publicKey: new Uint8Array(Buffer.from(credential.publicKey, 'base64url')),
          counter: 0,
          transports: transportsOf(credential),
        },
        requireUserVerification: true,
      });
      if (!verification.verified) throw new Error('not verified');
      newCounter = verification.authenticationInfo.newCounter;
    } catch {
      throw new AssertionRefused('verification', credential.userId);
    }
    // Authenticators without a counter always send 0; one that has a counter must move it on.
    if ((newCounter > 0 || credential.counter > 0) && newCounter <= credential.counter) {
      await this.d.audit.record({
        type: 'passkey_counter_regression',
        targetUserId: credential.userId,
        client,
        detail: { credentialId: credential.id, stored: credential.counter, presented: newCounter },
      });
      throw new AssertionRefused('counter_regression', credential.userId);
    }
    const now = this.d.clock();
    if (!(await this.d.db.webauthnCredentials.recordUse(credential.id, credential.counter, newCounter, now))) {
      throw new AssertionRefused('raced', credential.userId);
    }
    const user = await this.d.db.users.findById(credential.userId);
    if (!user) throw new AssertionRefused('unknown_credential', credential.userId);
    if (!user.isActive) throw new AssertionRefused('inactive', user.id);
    return user;
  }

  private ttlMs(): number {
    return (this.d.settings.challengeTtlSeconds ?? PASSKEY_CHALLENGE_TTL_SECONDS) * 1000;
  }
}

function transportsOf(credential: WebAuthnCredentialRecord): AuthenticatorTransportFuture[] | undefined {
  return (credential.transports as AuthenticatorTransportFuture[] | null) ?? undefined;
}

function challengeBytes(challenge: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(challenge, 'base64url'));
}

function notFound(): GatehouseError {
  return new GatehouseError('NOT_FOUND', 'No such passkey', 'id');
}
