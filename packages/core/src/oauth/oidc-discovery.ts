import { z } from 'zod';
import { urlProblem } from './urls.js';

/** The parts of an OpenID Provider's metadata Gatehouse uses. */
const metadataSchema = z.object({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  jwks_uri: z.string(),
  userinfo_endpoint: z.string().optional(),
});

export type ProviderMetadata = z.output<typeof metadataSchema>;

/** Fetches `<issuer>/.well-known/openid-configuration` and checks it names the same issuer. */
export async function discoverProvider(issuer: string, production: boolean): Promise<ProviderMetadata> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`OIDC discovery at ${url} answered ${response.status}`);
  const metadata = metadataSchema.parse(await response.json());
  // A mismatch means the document is not this issuer's (OIDC Discovery 4.3).
  if (metadata.issuer !== issuer) {
    throw new Error(`OIDC discovery at ${url} names issuer "${metadata.issuer}", expected "${issuer}"`);
  }
  const endpoints = [metadata.authorization_endpoint, metadata.token_endpoint, metadata.jwks_uri];
  // The userinfo answer carries the email Gatehouse may trust, so it needs https as much as the rest.
  if (metadata.userinfo_endpoint !== undefined) endpoints.push(metadata.userinfo_endpoint);
  for (const endpoint of endpoints) {
    const problem = urlProblem(endpoint, production);
    if (problem) throw new Error(`OIDC discovery: ${problem}`);
  }
  return metadata;
}
