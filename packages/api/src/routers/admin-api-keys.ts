import { toPublicApiKey } from '@gatehouse/core';
import { adminProcedure, limitPerUser, requireRecentAuth } from '../procedures.js';
import { apiKeyIdInput, createApiKeyInput } from '../schemas.js';
import { router } from '../trpc.js';
import { actorOf } from './admin-users.js';

export const adminApiKeysRouter = router({
  /** Returns the full key once, in `key`; it cannot be shown again. */
  create: adminProcedure
    .use(requireRecentAuth)
    .use(limitPerUser('userWrites'))
    .input(createApiKeyInput)
    .mutation(async ({ ctx, input }) => {
      const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
      const created = await ctx.services.apiKeys.create(actorOf(ctx), { ...input, expiresAt });
      return { ...toPublicApiKey(created.record), key: created.key };
    }),

  /** Every key, revoked and expired ones included; never a secret. */
  list: adminProcedure.query(async ({ ctx }) => {
    return { items: (await ctx.services.apiKeys.list()).map(toPublicApiKey) };
  }),

  revoke: adminProcedure
    .use(limitPerUser('userWrites'))
    .input(apiKeyIdInput)
    .mutation(async ({ ctx, input }) => {
      return toPublicApiKey(await ctx.services.apiKeys.revoke(actorOf(ctx), input.id));
    }),
});
