import type { RouterInputs, RouterOutputs } from '@gatehouse/client';
import { formatDateTime } from './format';

/* The audit log page's wording and filters, kept apart from the page so they can be tested. */

export type AuditInput = Extract<RouterInputs['admin']['audit']['list'], object>;
export type EventType = NonNullable<AuditInput['type']>;
export type AuditEvent = RouterOutputs['admin']['audit']['list']['items'][number];
export type Detail = NonNullable<AuditEvent['detail']>;
export type Tone = 'success' | 'danger' | 'warning' | 'neutral';

/** Every event type, in plain words; a Record so a new type on the server fails the build here. */
export const EVENT_LABEL: Record<EventType, string> = {
  login_succeeded: 'Signed in',
  login_failed: 'Sign-in failed',
  account_locked: 'Account locked',
  refresh_reuse_detected: 'Refresh token reused',
  logout: 'Signed out',
  password_changed: 'Password changed',
  password_set: 'Password set',
  oauth_account_linked: 'Sign-in provider linked',
  oauth_account_unlinked: 'Sign-in provider unlinked',
  role_changed: 'Role changed',
  user_activated: 'User reactivated',
  user_deactivated: 'User deactivated',
  user_deleted: 'User deleted',
  api_key_created: 'API key created',
  api_key_revoked: 'API key revoked',
  api_key_denied: 'API key refused',
  email_verification_sent: 'Verification mail sent',
  email_verified: 'Email verified',
  password_reset_sent: 'Password-reset mail sent',
  password_reset: 'Password reset',
  email_change_requested: 'Email change requested',
  email_changed: 'Email changed',
  sign_in_link_sent: 'Sign-in link sent',
  mail_request_unmatched: 'Mail asked for an unknown address',
  device_approved: 'Device sign-in approved',
  device_denied: 'Device sign-in denied',
  device_tokens_issued: 'Device signed in',
  passkey_registered: 'Passkey added',
  passkey_renamed: 'Passkey renamed',
  passkey_deleted: 'Passkey deleted',
  passkey_refused: 'Passkey refused',
  passkey_counter_regression: 'Passkey counter went backwards (possible clone)',
  mfa_totp_enabled: 'Authenticator app enabled',
  mfa_disabled: 'Second factors removed',
  mfa_backup_codes_regenerated: 'Backup codes replaced',
  mfa_challenge_started: 'Second factor asked for',
  mfa_verified: 'Second factor accepted',
  mfa_failed: 'Second factor refused',
  mfa_reset: 'Second factors reset by an admin',
  reauthenticated: 'Identity confirmed again',
  reauth_failed: 'Identity confirmation failed',
};
export const EVENT_TYPES = Object.keys(EVENT_LABEL) as EventType[];

export const EVENT_TONE: Partial<Record<string, Tone>> = {
  login_succeeded: 'success',
  login_failed: 'warning',
  mfa_verified: 'success',
  mfa_failed: 'warning',
  mfa_reset: 'danger',
  mfa_disabled: 'warning',
  reauth_failed: 'warning',
  account_locked: 'danger',
  refresh_reuse_detected: 'danger',
  api_key_denied: 'warning',
  user_deactivated: 'warning',
  user_deleted: 'danger',
  passkey_refused: 'warning',
  passkey_counter_regression: 'danger',
};

const REASONS: Record<string, string> = {
  wrong_password: 'wrong password',
  unknown_account: 'unknown account',
  inactive: 'account is deactivated',
  malformed: 'not a Gatehouse key',
  unknown: 'unknown key',
  wrong_secret: 'wrong secret',
  revoked: 'key is revoked',
  expired: 'key has expired',
  missing_scope: 'missing scope',
};

export function eventLabel(type: string): string {
  return EVENT_LABEL[type as EventType] ?? type.replaceAll('_', ' ');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function duration(seconds: number): string {
  if (seconds < 60) return plural(seconds, 'second');
  if (seconds < 3600) return plural(Math.round(seconds / 60), 'minute');
  return plural(Math.round(seconds / 3600), 'hour');
}

/** "camelCase" and "snake_case" keys as words, for details this page has no wording for. */
function words(key: string): string {
  return key
    .replaceAll('_', ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

function plainValue(value: Detail[string]): string {
  if (value === null) return 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDateTime(value);
  if (typeof value === 'string') return REASONS[value] ?? value;
  return String(value);
}

/** The event's short facts as phrases ("wrong password", "user → admin"). */
export function describeDetail(type: string, detail: Detail | null): string[] {
  if (!detail) return [];
  const d = { ...detail };
  const out: string[] = [];
  const take = (key: string) => {
    const value = d[key];
    delete d[key];
    return value;
  };
  switch (type) {
    case 'role_changed': {
      const from = take('from');
      const to = take('to');
      if (from != null && to != null) out.push(`${from} → ${to}`);
      break;
    }
    case 'login_failed':
    case 'api_key_denied': {
      const reason = take('reason');
      if (typeof reason === 'string') out.push(REASONS[reason] ?? words(reason));
      const scope = take('scope');
      if (typeof scope === 'string') out.push(`scope ${scope}`);
      break;
    }
    case 'account_locked': {
      const scope = take('scope');
      const seconds = take('seconds');
      if (scope === 'account_ip') out.push('from one address');
      else if (scope === 'account') out.push('daily limit for the account');
      if (typeof seconds === 'number' && seconds > 0) out.push(`for ${duration(seconds)}`);
      break;
    }
    case 'logout':
    case 'user_deactivated': {
      if (take('everywhere') === true) out.push('everywhere');
      const ended = take('sessionsEnded');
      if (typeof ended === 'number') out.push(`${plural(ended, 'session')} ended`);
      break;
    }
    case 'refresh_reuse_detected': {
      take('sessionId');
      if (take('sessionRevoked') === true) out.push('session revoked');
      break;
    }
    case 'api_key_created': {
      const name = take('name');
      if (typeof name === 'string') out.push(`“${name}”`);
      const scopes = take('scopes');
      if (typeof scopes === 'string' && scopes) out.push(scopes.split(' ').join(', '));
      const expires = take('expiresAt');
      out.push(typeof expires === 'string' ? `expires ${formatDateTime(expires)}` : 'never expires');
      break;
    }
  }
  for (const [key, value] of Object.entries(d)) out.push(`${words(key)}: ${plainValue(value)}`);
  return out;
}

/** A day picked in a date input ("2030-01-31") as the start of that day here, plus `days`. */
export function startOfDay(day: string, days = 0): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days);
  return Number.isNaN(date.getTime()) ? null : date;
}

export interface Filters {
  type: EventType | '';
  userId: string;
  from: string;
  to: string;
}

export const NO_FILTERS: Filters = { type: '', userId: '', from: '', to: '' };

/** The query's input for the filters, and what is wrong with them before asking the server. */
export function toInput(filters: Filters): {
  input: Omit<AuditInput, 'cursor' | 'limit'>;
  problems: Record<string, string>;
} {
  const input: Omit<AuditInput, 'cursor' | 'limit'> = {};
  const problems: Record<string, string> = {};
  if (filters.type) input.type = filters.type;
  const userId = filters.userId.trim();
  if (userId) {
    if (/^[1-9]\d{0,15}$/.test(userId)) input.userId = Number(userId);
    else problems.userId = 'Enter a number, like 12.';
  }
  const from = filters.from ? startOfDay(filters.from) : null;
  // The "to" day is included: the server's `to` is exclusive, so ask up to the next midnight.
  const to = filters.to ? startOfDay(filters.to, 1) : null;
  if (filters.from && !from) problems.from = 'Enter a date.';
  if (filters.to && !to) problems.to = 'Enter a date.';
  if (from && to && to <= from) problems.to = 'Must not be before the start date.';
  if (from && !problems.from) input.from = from.toISOString();
  if (to && !problems.to) input.to = to.toISOString();
  return { input, problems };
}
