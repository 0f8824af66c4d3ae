export { type AppRouter, appRouter, gatehouseRouters } from './app-router.js';
export * from './context.js';
export { describeError, describeZodError, type FieldErrors } from './errors.js';
export { OAUTH_BROWSER_COOKIE } from './oauth-cookie.js';
export { type ProcedureDescription, procedureDescriptions } from './openapi/descriptions.js';
export { type OpenApiDocument, type OpenApiOptions, openApiDocument } from './openapi/document.js';
export { PROCEDURE_LIMITS, type ProcedureLimit } from './procedure-limits.js';
export {
  adminProcedure,
  apiKeyProcedure,
  authedProcedure,
  hasLimitMiddleware,
  hasRecentAuthGuard,
  limitPerAddress,
  limitPerUser,
  publicProcedure,
  requireRecentAuth,
  requireRole,
} from './procedures.js';
export { clearRefreshCookie, REFRESH_COOKIE, setRefreshCookie } from './refresh-cookie.js';
export { adminRouter } from './routers/admin.js';
export { adminApiKeysRouter } from './routers/admin-api-keys.js';
export { adminAuditRouter } from './routers/admin-audit.js';
export { adminUsersRouter } from './routers/admin-users.js';
export { authRouter, cookieMode, deliver, signInOrChallenge, type TokenPairOutput } from './routers/auth.js';
export { healthProcedure } from './routers/health.js';
export { type OAuthCallbackOutput, oauthRouter } from './routers/oauth.js';
export { serviceRouter } from './routers/service.js';
export { userRouter } from './routers/user.js';
export * as schemas from './schemas.js';
export { createCallerFactory, mergeRouters, middleware, router } from './trpc.js';
