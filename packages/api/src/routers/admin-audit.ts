import { toPublicAuditEvent } from '@gatehouse/core';
import { adminProcedure } from '../procedures.js';
import { listAuditInput } from '../schemas.js';
import { router } from '../trpc.js';

export const adminAuditRouter = router({
  /** Newest first; pass nextCursor back as cursor for the next page. */
  list: adminProcedure.input(listAuditInput).query(async ({ ctx, input }) => {
    const page = await ctx.services.audit.list({
      userId: input.userId,
      type: input.type,
      from: input.from ? new Date(input.from) : undefined,
      to: input.to ? new Date(input.to) : undefined,
      cursor: input.cursor ?? undefined,
      limit: input.limit,
    });
    return {
      items: page.items.map(toPublicAuditEvent),
      nextCursor: page.nextCursor,
      // JSON keys are strings: { "12": "alice" }.
      usernames: Object.fromEntries(page.usernames),
    };
  }),
});
