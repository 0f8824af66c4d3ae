import {
  passkeyIdInput,
  passkeyOptionsInput,
  passkeyVerifyInput,
  registerPasskeyInput,
  renamePasskeyInput,
} from '../passkey-schemas.js';
import { authedProcedure, limitPerAddress, limitPerUser, publicProcedure, requireRecentAuth } from '../procedures.js';
import { cookieMode, deliver, type TokenPairOutput } from '../token-delivery.js';
import { router } from '../trpc.js';

/** user.passkeys.*: a signed-in user's passkeys. */
export const userPasskeysRouter = router({
  /** Creation options for navigator.credentials.create (startRegistration), and the challenge's id. */
  registrationOptions: authedProcedure
    .use(limitPerAddress('passkeyChallenge'))
    .use(limitPerUser('userWrites'))
    .mutation(({ ctx }) => ctx.services.passkeys.registrationOptions(ctx.user)),

  /** Verifies the browser's answer to registrationOptions and stores the passkey. */
  register: authedProcedure
    .use(limitPerUser('userWrites'))
    .use(requireRecentAuth)
    .input(registerPasskeyInput)
    .mutation(({ ctx, input }) =>
      ctx.services.passkeys.register(ctx.user.id, input.response, input.name, ctx.client, input.challengeId),
    ),

  list: authedProcedure.query(({ ctx }) => ctx.services.passkeys.list(ctx.user.id)),

  rename: authedProcedure
    .use(limitPerUser('userWrites'))
    .input(renamePasskeyInput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.passkeys.rename(ctx.user.id, input.id, input.name, ctx.client);
      return { ok: true as const };
    }),

  delete: authedProcedure
    .use(limitPerUser('userWrites'))
    .use(requireRecentAuth)
    .input(passkeyIdInput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.passkeys.delete(ctx.user.id, input.id, ctx.client);
      return { ok: true as const };
    }),
});

/** auth.passkey.*: sign-in with a passkey, no username needed; counts as two factors. */
export const authPasskeyRouter = router({
  /** Request options for navigator.credentials.get (startAuthentication), and the challenge's id. */
  options: publicProcedure
    .use(limitPerAddress('passkeyChallenge'))
    .input(passkeyOptionsInput)
    .mutation(({ ctx, input }) => ctx.services.passkeys.authenticationOptionsFor(input.username)),

  verify: publicProcedure
    .use(limitPerAddress('login'))
    .input(passkeyVerifyInput)
    .mutation(async ({ ctx, input }): Promise<TokenPairOutput> => {
      const inCookie = cookieMode(ctx, input.refreshCookie);
      const user = await ctx.services.passkeys.signIn(input.response, input.challengeId, ctx.client);
      return deliver(ctx, await ctx.services.sessions.open(user, ctx.client), inCookie);
    }),
});
