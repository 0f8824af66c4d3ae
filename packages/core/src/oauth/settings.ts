import {
  GenericOidcProvider,
  GitHubProvider,
  GoogleProvider,
  type OAuthProvider,
  type OAuthProviderId,
} from './providers.js';
import { redirectUriFor } from './urls.js';

export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Which providers are enabled: each only when its settings are present. */
export interface OAuthSettings {
  /** Where the web app lives; redirect URIs are PUBLIC_URL/auth/callback/<provider>. */
  publicUrl: string;
  production: boolean;
  google?: OAuthClientCredentials | undefined;
  github?: OAuthClientCredentials | undefined;
  oidc?: (OAuthClientCredentials & { issuer: string; displayName: string }) | undefined;
}

export function createOAuthProviders(settings: OAuthSettings): OAuthProvider[] {
  const redirectUri = (id: OAuthProviderId) => redirectUriFor(settings.publicUrl, id);
  const providers: OAuthProvider[] = [];
  if (settings.google) providers.push(new GoogleProvider({ ...settings.google, redirectUri: redirectUri('google') }));
  if (settings.github) providers.push(new GitHubProvider({ ...settings.github, redirectUri: redirectUri('github') }));
  if (settings.oidc) {
    providers.push(
      new GenericOidcProvider({ ...settings.oidc, redirectUri: redirectUri('oidc'), production: settings.production }),
    );
  }
  return providers;
}
