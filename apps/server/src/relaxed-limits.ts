/**
 * Rate limits high enough that a test suite signing in many times from 127.0.0.1 never meets
 * them. For test harnesses only; tests of the limits themselves leave these unset.
 */
export const RELAXED_RATE_LIMITS: Readonly<Record<string, string>> = {
  RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
  RATE_LIMIT_REGISTER_PER_HOUR: '100000',
  RATE_LIMIT_REFRESH_PER_MINUTE: '100000',
  RATE_LIMIT_OAUTH_START_PER_MINUTE: '100000',
  RATE_LIMIT_PASSWORD_CHANGE_PER_HOUR: '100000',
  RATE_LIMIT_USER_WRITES_PER_MINUTE: '100000',
  RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE: '100000',
  RATE_LIMIT_ACCOUNT_IP_FAILURES: '100000',
  RATE_LIMIT_ACCOUNT_FAILURES_PER_DAY: '100000',
};
