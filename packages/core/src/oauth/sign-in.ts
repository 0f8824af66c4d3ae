import { randomBytes } from 'node:crypto';
import { type Database, type OAuthAccountRecord, UniqueViolationError, type UserRecord } from '@gatehouse/db';
import { identifierKey, normalizeEmail } from '../accounts/identifiers.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ClientInfo } from '../client-info.js';
import { GatehouseError } from '../errors.js';
import { hashSecret, sameHash } from '../secret-hashing.js';
import type { AuthorizationRequest, ExternalProfile, OAuthProvider } from './providers.js';
import { sameOriginPath } from './urls.js';
import { usernameBase, usernameCandidates } from './usernames.js';

/** RFC 9700 asks for short-lived state; ten minutes covers a slow login at the provider. */
export const OAUTH_STATE_TTL_SECONDS = 600;

const BROWSER_SECRET = /^[A-Za-z0-9_-]{43}$/;

/** The value of the browser-binding cookie: 256 random bits. */
export function newBrowserSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function isBrowserSecret(value: string | undefined): value is string {
  return value !== undefined && BROWSER_SECRET.test(value);
}

export interface OAuthStart {
  provider: string;
  returnTo?: string | undefined;
  /** The browser-binding cookie's value. */
  browserSecret: string;
  /** Set when a signed-in user links another identity. */
  linkUserId?: number | undefined;
}

export interface OAuthCallback {
  provider: string;
  code: string;
  state: string;
  /** The browser-binding cookie's value, if the browser sent one. */
  browserSecret: string | undefined;
  client: ClientInfo;
}

export interface OAuthOutcome {
  user: UserRecord;
  returnTo: string | null;
  /** How the identity was resolved. */
  via: 'existing' | 'created' | 'linked_by_email' | 'linked_by_user';
}

export interface PublicLinkedAccount {
  id: number;
  provider: string;
  email: string | null;
  createdAt: string;
}

const stateRefused = () =>
  new GatehouseError('UNAUTHORIZED', 'This sign-in link is invalid, was already used or has expired; start again');

/** Sign-in and account linking through OAuth 2.0 / OpenID Connect providers. */
export class OAuthService {
  private readonly providers: Map<string, OAuthProvider>;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditLog,
    providers: readonly OAuthProvider[],
    /** The web app's origin: returnTo must stay on it. */
    private readonly publicUrl: string | null,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.providers = new Map(providers.map((p) => [p.id, p]));
  }

  listProviders(): { id: string; displayName: string }[] {
    return [...this.providers.values()].map((p) => ({ id: p.id, displayName: p.displayName }));
  }

  private provider(id: string): OAuthProvider {
    const provider = this.providers.get(id);
    if (!provider) throw new GatehouseError('NOT_FOUND', `Sign-in with "${id}" is not enabled`, 'provider');
    return provider;
  }

  /** Creates a one-time state (stored hashed, bound to the browser) and returns the authorization URL. */
  async start(input: OAuthStart): Promise<{ authorizationUrl: string }> {
    const provider = this.provider(input.provider);
    const returnTo = input.returnTo && this.publicUrl ? sameOriginPath(input.returnTo, this.publicUrl) : null;
    if (input.returnTo && !this.publicUrl)
      throw new GatehouseError('BAD_REQUEST', 'returnTo needs PUBLIC_URL', 'returnTo');
    const request: AuthorizationRequest = {
      state: randomBytes(32).toString('base64url'),
      codeVerifier: randomBytes(32).toString('base64url'),
      nonce: provider.usesNonce ? randomBytes(32).toString('base64url') : null,
    };
    const url = await provider.authorizationUrl(request);
    const now = this.clock();
    // Abandoned sign-ins leave rows behind; each new one sweeps the expired ones.
    await this.db.oauthStates.purgeExpired(now);
    await this.db.oauthStates.create(
      {
        stateHash: hashSecret(request.state),
        provider: provider.id,
        codeVerifier: request.codeVerifier,
        nonce: request.nonce,
        browserHash: hashSecret(input.browserSecret),
        returnTo,
        linkUserId: input.linkUserId ?? null,
        expiresAt: new Date(now.getTime() + OAUTH_STATE_TTL_SECONDS * 1000),
      },
      now,
    );
    return { authorizationUrl: url.toString() };
  }

  /** Checks and consumes the state, completes the exchange, and resolves the Gatehouse account. */
  async complete(input: OAuthCallback): Promise<OAuthOutcome> {
    const provider = this.provider(input.provider);
    // Consumed before any other check: a state is good for one attempt, whatever its outcome.
    const stored = await this.db.oauthStates.consume(hashSecret(input.state));
    const fail = async (reason: string, error: GatehouseError) => {
      await this.audit.record({
        type: 'login_failed',
        targetUserId: stored?.linkUserId ?? null,
        client: input.client,
        detail: { reason, provider: provider.id },
      });
      return error;
    };
    if (!stored || stored.provider !== provider.id) throw await fail('oauth_state_unknown', stateRefused());
    if (stored.expiresAt.getTime() <= this.clock().getTime()) throw await fail('oauth_state_expired', stateRefused());
    if (!input.browserSecret || !sameHash(stored.browserHash, hashSecret(input.browserSecret))) {
      throw await fail('oauth_state_other_browser', stateRefused());
    }
    let profile: ExternalProfile;
    try {
      profile = await provider.complete(input.code, {
        state: input.state,
        codeVerifier: stored.codeVerifier,
        nonce: stored.nonce,
      });
    } catch (error) {
      if (error instanceof GatehouseError) throw await fail('oauth_provider_refused', error);
      throw error;
    }
    const outcome = await this.resolve(provider, profile, stored.linkUserId, input.client).catch(async (error) => {
      if (error instanceof GatehouseError) throw await fail('oauth_account_refused', error);
      throw error;
    });
    if (!outcome.user.isActive) {
      throw await fail('inactive', new GatehouseError('FORBIDDEN', 'This account is deactivated'));
    }
    await this.audit.record({
      type: 'login_succeeded',
      actorUserId: outcome.user.id,
      targetUserId: outcome.user.id,
      client: input.client,
      detail: { method: provider.id, via: outcome.via },
    });
    return { ...outcome, returnTo: stored.returnTo };
  }

  /**
   * The identity decides: (provider, subject) already linked → that user. Otherwise a link the
   * user started while signed in, or an existing account with the same email when both the
   * provider and Gatehouse have verified it, or a new account when the provider vouches for the email. An unverified email neither
   * links nor creates: anyone can type someone else's address at a provider that does not check it.
   */
  private async resolve(
    provider: OAuthProvider,
    profile: ExternalProfile,
    linkUserId: number | null,
    client: ClientInfo,
  ): Promise<Omit<OAuthOutcome, 'returnTo'>> {
    const known = await this.db.oauthAccounts.find(provider.id, profile.subject);
    if (known) {
      if (linkUserId !== null && known.userId !== linkUserId) {
        throw new GatehouseError('CONFLICT', `This ${provider.displayName} account is linked to another user`);
      }
      const user = await this.db.users.findById(known.userId);
      if (!user) throw new GatehouseError('NOT_FOUND', 'User not found');
      return { user, via: 'existing' };
    }
    if (linkUserId !== null) {
      const user = await this.db.users.findById(linkUserId);
      if (!user) throw new GatehouseError('NOT_FOUND', 'User not found');
      await this.link(user, provider, profile, client, 'user');
      return { user, via: 'linked_by_user' };
    }
    const byEmail = profile.email ? await this.db.users.findByLoginKey(identifierKey(profile.email)) : null;
    // findByLoginKey also matches usernames; only an email match counts here.
    if (byEmail && profile.email && identifierKey(byEmail.email) === identifierKey(profile.email)) {
      // Both must have proved the address: an account registered with someone else's address
      // (never verified) must not receive its owner's identity and stay open to its password.
      if (!profile.emailVerified || !byEmail.emailVerified) {
        throw new GatehouseError(
          'CONFLICT',
          `An account with this email already exists. Sign in with your password, then link ${provider.displayName} ` +
            'from your profile.',
        );
      }
      await this.link(byEmail, provider, profile, client, 'email');
      return { user: byEmail, via: 'linked_by_email' };
    }
    if (!profile.emailVerified) {
      // An account made from an address nobody proved would hold that address against its real
      // owner, and would be linked to their verified sign-in later: a takeover set up in advance.
      throw new GatehouseError(
        'FORBIDDEN',
        `${provider.displayName} has not verified this email address. Verify it there first, or sign up ` +
          `with a password and link ${provider.displayName} from your profile.`,
      );
    }
    const user = await this.createUser(profile, provider);
    await this.link(user, provider, profile, client, 'new_account');
    return { user, via: 'created' };
  }

  private async link(
    user: UserRecord,
    provider: OAuthProvider,
    profile: ExternalProfile,
    client: ClientInfo,
    how: string,
  ): Promise<OAuthAccountRecord> {
    const account = await this.db.oauthAccounts.link(
      { provider: provider.id, providerUserId: profile.subject, userId: user.id, email: profile.email },
      this.clock(),
    );
    // Lost a race with a concurrent callback for the same identity.
    if (!account)
      throw new GatehouseError('CONFLICT', `This ${provider.displayName} account was linked meanwhile; sign in again`);
    await this.audit.record({
      type: 'oauth_account_linked',
      actorUserId: user.id,
      targetUserId: user.id,
      client,
      detail: { provider: provider.id, how },
    });
    return account;
  }

  private async createUser(profile: ExternalProfile, provider: OAuthProvider): Promise<UserRecord> {
    if (!profile.email) {
      throw new GatehouseError(
        'BAD_REQUEST',
        `${provider.displayName} did not share an email address; allow it and try again`,
      );
    }
    const email = normalizeEmail(profile.email);
    for (const username of usernameCandidates(usernameBase(profile))) {
      try {
        return await this.db.users.create(
          {
            username,
            usernameKey: identifierKey(username),
            email,
            emailKey: identifierKey(email),
            // No password: this account signs in through the provider until the user sets one.
            passwordHash: null,
            fullName: profile.name?.trim().slice(0, 100) || null,
            role: 'user',
            // Only reached when the provider vouched for the address.
            emailVerified: profile.emailVerified,
          },
          this.clock(),
        );
      } catch (error) {
        if (error instanceof UniqueViolationError && error.field === 'username') continue;
        if (error instanceof UniqueViolationError) {
          throw new GatehouseError('CONFLICT', 'An account with this email already exists; sign in and link it');
        }
        throw error;
      }
    }
    throw new GatehouseError('CONFLICT', 'Could not find a free username; try again');
  }

  async linkedAccounts(userId: number): Promise<PublicLinkedAccount[]> {
    const accounts = await this.db.oauthAccounts.listForUser(userId);
    return accounts.map((a) => ({
      id: a.id,
      provider: a.provider,
      email: a.email,
      createdAt: a.createdAt.toISOString(),
    }));
  }

  /** Refused when it is the user's last way to sign in (no password and no other identity). */
  async unlink(userId: number, accountId: number, client: ClientInfo): Promise<void> {
    const account = (await this.db.oauthAccounts.listForUser(userId)).find((a) => a.id === accountId);
    // Not found also when a concurrent unlink of the same identity got there first.
    const outcome = account ? await this.db.oauthAccounts.unlink(userId, accountId) : 'not_found';
    if (!account || outcome === 'not_found') throw new GatehouseError('NOT_FOUND', 'No such linked account');
    if (outcome === 'last_way') {
      throw new GatehouseError(
        'BAD_REQUEST',
        'This is your only way to sign in: set a password or link another account first',
      );
    }
    await this.audit.record({
      type: 'oauth_account_unlinked',
      actorUserId: userId,
      targetUserId: userId,
      client,
      detail: { provider: account.provider },
    });
  }
}
