import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const PAGE_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/** A file under `root` for a URL path, or null when the path tries to leave it. */
function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = normalize(join(root, decoded));
  return file === root || file.startsWith(root + sep) ? file : null;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

function send(req: IncomingMessage, res: ServerResponse, file: string, cacheControl: string): void {
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', cacheControl);
  if (type.startsWith('text/html')) res.setHeader('Content-Security-Policy', PAGE_POLICY);
  res.writeHead(200);
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}

/**
 * Serves the built web app: hashed files under /assets are cached for a year, everything else
 * is revalidated, and unknown paths without an extension get index.html (client-side routes).
 * Resolves false when the request is not one for the web app.
 */
export function createStaticHandler(root: string) {
  const base = normalize(root);
  const index = join(base, 'index.html');
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const file = resolveInside(base, path);
    if (file && file !== base && (await isFile(file))) {
      const hashed = path.startsWith('/assets/');
      send(req, res, file, hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      return true;
    }
    if (extname(path) === '' && (await isFile(index))) {
      send(req, res, index, 'no-cache');
      return true;
    }
    return false;
  };
}
