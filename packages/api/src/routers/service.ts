import { GatehouseError, toPublicUser } from '@gatehouse/core';
import { apiKeyProcedure } from '../procedures.js';
import { introspectInput, serviceUserInput } from '../schemas.js';
import { router } from '../trpc.js';

/** Procedures for other services, authenticated by API key (X-API-Key), never by a user token. */
export const serviceRouter = router({
  /**
   * RFC 7662-style: { active: true, sub, username, role, exp, iat, jti } for an access token this
   * server would accept right now, { active: false } for anything else. A mutation (POST), so
   * tokens never travel in URLs.
   */
  introspect: apiKeyProcedure('tokens:introspect')
    .input(introspectInput)
    .mutation(async ({ ctx, input }) => ctx.services.authenticator.introspect(input.token)),

  users: router({
    get: apiKeyProcedure('users:read')
      .input(serviceUserInput)
      .query(async ({ ctx, input }) => {
        const user = await ctx.services.accounts.findById(input.id);
        if (!user) throw new GatehouseError('NOT_FOUND', 'User not found', 'id');
        return toPublicUser(user);
      }),
  }),
});
