import type { IncomingHttpHeaders } from 'node:http';
import type { AuthServices, ClientInfo } from '@gatehouse/core';
import { parse as parseCookies } from 'cookie';

/** The parts of the HTTP exchange procedures may read or write (cookies, origin checks). */
export interface HttpExchange {
  cookies(): Record<string, string | undefined>;
  /** The Origin header of the request, if any. */
  origin: string | null;
  /** Origins whose pages may use the refresh cookie: this server's own and the CORS allow-list. */
  trustedOrigins: ReadonlySet<string>;
  /** True when the client reached the server over https. */
  secure: boolean;
  appendHeader(name: string, value: string): void;
}

/** What every procedure sees: the services, who is calling from where, and their credentials. */
export interface GatehouseContext {
  services: AuthServices;
  client: ClientInfo;
  /** The raw Authorization header, if any. */
  authorization: string | null;
  /** The raw X-API-Key header, if any (service calls). Optional so hand-built contexts need not set it. */
  apiKeyHeader?: string | null;
  http: HttpExchange;
}

export interface ContextRequest {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined; encrypted?: boolean };
}

export interface ContextResponse {
  appendHeader(name: string, value: string | readonly string[]): unknown;
}

export interface ContextFactoryOptions {
  /** Finds the client's address; the socket address by default (see the server's TRUST_PROXY). */
  clientIp?: (req: ContextRequest) => string | null;
  /** Whether the client used https; by default whether the socket is TLS. */
  isSecure?: (req: ContextRequest) => boolean;
  /** Cross-origin pages allowed to use the refresh cookie (the server's CORS allow-list). */
  allowedOrigins?: Iterable<string>;
}

function firstHeader(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function exchange(req: ContextRequest, res: ContextResponse, secure: boolean, allowed: Iterable<string>): HttpExchange {
  const host = firstHeader(req.headers.host);
  const trustedOrigins = new Set(allowed);
  if (host) trustedOrigins.add(`${secure ? 'https' : 'http'}://${host}`);
  let cookies: Record<string, string | undefined> | null = null;
  return {
    cookies: () => {
      cookies ??= parseCookies(firstHeader(req.headers.cookie) ?? '');
      return cookies;
    },
    origin: firstHeader(req.headers.origin),
    trustedOrigins,
    secure,
    appendHeader: (name, value) => res.appendHeader(name, value),
  };
}

/** Builds the tRPC createContext function for a node:http style request. */
export function createContextFactory(services: AuthServices, options: ContextFactoryOptions = {}) {
  const clientIp = options.clientIp ?? ((req: ContextRequest) => req.socket.remoteAddress ?? null);
  const isSecure = options.isSecure ?? ((req: ContextRequest) => req.socket.encrypted === true);
  const allowed = [...(options.allowedOrigins ?? [])];
  return ({ req, res }: { req: ContextRequest; res: ContextResponse }): GatehouseContext => ({
    services,
    client: { ip: clientIp(req), userAgent: firstHeader(req.headers['user-agent']) },
    authorization: firstHeader(req.headers.authorization),
    apiKeyHeader: firstHeader(req.headers['x-api-key']),
    http: exchange(req, res, isSecure(req), allowed),
  });
}
