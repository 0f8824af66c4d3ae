import type { IncomingHttpHeaders } from 'node:http';
import type { AuthServices, ClientInfo } from '@gatehouse/core';

/** What every procedure sees: the services, who is calling from where, and their credentials. */
export interface GatehouseContext {
  services: AuthServices;
  client: ClientInfo;
  /** The raw Authorization header, if any. */
  authorization: string | null;
}

export interface ContextRequest {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined };
}

export interface ContextFactoryOptions {
  /** Finds the client's address; the socket address by default (see the server's TRUST_PROXY). */
  clientIp?: (req: ContextRequest) => string | null;
}

function firstHeader(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** Builds the tRPC createContext function for a node:http style request. */
export function createContextFactory(services: AuthServices, options: ContextFactoryOptions = {}) {
  const clientIp = options.clientIp ?? ((req: ContextRequest) => req.socket.remoteAddress ?? null);
  return ({ req }: { req: ContextRequest }): GatehouseContext => ({
    services,
    client: { ip: clientIp(req), userAgent: firstHeader(req.headers['user-agent']) },
    authorization: firstHeader(req.headers.authorization),
  });
}
