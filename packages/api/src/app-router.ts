import { adminRouter } from './routers/admin.js';
import { authRouter } from './routers/auth.js';
import { healthProcedure } from './routers/health.js';
import { oauthRouter } from './routers/oauth.js';
import { serviceRouter } from './routers/service.js';
import { userRouter } from './routers/user.js';
import { router } from './trpc.js';

/** Gatehouse's procedures, to spread into an app's own router: router({ ...gatehouseRouters, notes }). */
export const gatehouseRouters = {
  health: healthProcedure,
  auth: authRouter,
  oauth: oauthRouter,
  user: userRouter,
  admin: adminRouter,
  service: serviceRouter,
};

export const appRouter = router(gatehouseRouters);
export type AppRouter = typeof appRouter;
