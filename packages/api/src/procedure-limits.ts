/**
 * The limit that applies to every procedure, for the docs' table; a test holds it to the router
 * (every procedure listed, every `middleware` entry really carries limitPerAddress/limitPerUser,
 * no mutation left at `read-only`) and to docs/rate-limits-and-api-keys.md.
 */
export interface ProcedureLimit {
  /** middleware: limitPerAddress/limitPerUser in its chain; service: counted inside core; read-only: reads the caller's own data. */
  by: 'middleware' | 'service' | 'read-only';
  limit: string;
}

const perUser = 'RATE_LIMIT_USER_WRITES_PER_MINUTE per user';
const mailRequests =
  'RATE_LIMIT_EMAIL_REQUESTS_PER_HOUR per address and RATE_LIMIT_EMAILS_PER_TARGET_PER_HOUR per target address or account';

const deviceDecision = `${perUser}; RATE_LIMIT_DEVICE_CODE_FAILURES_PER_HOUR wrong codes per user and per address`;

export const PROCEDURE_LIMITS: Record<string, ProcedureLimit> = {
  health: { by: 'read-only', limit: 'none: public status, no secret, nothing written' },
  'auth.register': { by: 'middleware', limit: 'RATE_LIMIT_REGISTER_PER_HOUR per address' },
  'auth.login': {
    by: 'service',
    limit: 'RATE_LIMIT_LOGIN_PER_MINUTE per address; account and account+address lock-outs',
  },
  'auth.refresh': { by: 'middleware', limit: 'RATE_LIMIT_REFRESH_PER_MINUTE per address' },
  'auth.emailOptions': { by: 'read-only', limit: 'none: which email flows the server offers' },
  'auth.requestEmailVerification': { by: 'service', limit: mailRequests },
  'auth.verifyEmail': { by: 'middleware', limit: 'RATE_LIMIT_REFRESH_PER_MINUTE per address (a 256-bit mailed token)' },
  'auth.requestPasswordReset': { by: 'service', limit: mailRequests },
  'auth.resetPassword': { by: 'middleware', limit: 'RATE_LIMIT_LOGIN_PER_MINUTE per address (a 256-bit mailed token)' },
  'auth.confirmEmailChange': {
    by: 'middleware',
    limit: 'RATE_LIMIT_REFRESH_PER_MINUTE per address (a 256-bit mailed token)',
  },
  'auth.requestSignInLink': { by: 'service', limit: mailRequests },
  'auth.signInWithLink': {
    by: 'middleware',
    limit: 'RATE_LIMIT_LOGIN_PER_MINUTE per address (a 256-bit mailed token)',
  },
  'auth.device.start': { by: 'middleware', limit: 'RATE_LIMIT_DEVICE_START_PER_MINUTE per address' },
  'auth.device.poll': {
    by: 'middleware',
    limit:
      'RATE_LIMIT_DEVICE_POLL_PER_MINUTE per address; slow_down (interval + 5 s) when polled faster than the interval',
  },
  'auth.passkey.options': { by: 'middleware', limit: 'RATE_LIMIT_PASSKEY_CHALLENGES_PER_MINUTE per address' },
  'auth.passkey.verify': {
    by: 'middleware',
    limit: 'RATE_LIMIT_LOGIN_PER_MINUTE per address (a signature over a single-use challenge)',
  },
  'auth.mfa.verify': {
    by: 'middleware',
    limit:
      'RATE_LIMIT_LOGIN_PER_MINUTE per address; RATE_LIMIT_MFA_ATTEMPTS_PER_HOUR per account; 5 wrong codes end the mfaToken',
  },
  'auth.reauthenticate': {
    by: 'middleware',
    limit: 'RATE_LIMIT_LOGIN_PER_MINUTE per address; RATE_LIMIT_MFA_ATTEMPTS_PER_HOUR per account',
  },
  'auth.logout': { by: 'service', limit: 'needs a live refresh token (256-bit secret); a guess changes nothing' },
  'oauth.providers': { by: 'read-only', limit: 'none: public list of enabled providers' },
  'oauth.start': { by: 'middleware', limit: 'RATE_LIMIT_OAUTH_START_PER_MINUTE per address' },
  'oauth.callback': { by: 'middleware', limit: 'RATE_LIMIT_LOGIN_PER_MINUTE per address' },
  'user.me': { by: 'read-only', limit: 'none: the caller’s own record' },
  'user.update': { by: 'middleware', limit: perUser },
  'user.changePassword': { by: 'middleware', limit: 'RATE_LIMIT_PASSWORD_CHANGE_PER_HOUR per address and per user' },
  'user.requestEmailVerification': { by: 'service', limit: mailRequests },
  'user.requestEmailChange': { by: 'service', limit: mailRequests },
  'user.sessions': { by: 'read-only', limit: 'none: the caller’s own sessions' },
  'user.revokeSession': { by: 'middleware', limit: perUser },
  'user.logoutAll': { by: 'middleware', limit: perUser },
  'user.linkedAccounts': { by: 'read-only', limit: 'none: the caller’s own identities' },
  'user.linkAccount': { by: 'middleware', limit: `RATE_LIMIT_OAUTH_START_PER_MINUTE per address; ${perUser}` },
  'user.unlinkAccount': { by: 'middleware', limit: perUser },
  'user.setPassword': { by: 'middleware', limit: 'RATE_LIMIT_PASSWORD_CHANGE_PER_HOUR per address and per user' },
  'user.device.approve': { by: 'middleware', limit: deviceDecision },
  'user.device.deny': { by: 'middleware', limit: deviceDecision },
  'user.passkeys.registrationOptions': {
    by: 'middleware',
    limit: `RATE_LIMIT_PASSKEY_CHALLENGES_PER_MINUTE per address; ${perUser}`,
  },
  'user.passkeys.register': { by: 'middleware', limit: perUser },
  'user.passkeys.list': { by: 'read-only', limit: 'none: the caller’s own passkeys' },
  'user.passkeys.rename': { by: 'middleware', limit: perUser },
  'user.passkeys.delete': { by: 'middleware', limit: perUser },
  'user.mfa.status': { by: 'read-only', limit: 'none: the caller’s own factors' },
  'user.mfa.totp.setup': { by: 'middleware', limit: perUser },
  'user.mfa.totp.enable': { by: 'middleware', limit: `${perUser}; RATE_LIMIT_MFA_ATTEMPTS_PER_HOUR per account` },
  'user.mfa.backupCodes.regenerate': { by: 'middleware', limit: perUser },
  'user.mfa.disable': { by: 'middleware', limit: perUser },
  'admin.users.list': { by: 'read-only', limit: 'none: admins only' },
  'admin.users.setRole': { by: 'middleware', limit: perUser },
  'admin.users.setActive': { by: 'middleware', limit: perUser },
  'admin.users.sendPasswordReset': { by: 'middleware', limit: `${perUser}; ${mailRequests}` },
  'admin.users.resetMfa': { by: 'middleware', limit: perUser },
  'admin.users.delete': { by: 'middleware', limit: perUser },
  'admin.apiKeys.create': { by: 'middleware', limit: perUser },
  'admin.apiKeys.list': { by: 'read-only', limit: 'none: admins only' },
  'admin.apiKeys.revoke': { by: 'middleware', limit: perUser },
  'admin.audit.list': { by: 'read-only', limit: 'none: admins only' },
  'service.introspect': {
    by: 'service',
    limit: 'an API key with tokens:introspect; RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE refused keys per address',
  },
  'service.users.get': {
    by: 'service',
    limit: 'an API key with users:read; RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE refused keys per address',
  },
};
