import { authedProcedure, limitPerAddress, limitPerUser, publicProcedure, requireRecentAuth } from '../procedures.js';
import { devicePollInput, deviceStartInput, userCodeInput } from '../schemas.js';
import { router } from '../trpc.js';
import type { TokenPairOutput } from './auth.js';

type DevicePollOutput =
  | { status: 'authorization_pending' | 'access_denied' | 'expired_token' }
  | { status: 'slow_down'; interval: number }
  | ({ status: 'approved' } & TokenPairOutput);

/** The device's side of RFC 8628 sign-in (auth.device.*): no session yet. */
export const deviceAuthRouter = router({
  /** Issues a device code (kept by the device) and a user code (typed by the user at /device). */
  start: publicProcedure
    .use(limitPerAddress('deviceStart'))
    .input(deviceStartInput)
    .mutation(({ ctx, input }) => ctx.services.device.start(input.clientName ?? null)),

  /** Polled by the device every `interval` seconds until approved, denied or expired. */
  poll: publicProcedure
    .use(limitPerAddress('devicePoll'))
    .input(devicePollInput)
    .mutation(async ({ ctx, input }): Promise<DevicePollOutput> => {
      const outcome = await ctx.services.device.poll(input.deviceCode, ctx.client);
      if (outcome.status !== 'approved') return outcome;
      return { status: 'approved', ...outcome.issued.tokens };
    }),
});

/** The signed-in user's side (user.device.*): approve or deny the code a device shows. */
export const deviceUserRouter = router({
  /**
   * Needs a recent authentication: approving hands the device a session of its own, which would
   * otherwise let a stolen access token outlive its 15 minutes.
   */
  approve: authedProcedure
    .use(limitPerUser('userWrites'))
    .use(requireRecentAuth)
    .input(userCodeInput)
    .mutation(async ({ ctx, input }) => {
      const { clientName } = await ctx.services.device.approve(ctx.user.id, input.userCode, ctx.client);
      return { ok: true as const, clientName };
    }),

  deny: authedProcedure
    .use(limitPerUser('userWrites'))
    .input(userCodeInput)
    .mutation(async ({ ctx, input }) => {
      const { clientName } = await ctx.services.device.deny(ctx.user.id, input.userCode, ctx.client);
      return { ok: true as const, clientName };
    }),
});
