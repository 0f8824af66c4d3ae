#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { startNotesServer } from './notes-server.js';

const jwtSecret = process.env.JWT_SECRET ?? randomBytes(32).toString('base64url');
const app = await startNotesServer({
  port: Number(process.env.PORT ?? 3100),
  jwtSecret,
  databaseUrl: process.env.DATABASE_URL,
});
process.stdout.write(`notes example listening on ${app.url}\n`);
