import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthServices } from '@gatehouse/core';
import { sendJson } from './http-headers.js';

export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * Short enough that a verifier's cached copy never misses a key for long (verifiers also refetch
 * on an unknown kid), long enough that they do not fetch on every request.
 */
const JWKS_MAX_AGE_SECONDS = 300;

/** GET /.well-known/jwks.json: the public keys of asymmetric access tokens (404 with HS256). */
export async function serveJwks(req: IncomingMessage, res: ServerResponse, services: AuthServices): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendJson(res, 405, {
      error: { message: 'Use GET', data: { code: 'METHOD_NOT_SUPPORTED', httpStatus: 405 } },
    });
  }
  const jwks = await services.accessTokens.jwks();
  if (!jwks) {
    return sendJson(res, 404, {
      error: {
        message: 'Access tokens are HS256 (shared secret): there are no public keys; set JWT_ALG=EdDSA to publish some',
        data: { code: 'NOT_FOUND', httpStatus: 404 },
      },
    });
  }
  res.setHeader('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
  // Public keys are public: any origin may read them.
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Content-Type', 'application/jwk-set+json');
  const text = JSON.stringify(jwks);
  res.writeHead(200, { 'Content-Length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
}
