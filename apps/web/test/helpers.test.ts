import { TRPCClientError } from '@gatehouse/client';
import { describe, expect, it } from 'vitest';
import { describeDetail, eventLabel, NO_FILTERS, toInput } from '../src/audit';
import { errorMessage, fieldMessages, formMessage } from '../src/errors';
import { describeUserAgent, formatRelative } from '../src/format';
import { isRetryable } from '../src/retry-policy';
import { safeReturnPath } from '../src/router';

function answered(data: Record<string, unknown>, message = 'Refused') {
  return TRPCClientError.from({ error: { message, code: -32600, data } });
}

describe('page helpers (no browser)', () => {
  it('names devices from their user agent', () => {
    const chrome =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36';
    expect(describeUserAgent(chrome)).toBe('Chrome on Linux');
    expect(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36 Edg/126.0')).toBe(
      'Edge on Windows',
    );
    expect(describeUserAgent('curl/8.5.0')).toBe('curl');
    expect(describeUserAgent(null)).toBe('Unknown device');
  });

  it('says how long ago in words', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatRelative('2026-01-01T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2026-01-01T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2025-12-31T12:00:00Z', now)).toBe('yesterday');
  });

  it('follows only same-site return paths', () => {
    expect(safeReturnPath('/sessions?x=1')).toBe('/sessions?x=1');
    for (const bad of ['//evil.example', 'https://evil.example', '/\\evil.example', '', null]) {
      expect(safeReturnPath(bad)).toBeNull();
    }
  });

  it('turns server errors into plain sentences and per-field messages', () => {
    expect(errorMessage(answered({ code: 'TOO_MANY_REQUESTS', httpStatus: 429, retryAfter: 90 }, ''))).toBe(
      'Too many attempts. Try again in 2 minutes.',
    );
    expect(errorMessage(answered({ code: 'TOO_MANY_REQUESTS', httpStatus: 429 }, 'Too many sign-in attempts'))).toBe(
      'Too many sign-in attempts',
    );
    expect(errorMessage(answered({ code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 }, 'SQL text'))).not.toContain('SQL');
    const wrong = answered({
      code: 'BAD_REQUEST',
      httpStatus: 400,
      fieldErrors: { currentPassword: ['currentPassword: the current password is incorrect'] },
    });
    expect(fieldMessages(wrong)).toEqual({ currentPassword: 'The current password is incorrect' });
    expect(formMessage(wrong, ['currentPassword', 'newPassword'])).toBeNull();
    expect(formMessage(wrong, ['email'])).toBe('Please correct the highlighted fields.');
  });

  it('does not retry refusals, only failures that may pass', () => {
    for (const code of ['UNAUTHORIZED', 'FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND', 'CONFLICT', 'TOO_MANY_REQUESTS']) {
      expect(isRetryable(answered({ code, httpStatus: 400 }))).toBe(false);
    }
    expect(isRetryable(answered({ code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 }))).toBe(true);
    expect(isRetryable(new TypeError('Failed to fetch'))).toBe(true);
  });

  it('puts audit events in plain words', () => {
    expect(eventLabel('login_failed')).toBe('Sign-in failed');
    expect(eventLabel('something_new')).toBe('something new');
    expect(describeDetail('login_failed', { reason: 'wrong_password' })).toEqual(['wrong password']);
    expect(describeDetail('role_changed', { from: 'user', to: 'admin' })).toEqual(['user → admin']);
    expect(describeDetail('logout', { sessionsEnded: 3, everywhere: true })).toEqual([
      'everywhere',
      '3 sessions ended',
    ]);
    expect(describeDetail('account_locked', { scope: 'account_ip', seconds: 900 })).toEqual([
      'from one address',
      'for 15 minutes',
    ]);
    expect(describeDetail('api_key_denied', { reason: 'missing_scope', scope: 'users:read' })).toEqual([
      'missing scope',
      'scope users:read',
    ]);
    expect(describeDetail('future_event', { someCount: 2, ok: false })).toEqual(['some count: 2', 'ok: no']);
    expect(describeDetail('logout', null)).toEqual([]);
  });

  it('turns audit filters into the query, the "to" day included', () => {
    const { input, problems } = toInput({ type: 'logout', userId: ' 12 ', from: '2030-01-01', to: '2030-01-31' });
    expect(problems).toEqual({});
    expect(input.type).toBe('logout');
    expect(input.userId).toBe(12);
    expect(new Date(input.from!).getTime()).toBe(new Date(2030, 0, 1).getTime());
    expect(new Date(input.to!).getTime()).toBe(new Date(2030, 1, 1).getTime());
    expect(toInput(NO_FILTERS)).toEqual({ input: {}, problems: {} });
    const wrong = toInput({ ...NO_FILTERS, userId: 'ada', from: '2030-02-01', to: '2030-01-01' });
    expect(Object.keys(wrong.problems).sort()).toEqual(['to', 'userId']);
    expect(wrong.input).toEqual({ from: new Date(2030, 1, 1).toISOString() });
  });
});
