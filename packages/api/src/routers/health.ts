import { createRequire } from 'node:module';
import { publicProcedure } from '../procedures.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export const healthProcedure = publicProcedure.query(async ({ ctx }) => {
  const up = await ctx.services.storage.isUp();
  return {
    status: up ? ('ok' as const) : ('degraded' as const),
    version,
    db: up ? ('up' as const) : ('down' as const),
  };
});
