import type { MfaRequired } from '@gatehouse/core';
import { browserBinding, ensureBrowserBinding } from '../oauth-cookie.js';
import { limitPerAddress, publicProcedure } from '../procedures.js';
import { oauthCallbackInput, oauthStartInput } from '../schemas.js';
import { router } from '../trpc.js';
import { cookieMode, signInOrChallenge, type TokenPairOutput } from './auth.js';

/** The token pair (or, for accounts with a second factor, the pending sign-in) and where to go next. */
export type OAuthCallbackOutput = (TokenPairOutput | MfaRequired) & {
  /** The same-origin path given to oauth.start, if any. */
  returnTo: string | null;
};

export const oauthRouter = router({
  /** The enabled providers, for "Continue with …" buttons. */
  providers: publicProcedure.query(({ ctx }) => ctx.services.oauth.listProviders()),

  /** Returns the provider's authorization URL; the browser goes there next. */
  // Limited per address: each call stores a pending sign-in (kept 10 minutes).
  start: publicProcedure
    .use(limitPerAddress('oauthStart'))
    .input(oauthStartInput)
    .mutation(async ({ ctx, input }) => {
      const browserSecret = ensureBrowserBinding(ctx.http);
      return ctx.services.oauth.start({ provider: input.provider, returnTo: input.returnTo, browserSecret });
    }),

  /** Called by the web app's callback page with what the provider put in the URL; signs in like auth.login. */
  // A sign-in attempt like a password one: it costs calls to the provider and may create an account.
  callback: publicProcedure
    .use(limitPerAddress('login'))
    .input(oauthCallbackInput)
    .mutation(async ({ ctx, input }): Promise<OAuthCallbackOutput> => {
      const inCookie = cookieMode(ctx, input.refreshCookie);
      const outcome = await ctx.services.oauth.complete({
        provider: input.provider,
        code: input.code,
        state: input.state,
        browserSecret: browserBinding(ctx.http),
        client: ctx.client,
      });
      // A provider sign-in is a first factor like a password: a second factor is still asked for.
      const answer = await signInOrChallenge(ctx, outcome.user, `oauth:${input.provider}`, inCookie);
      return { ...answer, returnTo: outcome.returnTo };
    }),
});
