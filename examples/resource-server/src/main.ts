#!/usr/bin/env node
import { createTokenVerifier } from '@gatehouse/client/verifier';
import { createResourceServer } from './resource-server.js';

// GATEHOUSE_URL is where Gatehouse serves /.well-known/jwks.json; issuer and audience match
// its JWT_ISSUER and JWT_AUDIENCE.
const gatehouse = process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:3000';
const verifier = createTokenVerifier({
  issuer: process.env.GATEHOUSE_ISSUER ?? 'gatehouse',
  audience: process.env.GATEHOUSE_AUDIENCE ?? 'gatehouse',
  jwksUrl: new URL('/.well-known/jwks.json', gatehouse),
});
const port = Number(process.env.PORT ?? 4000);
const server = createResourceServer(verifier);
server.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  process.stdout.write(`resource server listening on http://127.0.0.1:${port}, trusting ${gatehouse}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.close(() => process.exit(0)));
