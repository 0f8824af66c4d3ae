import type { IncomingMessage, ServerResponse } from 'node:http';
import { openApiDocument } from '@gatehouse/api';
import type { AnyTRPCRouter } from '@trpc/server';
import { sendJson } from './http-headers.js';

export const OPENAPI_PATH = '/openapi.json';

/** GET /openapi.json: the router described for non-TypeScript clients, built once on first use. */
export function createOpenApiRoute(router: AnyTRPCRouter, publicUrl: string | undefined) {
  let text: string | null = null;
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendJson(res, 405, { error: { message: 'Use GET', data: { code: 'METHOD_NOT_SUPPORTED', httpStatus: 405 } } });
      return;
    }
    text ??= JSON.stringify(openApiDocument(router, publicUrl ? { serverUrl: publicUrl } : {}));
    // A public description: API explorers on other origins may read it.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
}
