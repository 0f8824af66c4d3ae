import cluster from 'node:cluster';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AppRouter, appRouter, createContextFactory } from '@gatehouse/api';
import { type AuthServices, StorageUnavailableError } from '@gatehouse/core';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { Logger } from 'pino';
import { clientIp, isSecure } from './client-ip.js';
import type { Config } from './config.js';
import { answerClientError, applyCors, sendJson, setSecurityHeaders } from './http-headers.js';
import { JWKS_PATH, serveJwks } from './jwks-route.js';
import { createOpenApiRoute, OPENAPI_PATH } from './openapi-route.js';
import { createStaticHandler } from './static-files.js';
import { storageOutageLog } from './storage-outage.js';
import { createTrpcFastPath } from './trpc-fast-path.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Matches the client's batch link (MAX_BATCH_SIZE in @gatehouse/client). */
const MAX_BATCH_SIZE = 50;

function workerId(): { worker?: number } {
  return cluster.isWorker && cluster.worker ? { worker: cluster.worker.id } : {};
}

export interface HttpServerOptions {
  config: Config;
  services: AuthServices;
  logger: Logger;
  router?: AppRouter;
  /**
   * Answer plain non-batched calls (GET queries, JSON POST mutations) on the lean path
   * (trpc-fast-path.ts) instead of tRPC's standalone adapter; same responses, a fraction of
   * the cost. On unless
   * GATEHOUSE_TRPC_ADAPTER=standalone (used to run the test suite through tRPC's own adapter).
   */
  trpcFastPath?: boolean;
}

function tooLarge(req: IncomingMessage): boolean {
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > BODY_LIMIT_BYTES;
}

function logRequests(logger: Logger, req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  res.once('finish', () => {
    // The path only: query strings carry procedure input.
    const path = (req.url ?? '').split('?')[0];
    const ms = Math.round((performance.now() - started) * 10) / 10;
    logger.info({ method: req.method, path, status: res.statusCode, ms }, 'request');
  });
}

/** The node:http server: tRPC at /trpc, health probes, CORS, security headers, body limit. */
export function createHttpServer({
  config,
  services,
  logger,
  router = appRouter,
  trpcFastPath = process.env.GATEHOUSE_TRPC_ADAPTER !== 'standalone',
}: HttpServerOptions): Server {
  const allowedOrigins = new Set(config.CORS_ORIGINS);
  // Behind a TLS proxy with TRUST_PROXY=0, cookies lose Secure/__Host- and HSTS is not sent:
  // say so once, the first time a request carries forwarding headers nobody trusts.
  let warnedForwarding = config.TRUST_PROXY > 0;
  const warnUntrustedForwarding = (req: IncomingMessage) => {
    if (warnedForwarding || !req.headers['x-forwarded-proto']) return;
    warnedForwarding = true;
    logger.warn(
      'a request came with X-Forwarded-Proto but TRUST_PROXY=0: it is ignored, so behind a TLS proxy cookies are not Secure and no HSTS is sent; set TRUST_PROXY to the number of proxies in front',
    );
  };
  const createContext = createContextFactory(services, {
    clientIp: (req) => clientIp(req as IncomingMessage, config.TRUST_PROXY),
    isSecure: (req) => isSecure(req as IncomingMessage, config.TRUST_PROXY),
    allowedOrigins: config.CORS_ORIGINS,
  });
  const outage = storageOutageLog(services, logger);
  const onError = ({ error, path }: { error: { code: string; cause?: unknown }; path: string | undefined }) => {
    if (error.cause instanceof StorageUnavailableError) outage.failed(error.cause.cause);
    else if (error.code === 'INTERNAL_SERVER_ERROR')
      logger.error({ err: error.cause ?? error, path }, 'procedure failed');
  };
  const trpc = createHTTPHandler({
    router,
    basePath: '/trpc/',
    maxBodySize: BODY_LIMIT_BYTES,
    // One request may not fan out into an unbounded number of procedure calls.
    maxBatchSize: MAX_BATCH_SIZE,
    createContext,
    onError,
  });
  const fastPath = trpcFastPath ? createTrpcFastPath({ router, basePath: '/trpc/', createContext, onError }) : null;

  const serveOpenApi = createOpenApiRoute(router, config.PUBLIC_URL);
  const serveWeb = config.WEB_DIST ? createStaticHandler(config.WEB_DIST) : null;

  // Request lines carry only method, path, status and time: no redaction pass over each of them
  // (it was a twentieth of the main thread's time on the cheapest calls).
  const requestLogger = logger.child({}, { redact: [] });
  const server = createServer(async (req, res) => {
    logRequests(requestLogger, req, res);
    setSecurityHeaders(res, isSecure(req, config.TRUST_PROXY));
    warnUntrustedForwarding(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // Under WORKERS=N the worker id tells which process answered (load spread, debugging).
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok', ...workerId() });
    if (path === '/readyz') {
      const up = await services.storage.isUp();
      return sendJson(res, up ? 200 : 503, { status: up ? 'ready' : 'unavailable', db: up ? 'up' : 'down' });
    }
    if (path === JWKS_PATH) return serveJwks(req, res, services);
    if (path === OPENAPI_PATH) return serveOpenApi(req, res);
    if (path.startsWith('/trpc/')) {
      const cors = applyCors(req, res, allowedOrigins);
      if (req.method === 'OPTIONS') {
        res.writeHead(cors === 'allowed' ? 204 : 403);
        return res.end();
      }
      if (tooLarge(req)) {
        res.setHeader('Connection', 'close');
        return sendJson(res, 413, {
          error: {
            message: 'Request body is larger than 1 MiB',
            code: -32013,
            data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 },
          },
        });
      }
      if (fastPath && (await fastPath(req, res))) return;
      return trpc(req, res);
    }
    if (serveWeb && (await serveWeb(req, res, path))) return;
    sendJson(res, 404, { error: { message: `No route for ${path}`, data: { code: 'NOT_FOUND', httpStatus: 404 } } });
  });
  server.on('clientError', answerClientError);
  server.once('close', () => outage.stop());
  return server;
}
