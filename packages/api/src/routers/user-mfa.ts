import { authedProcedure, limitPerUser, requireRecentAuth } from '../procedures.js';
import { totpCodeInput } from '../schemas.js';
import { router } from '../trpc.js';

/** The signed-in user's second factors (user.mfa.*); changes need a recent authentication. */
export const userMfaRouter = router({
  /** `{totp, backupCodesLeft, passkeys}` */
  status: authedProcedure.query(({ ctx }) => ctx.services.mfa.status(ctx.user.id)),

  totp: router({
    /**
     * A new secret for the authenticator app (`otpauthUri` for a QR code); pending until
     * user.mfa.totp.enable confirms it with a code.
     */
    setup: authedProcedure.use(limitPerUser('userWrites')).mutation(async ({ ctx }) => {
      return ctx.services.mfa.setupTotp(ctx.user);
    }),

    /** Confirms the pending secret with a code; answers 10 backup codes, shown this once. */
    enable: authedProcedure
      .use(requireRecentAuth)
      .use(limitPerUser('userWrites'))
      .input(totpCodeInput)
      .mutation(async ({ ctx, input }) => ctx.services.mfa.enableTotp(ctx.user, input.code, ctx.client)),
  }),

  backupCodes: router({
    /** Ten new backup codes; the old ones stop working. */
    regenerate: authedProcedure
      .use(requireRecentAuth)
      .use(limitPerUser('userWrites'))
      .mutation(async ({ ctx }) => ctx.services.mfa.regenerateBackupCodes(ctx.user, ctx.client)),
  }),

  /** Removes the authenticator app and the backup codes. */
  disable: authedProcedure
    .use(requireRecentAuth)
    .use(limitPerUser('userWrites'))
    .mutation(async ({ ctx }) => ctx.services.mfa.disable(ctx.user, ctx.client)),
});
