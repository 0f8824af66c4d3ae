import { router } from '../trpc.js';
import { adminApiKeysRouter } from './admin-api-keys.js';
import { adminAuditRouter } from './admin-audit.js';
import { adminUsersRouter } from './admin-users.js';

export const adminRouter = router({ users: adminUsersRouter, apiKeys: adminApiKeysRouter, audit: adminAuditRouter });
