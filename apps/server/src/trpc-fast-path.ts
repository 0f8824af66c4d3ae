import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyTRPCProcedure, AnyTRPCRouter } from '@trpc/server';
import {
  getErrorShape,
  getHTTPStatusCode,
  getProcedureAtPath,
  getTRPCErrorFromUnknown,
  type MiddlewareResult,
  middlewareMarker,
  TRPCError,
} from '@trpc/server/unstable-core-do-not-import';

const utf8 = new TextDecoder();

function readBody(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

interface CallOptions {
  path: string;
  type: 'query' | 'mutation';
  ctx: unknown;
  input?: unknown;
  getRawInput: () => Promise<unknown>;
  signal: undefined;
  batchIndex: number;
}

type MiddlewareFn = (opts: object) => Promise<MiddlewareResult<unknown>>;
interface NextOptions {
  ctx?: object;
  input?: unknown;
  getRawInput?: () => Promise<unknown>;
}

/**
 * Runs a procedure's middleware chain as tRPC's procedure caller does, with native object spread:
 * tRPC's build copies the options with a defineProperty-per-key helper at each level, which was
 * a seventh of the main thread's time on `health`. adapter-parity.test.ts holds the answers equal.
 */
async function runChain(
  procedure: AnyTRPCProcedure,
  index: number,
  opts: CallOptions,
): Promise<MiddlewareResult<unknown>> {
  const def = procedure._def as unknown as { middlewares: MiddlewareFn[]; meta: unknown };
  try {
    const middleware = def.middlewares[index] as MiddlewareFn;
    return await middleware({
      ...opts,
      meta: def.meta,
      input: opts.input,
      next(next?: NextOptions) {
        return runChain(procedure, index + 1, {
          ...opts,
          ctx: next?.ctx ? { ...(opts.ctx as object), ...next.ctx } : opts.ctx,
          input: next && 'input' in next ? next.input : opts.input,
          getRawInput: next?.getRawInput ?? opts.getRawInput,
        });
      },
    });
  } catch (cause) {
    return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker } as MiddlewareResult<unknown>;
  }
}

async function callProcedure(procedure: AnyTRPCProcedure, opts: CallOptions): Promise<unknown> {
  // A procedure with a caller override (experimental_caller) goes through tRPC itself.
  if ((procedure._def as { caller?: unknown }).caller) return procedure(opts);
  const result = await runChain(procedure, 0, opts);
  if (!result) {
    throw new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'No result from middlewares - did you forget to `return next()`?',
    });
  }
  if (!result.ok) throw result.error;
  return result.data;
}

/** One procedure path, plain (no batching, no percent-encoding). */
const PLAIN_PATH = /^[A-Za-z0-9_.-]+$/;

export interface FastPathOptions<TContext> {
  router: AnyTRPCRouter;
  /** tRPC's basePath, e.g. '/trpc/'. */
  basePath: string;
  createContext: (opts: { req: IncomingMessage; res: ServerResponse }) => TContext | Promise<TContext>;
  onError?: (opts: { error: TRPCError; path: string }) => void;
}

/**
 * A lean node:http path for the commonest tRPC calls: one non-batched GET query with JSON
 * input (or none), or one POST mutation with a JSON body of declared length. It calls the
 * procedure as tRPC's own resolveResponse does and writes the same status, headers and JSON
 * body, without building a Fetch Request, AbortSignals and web streams per call. Anything
 * else (batches, streaming, other methods or content types, chunked bodies, odd paths, a
 * wrong method for the procedure, unparsable query input) returns false untouched, for
 * tRPC's standalone adapter to answer.
 */
export function createTrpcFastPath<TContext>(options: FastPathOptions<TContext>) {
  const { router, basePath, createContext, onError } = options;
  const config = router._def._config;
  const serialize = (value: unknown): unknown => config.transformer.output.serialize(value);
  const procedures = new Map<string, AnyTRPCProcedure>();

  /** The query (GET) or mutation (POST) at `path`; null sends the call to tRPC's adapter. */
  async function procedureAt(path: string, type: 'query' | 'mutation'): Promise<AnyTRPCProcedure | null> {
    const known = procedures.get(path);
    if (known) return known._def.type === type ? known : null;
    const found = (await getProcedureAtPath(router, path)) as AnyTRPCProcedure | null;
    if (found?._def.type !== 'query' && found?._def.type !== 'mutation') return null;
    procedures.set(path, found);
    return found._def.type === type ? found : null;
  }

  return async function fastPath(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const type = req.method === 'GET' ? 'query' : req.method === 'POST' ? 'mutation' : null;
    if (!type) return false;
    const url = req.url ?? '';
    if (!url.startsWith(basePath)) return false;
    const headers = req.headers;
    if (headers['trpc-accept'] !== undefined) return false;
    const contentType = headers['content-type'];
    if (type === 'query' && contentType !== undefined && !contentType.startsWith('application/json')) return false;
    // A POST body is read here only when its length is declared (the caller refused more than
    // the limit already); chunked bodies stay with tRPC, which counts them as they arrive.
    if (type === 'mutation' && !(contentType?.startsWith('application/json') && headers['content-length']))
      return false;
    if (type === 'mutation' && headers['transfer-encoding'] !== undefined) return false;
    const q = url.indexOf('?');
    const path = url.slice(basePath.length, q === -1 ? undefined : q);
    if (!PLAIN_PATH.test(path)) return false;
    const search = q === -1 ? null : new URLSearchParams(url.slice(q + 1));
    if (search && (search.has('batch') || search.has('connectionParams'))) return false;
    const procedure = await procedureAt(path, type);
    if (!procedure) return false;

    let input: unknown;
    let getRawInput: () => Promise<unknown>;
    if (type === 'query') {
      const text = search?.get('input');
      if (text) {
        try {
          input = JSON.parse(text);
        } catch {
          return false; // tRPC words the parse error
        }
      }
      getRawInput = async () => input;
    } else {
      // As tRPC's Request.json(): UTF-8 without BOM, then JSON.parse.
      let bytes: Uint8Array;
      try {
        bytes = await readBody(req);
      } catch {
        res.destroy(); // the client went away mid-body; nobody is left to answer
        return true;
      }
      const text = utf8.decode(bytes);
      getRawInput = async () => {
        try {
          input = JSON.parse(text);
        } catch (cause) {
          // What tRPC's memoised input reader throws for a body it cannot parse.
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: cause instanceof Error ? cause.message : 'Invalid input',
            cause,
          });
        }
        return input;
      };
    }

    let ctx: TContext | undefined;
    let body: unknown;
    try {
      ctx = await createContext({ req, res });
      const data = await callProcedure(procedure, {
        path,
        getRawInput,
        ctx,
        type,
        signal: undefined,
        batchIndex: 0,
      });
      // What transformTRPCResponse makes of it, without its defineProperty-per-key copies.
      body = { result: { data: serialize(data) } };
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      onError?.({ error, path });
      body = { error: serialize(getErrorShape({ config, ctx, error, input, path, type })) };
    }
    if (res.statusCode === 200) res.statusCode = getHTTPStatusCode([body] as Parameters<typeof getHTTPStatusCode>[0]);
    res.setHeader('vary', 'trpc-accept, accept');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
    return true;
  };
}
