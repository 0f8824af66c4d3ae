import type { OAuthSettings } from '@gatehouse/core';
import type { Config } from './config.js';

/** The enabled providers from the environment; undefined when none is (config checked the pairs). */
export function oauthSettings(config: Config): OAuthSettings | undefined {
  if (!config.PUBLIC_URL) return undefined;
  const pair = (clientId: string | undefined, clientSecret: string | undefined) =>
    clientId && clientSecret ? { clientId, clientSecret } : undefined;
  const oidcClient = pair(config.OIDC_CLIENT_ID, config.OIDC_CLIENT_SECRET);
  return {
    publicUrl: config.PUBLIC_URL,
    production: config.NODE_ENV === 'production',
    google: pair(config.OAUTH_GOOGLE_CLIENT_ID, config.OAUTH_GOOGLE_CLIENT_SECRET),
    github: pair(config.OAUTH_GITHUB_CLIENT_ID, config.OAUTH_GITHUB_CLIENT_SECRET),
    oidc:
      oidcClient && config.OIDC_ISSUER
        ? { ...oidcClient, issuer: config.OIDC_ISSUER, displayName: config.OIDC_DISPLAY_NAME }
        : undefined,
  };
}
