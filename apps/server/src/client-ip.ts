import type { IncomingMessage } from 'node:http';

/**
 * The caller's address: the socket's, unless `trustedHops` proxies sit in front, in which case
 * that many entries are read from the right of X-Forwarded-For. Entries further left are
 * whatever the client claimed and are never trusted.
 */
export function clientIp(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustedHops: number): string | null {
  const socketIp = req.socket.remoteAddress ?? null;
  if (trustedHops === 0) return socketIp;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const chain = [...forwarded, socketIp ?? ''];
  return chain[Math.max(0, chain.length - 1 - trustedHops)] || socketIp;
}

/** True when the client used https: a TLS socket, or a trusted proxy saying so. */
export function isSecure(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustedHops: number): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  if (trustedHops === 0) return false;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim();
  return first === 'https';
}
