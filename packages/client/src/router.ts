import type { AppRouter as ServerRouter } from '@gatehouse/api';
import type {
  AnyTRPCMutationProcedure,
  AnyTRPCQueryProcedure,
  AnyTRPCRouter,
  AnyTRPCSubscriptionProcedure,
  TRPCBuiltRouter,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCSubscriptionProcedure,
} from '@trpc/server';

/**
 * The router's shape as the wire sees it: each procedure's kind, input and output, and the error
 * shape, with the server's context and the core/db types it names left out. The helper types live
 * inside this function on purpose: declaration emit cannot name them from dist/router.d.ts, so it
 * writes every type out in full and the published declarations carry the router's real types
 * with no import of @gatehouse/api, core or db (which an app installing the SDK does not have).
 */
function wireShape() {
  // Every step below builds a new type rather than passing the server's through: declaration
  // emit reuses a property's written annotation (e.g. core's `Role`) whenever the type is
  // identical to it, so strings go through an indexed access and objects through key lists.
  type Str<T> = { [K in T & string]: K }[T & string];
  type OptionalKeys<T> = {
    [K in keyof T]-?: string extends K
      ? never
      : number extends K
        ? never
        : Pick<T, K> extends Required<Pick<T, K>>
          ? never
          : K;
  }[keyof T];
  type Flat<T> = { [K in keyof T]: T[K] };
  type Obj<T> = Flat<
    { [K in Exclude<keyof T, OptionalKeys<T>>]: Plain<T[K]> } & { [K in OptionalKeys<T>]?: Plain<T[K]> }
  >;
  type Rest<T> = T extends object
    ? T extends Date
      ? T
      : T extends readonly (infer E)[]
        ? T extends unknown[]
          ? Plain<E>[]
          : readonly Plain<E>[]
        : Obj<T>
    : T;
  type Plain<T> = unknown extends T ? T : Str<Extract<T, string>> | Rest<Exclude<T, string>>;
  type Def<P extends { _def: { $types: { input: unknown; output: unknown } } }> = {
    input: Plain<P['_def']['$types']['input']>;
    output: Plain<P['_def']['$types']['output']>;
    meta: object;
  };
  type Wire<R> = {
    [K in keyof R]: R[K] extends AnyTRPCQueryProcedure
      ? TRPCQueryProcedure<Def<R[K]>>
      : R[K] extends AnyTRPCMutationProcedure
        ? TRPCMutationProcedure<Def<R[K]>>
        : R[K] extends AnyTRPCSubscriptionProcedure
          ? TRPCSubscriptionProcedure<Def<R[K]>>
          : R[K] extends AnyTRPCRouter
            ? Wire<R[K]['_def']['record']>
            : Wire<R[K]>;
  };
  type Root = ServerRouter['_def']['_config']['$types'];
  return null as unknown as TRPCBuiltRouter<
    { ctx: object; meta: object; errorShape: Plain<Root['errorShape']>; transformer: false },
    Wire<ServerRouter['_def']['record']>
  >;
}

/** Never read at run time; only its type matters (see wireShape). */
export const wireRouter = wireShape();
