import { CodeChallengeMethod, GitHub, Google, OAuth2Client, type OAuth2Tokens } from 'arctic';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { GatehouseError } from '../errors.js';
import { isVerified, verifyIdToken } from './id-token.js';
import { discoverProvider, type ProviderMetadata } from './oidc-discovery.js';

export const OAUTH_PROVIDER_IDS = ['google', 'github', 'oidc'] as const;
export type OAuthProviderId = (typeof OAUTH_PROVIDER_IDS)[number];

/** Who the provider says signed in, after every check. */
export interface ExternalProfile {
  /** Stable id at the provider (OIDC `sub`, GitHub numeric id). */
  subject: string;
  email: string | null;
  /** Only a provider-verified email may attach the identity to an existing account. */
  emailVerified: boolean;
  /** Hint for the username of a new account. */
  preferredUsername: string | null;
  name: string | null;
}

/** What a sign-in keeps between start and callback. */
export interface AuthorizationRequest {
  state: string;
  codeVerifier: string;
  /** Null for providers that are not OpenID Connect (GitHub). */
  nonce: string | null;
}

export interface OAuthProvider {
  readonly id: OAuthProviderId;
  readonly displayName: string;
  readonly usesNonce: boolean;
  authorizationUrl(request: AuthorizationRequest): Promise<URL>;
  /** Exchanges the code and returns the verified profile; refuses with UNAUTHORIZED. */
  complete(code: string, request: AuthorizationRequest): Promise<ExternalProfile>;
}

const OIDC_SCOPES = ['openid', 'email', 'profile'];

/** arctic throws on a refused code (invalid_grant…); the caller is told without provider detail. */
async function exchange(run: () => Promise<OAuth2Tokens>): Promise<OAuth2Tokens> {
  try {
    return await run();
  } catch {
    throw new GatehouseError('UNAUTHORIZED', 'The provider refused the sign-in code; start again');
  }
}

const userinfoSchema = z.object({
  sub: z.string(),
  email: z.string().max(254).optional(),
  email_verified: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  name: z.string().max(200).optional(),
  preferred_username: z.string().max(200).optional(),
});

interface OidcEndpoints {
  issuer: string | string[];
  jwks: JWTVerifyGetKey;
  userinfo: string | undefined;
}

/** The ID token, verified, and the email from the userinfo endpoint when the token has none. */
async function oidcProfile(
  tokens: OAuth2Tokens,
  endpoints: OidcEndpoints,
  clientId: string,
  nonce: string | null,
): Promise<ExternalProfile> {
  let idToken: string;
  try {
    idToken = tokens.idToken();
  } catch {
    throw new GatehouseError('UNAUTHORIZED', 'The provider returned no ID token');
  }
  const claims = await verifyIdToken(idToken, {
    issuer: endpoints.issuer,
    clientId,
    nonce: nonce ?? '',
    keys: endpoints.jwks,
  });
  const profile: ExternalProfile = {
    subject: claims.sub,
    email: claims.email ?? null,
    emailVerified: isVerified(claims.email_verified),
    preferredUsername: claims.preferred_username ?? null,
    name: claims.name ?? null,
  };
  if (profile.email || !endpoints.userinfo) return profile;
  const response = await fetch(endpoints.userinfo, {
    headers: { authorization: `Bearer ${tokens.accessToken()}`, accept: 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) return profile;
  const info = userinfoSchema.safeParse(await response.json());
  // Userinfo about another subject would be a substitution attack (OIDC Core 5.3.2).
  if (!info.success || info.data.sub !== claims.sub) return profile;
  return {
    ...profile,
    email: info.data.email ?? null,
    emailVerified: isVerified(info.data.email_verified),
    preferredUsername: profile.preferredUsername ?? info.data.preferred_username ?? null,
    name: profile.name ?? info.data.name ?? null,
  };
}

export interface ClientSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** Google: arctic's Google class (PKCE S256), plus a nonce; ID token checked against Google's JWKS. */
export class GoogleProvider implements OAuthProvider {
  readonly id = 'google' as const;
  readonly displayName = 'Google';
  readonly usesNonce = true;
  private readonly google: Google;
  private readonly jwks: JWTVerifyGetKey;

  constructor(private readonly settings: ClientSettings) {
    this.google = new Google(settings.clientId, settings.clientSecret, settings.redirectUri);
    this.jwks = createRemoteJWKSet(new URL('https://www.googleapis.com/oauth2/v3/certs'));
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    const url = this.google.createAuthorizationURL(request.state, request.codeVerifier, OIDC_SCOPES);
    if (request.nonce) url.searchParams.set('nonce', request.nonce);
    return url;
  }

  async complete(code: string, request: AuthorizationRequest): Promise<ExternalProfile> {
    const tokens = await exchange(() => this.google.validateAuthorizationCode(code, request.codeVerifier));
    const endpoints = {
      // Google documents both spellings of its issuer.
      issuer: ['https://accounts.google.com', 'accounts.google.com'],
      jwks: this.jwks,
      userinfo: 'https://openidconnect.googleapis.com/v1/userinfo',
    };
    return oidcProfile(tokens, endpoints, this.settings.clientId, request.nonce);
  }
}

const githubUser = z.object({ id: z.number(), login: z.string(), name: z.string().nullish() });
const githubEmails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

/**
 * GitHub is OAuth 2.0 without OpenID Connect: no ID token, so the user and their primary email
 * (with its verified flag) come from the REST API. arctic's GitHub class sends no PKCE
 * verifier, so this flow relies on the state (single use, browser-bound) alone.
 */
export class GitHubProvider implements OAuthProvider {
  readonly id = 'github' as const;
  readonly displayName = 'GitHub';
  readonly usesNonce = false;
  private readonly github: GitHub;

  constructor(
    settings: ClientSettings,
    private readonly apiBase = 'https://api.github.com',
  ) {
    this.github = new GitHub(settings.clientId, settings.clientSecret, settings.redirectUri);
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    return this.github.createAuthorizationURL(request.state, ['read:user', 'user:email']);
  }

  async complete(code: string): Promise<ExternalProfile> {
    const tokens = await exchange(() => this.github.validateAuthorizationCode(code));
    const headers = {
      authorization: `Bearer ${tokens.accessToken()}`,
      accept: 'application/vnd.github+json',
      'user-agent': 'gatehouse',
    };
    const get = async (path: string) => {
      const response = await fetch(`${this.apiBase}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new GatehouseError('UNAUTHORIZED', `GitHub answered ${response.status} for ${path}`);
      return response.json();
    };
    const user = githubUser.parse(await get('/user'));
    const primary = githubEmails.parse(await get('/user/emails')).find((e) => e.primary);
    return {
      subject: String(user.id),
      email: primary?.email ?? null,
      emailVerified: primary?.verified === true,
      preferredUsername: user.login,
      name: user.name ?? null,
    };
  }
}

export interface OidcSettings extends ClientSettings {
  issuer: string;
  displayName: string;
  production: boolean;
}

const DISCOVERY_TTL_MS = 60 * 60 * 1000;

/**
 * Any OpenID Connect provider (Keycloak, Auth0, Okta, Entra ID…): endpoints found by discovery
 * (cached an hour, fetched lazily so start-up does not depend on the IdP), arctic's generic
 * OAuth2Client for the authorization URL (PKCE S256) and code exchange.
 */
export class GenericOidcProvider implements OAuthProvider {
  readonly id = 'oidc' as const;
  readonly usesNonce = true;
  readonly displayName: string;
  private readonly client: OAuth2Client;
  private discovered: { metadata: ProviderMetadata; jwks: JWTVerifyGetKey; at: number } | null = null;

  constructor(private readonly settings: OidcSettings) {
    this.displayName = settings.displayName;
    this.client = new OAuth2Client(settings.clientId, settings.clientSecret, settings.redirectUri);
  }

  private async metadata() {
    if (!this.discovered || Date.now() - this.discovered.at > DISCOVERY_TTL_MS) {
      const metadata = await discoverProvider(this.settings.issuer, this.settings.production);
      this.discovered = { metadata, jwks: createRemoteJWKSet(new URL(metadata.jwks_uri)), at: Date.now() };
    }
    return this.discovered;
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    const { metadata } = await this.metadata();
    const url = this.client.createAuthorizationURLWithPKCE(
      metadata.authorization_endpoint,
      request.state,
      CodeChallengeMethod.S256,
      request.codeVerifier,
      OIDC_SCOPES,
    );
    if (request.nonce) url.searchParams.set('nonce', request.nonce);
    return url;
  }

  async complete(code: string, request: AuthorizationRequest): Promise<ExternalProfile> {
    const { metadata, jwks } = await this.metadata();
    const tokens = await exchange(() =>
      this.client.validateAuthorizationCode(metadata.token_endpoint, code, request.codeVerifier),
    );
    const endpoints = { issuer: metadata.issuer, jwks, userinfo: metadata.userinfo_endpoint };
    return oidcProfile(tokens, endpoints, this.settings.clientId, request.nonce);
  }
}
