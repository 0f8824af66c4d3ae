import { describe, expect, it } from 'vitest';
import { appRouter, hasRecentAuthGuard } from '../src/index.js';

type Procedure = { _def: { middlewares: readonly object[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);

/** Issue 14's sensitive changes. */
const SENSITIVE = [
  'admin.apiKeys.create',
  'user.changePassword',
  'user.device.approve',
  'user.linkAccount',
  'user.mfa.backupCodes.regenerate',
  'user.mfa.disable',
  'user.mfa.totp.enable',
  'user.passkeys.delete',
  'user.passkeys.register',
  'user.requestEmailChange',
  'user.setPassword',
  'user.unlinkAccount',
];

describe('step-up', () => {
  it('guards every sensitive procedure with requireRecentAuth', () => {
    const guarded = procedures.filter(([, procedure]) => hasRecentAuthGuard(procedure)).map(([path]) => path);
    for (const path of SENSITIVE) expect(guarded, path).toContain(path);
  });
});
