import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

const ALLOWED_HEADERS = 'authorization, content-type, trpc-accept, x-trpc-source, x-api-key';
/** Response headers cross-origin pages may read (rate-limited answers say when to retry). */
const EXPOSED_HEADERS = 'Retry-After';

/** Headers every response carries. */
export function setSecurityHeaders(res: ServerResponse, secure: boolean): void {
  if (secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

export type CorsOutcome = 'no-origin' | 'allowed' | 'refused';

/** Adds CORS headers for an allow-listed Origin; others get none, so browsers block them. */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: ReadonlySet<string>): CorsOutcome {
  const origin = req.headers.origin;
  if (!origin) return 'no-origin';
  res.setHeader('Vary', 'Origin');
  if (!allowed.has(origin)) return 'refused';
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
  }
  return 'allowed';
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Requests Node's HTTP parser refuses before any handler runs (a request head over 16 KiB,
 * malformed HTTP) get a JSON error like every other refusal instead of Node's bare status line.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const headTooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = headTooLarge ? 431 : 400;
  const body = JSON.stringify({
    error: {
      message: headTooLarge
        ? 'The request line and headers are larger than 16 KiB; send large input as a POST body'
        : 'Malformed HTTP request',
      code: -32600,
      data: { code: 'BAD_REQUEST', httpStatus: status },
    },
  });
  const reason = headTooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
  );
}
