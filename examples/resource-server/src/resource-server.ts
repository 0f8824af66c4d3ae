import { createServer, type Server, type ServerResponse } from 'node:http';
import { TokenVerificationError, type TokenVerifier } from '@gatehouse/client/verifier';

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Another service of the same company: it trusts Gatehouse's access tokens by checking their
 * signature against Gatehouse's public keys, without calling Gatehouse per request.
 */
export function createResourceServer(verifier: TokenVerifier): Server {
  return createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') return json(res, 200, { status: 'ok' });
    if (path === '/api/greeting' && req.method === 'GET') {
      try {
        const claims = await verifier.verifyAuthorizationHeader(req.headers.authorization);
        return json(res, 200, { message: `Hello, user ${claims.userId}`, keyId: claims.keyId });
      } catch (error) {
        if (!(error instanceof TokenVerificationError)) throw error;
        if (error.status === 401) res.setHeader('www-authenticate', `Bearer error="invalid_token"`);
        return json(res, error.status, { error: error.code, message: error.message });
      }
    }
    json(res, 404, { error: 'not_found' });
  });
}
