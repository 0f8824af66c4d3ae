import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createContextFactory } from '@gatehouse/api';
import { type AuthServices, createAuthServices } from '@gatehouse/core';
import { openDatabase } from '@gatehouse/db';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { notesAppRouter } from './notes-router.js';

export interface NotesServerOptions {
  port?: number;
  databaseUrl?: string;
  jwtSecret: string;
  bcryptCost?: number;
}

export interface NotesServer {
  url: string;
  server: Server;
  services: AuthServices;
  close(): Promise<void>;
}

/** A minimal app on Gatehouse: its services, its context factory and a merged router on node:http. */
export async function startNotesServer(options: NotesServerOptions): Promise<NotesServer> {
  const services = createAuthServices({
    db: await openDatabase(options.databaseUrl ?? ':memory:'),
    jwtSecret: options.jwtSecret,
    issuer: 'notes-example',
    audience: 'notes-example',
    accessTokenTtlSeconds: 900,
    refreshTokenTtlSeconds: 30 * 86400,
    bcryptCost: options.bcryptCost ?? 12,
  });
  const handler = createHTTPHandler({
    router: notesAppRouter,
    basePath: '/trpc/',
    createContext: createContextFactory(services),
  });
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/trpc/')) return handler(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    await new Promise((resolve) => server.close(resolve));
    await services.close();
  };
  return { url: `http://127.0.0.1:${port}`, server, services, close };
}
