import type { z } from 'zod';
import {
  deviceAuthorizationOutput,
  devicePollOutput,
  okOutput,
  publicUserOutput,
  signInOutput,
  tokenPairOutput,
} from './outputs.js';

export interface ProcedureDescription {
  summary: string;
  description?: string;
  /** Takes the refresh token from the refresh cookie when the input has none. */
  refreshCookie?: true;
  /** The shape of `result.data`; without it the document says only "JSON". */
  output?: z.ZodType;
}

/**
 * One entry per procedure path of the router, for the OpenAPI document. Inputs and security come
 * from the procedures themselves; a procedure missing here fails test/openapi.test.ts.
 */
export const procedureDescriptions: Record<string, ProcedureDescription> = {
  health: { summary: 'Service status, version and database state' },

  'auth.register': {
    summary: 'Create an account',
    description: 'The new account always has the role `user`; any role in the input is ignored.',
    output: publicUserOutput,
  },
  'auth.login': {
    summary: 'Sign in with username (or email) and password',
    description:
      'Returns a token pair. With `refreshCookie: true` (pages of this site only) the refresh token is set as an HttpOnly cookie instead of returned. When the account has a second factor it answers `{mfaRequired: true, mfaToken, methods}` instead; finish with `auth.mfa.verify`.',
    output: signInOutput,
  },
  'auth.mfa.verify': {
    summary: 'Finish a sign-in that answered mfaRequired, with a TOTP or backup code',
    description:
      'Returns a token pair (cookie mode like `auth.login`). The mfaToken lasts 5 minutes and works once; a wrong code leaves it usable, five end it.',
    output: tokenPairOutput,
  },
  'auth.reauthenticate': {
    summary: 'Confirm it is you again (step-up) before a sensitive change',
    description:
      'With the password, or a code when the account has an authenticator app. Sensitive procedures refuse with FORBIDDEN and `data.reason: "REAUTH_REQUIRED"` when this session has not signed in or re-authenticated within REAUTH_WINDOW.',
  },
  'auth.refresh': {
    summary: 'Exchange a refresh token for a new token pair',
    description:
      'Rotates the refresh token: the one sent is spent. Presenting a spent token again revokes the whole session (theft detection).',
    refreshCookie: true,
    output: tokenPairOutput,
  },
  'auth.emailOptions': { summary: 'Which email flows this server offers (verification mode, sign-in links, reset)' },
  'auth.requestEmailVerification': {
    summary: 'Mail a new verification link to an address (no session needed)',
    description: 'Answers `{ok: true}` whatever the address, in the same time.',
  },
  'auth.verifyEmail': { summary: 'Follow a verification link: mark the address verified', output: okOutput },
  'auth.requestPasswordReset': {
    summary: 'Mail a password-reset link',
    description: 'Answers `{ok: true}` whether or not an account has the address, in the same time.',
  },
  'auth.resetPassword': {
    summary: 'Set a new password from a reset link',
    description: 'Ends every session of the account; the caller signs in afresh.',
    output: okOutput,
  },
  'auth.confirmEmailChange': { summary: 'Follow an email-change link: the account moves to the new address' },
  'auth.requestSignInLink': {
    summary: 'Mail a sign-in link',
    description: 'Answers `{ok: true}` whether or not an account has the address, in the same time.',
  },
  'auth.signInWithLink': {
    summary: 'Sign in with a mailed link',
    description:
      'Returns a token pair like `auth.login` (with `refreshCookie: true`, pages of this site only), or `{mfaRequired, mfaToken, methods}` when the account has a second factor.',
    output: signInOutput,
  },
  'auth.device.start': {
    summary: 'Start a device sign-in (RFC 8628)',
    description:
      'Returns `{deviceCode, userCode, verificationUri, verificationUriComplete, interval, expiresIn}`. Show the user code and URL; a signed-in user approves it at `/device` while the device polls `auth.device.poll`.',
    output: deviceAuthorizationOutput,
  },
  'auth.device.poll': {
    summary: 'Poll a device sign-in for its outcome',
    description:
      '`{status}`: `authorization_pending` (keep polling), `slow_down` (polled faster than `interval`; the new interval is in the answer), `access_denied`, `expired_token` (expired, unknown or already used: start again), or `approved` with the token pair (once).',
    output: devicePollOutput,
  },
  'auth.passkey.options': {
    summary: 'Start a passkey sign-in: request options for navigator.credentials.get',
    description:
      'Returns `{options, challengeId}`; pass `options` to `startAuthentication` (@simplewebauthn/browser). No username needed (discoverable passkeys); a `username` binds the sign-in to that account. The challenge is single use and lasts 5 minutes.',
  },
  'auth.passkey.verify': {
    summary: 'Finish a passkey sign-in',
    description:
      'Takes the browser’s AuthenticationResponseJSON (and optionally the `challengeId`) and returns a token pair like `auth.login`. A passkey with user verification counts as two factors.',
    output: tokenPairOutput,
  },
  'auth.logout': {
    summary: 'End the session of a refresh token',
    refreshCookie: true,
    output: okOutput,
  },

  'oauth.providers': { summary: 'The enabled sign-in providers (Google, GitHub, OpenID Connect)' },
  'oauth.start': { summary: "Start a provider sign-in: returns the provider's authorization URL" },
  'oauth.callback': {
    summary: 'Finish a provider sign-in with what the provider put in the callback URL',
    description:
      'Signs in like auth.login (a second factor is asked for the same way), or finishes linking an identity started by user.linkAccount.',
  },

  'user.me': { summary: 'The signed-in user', output: publicUserOutput },
  'user.update': { summary: 'Change your full name or email', output: publicUserOutput },
  'user.changePassword': {
    summary: 'Change your password',
    description: 'Ends every other session of the account.',
  },
  'user.requestEmailVerification': { summary: 'Mail yourself a new verification link' },
  'user.requestEmailChange': {
    summary: 'Ask to move your account to another address',
    description:
      'A confirmation link goes to the new address and a notice to the current one; the address changes only when the link is followed.',
  },
  'user.sessions': { summary: 'Your sessions (devices signed in)' },
  'user.revokeSession': { summary: 'End one of your sessions' },
  'user.logoutAll': { summary: 'End all your sessions, this one included' },
  'user.linkedAccounts': { summary: 'The provider identities you can sign in with' },
  'user.linkAccount': {
    summary: 'Start linking another provider identity to your account',
  },
  'user.unlinkAccount': {
    summary: 'Remove a linked provider identity',
    description: 'Refused when it would leave the account with no way to sign in.',
  },
  'user.setPassword': {
    summary: 'Set a first password on an account created through a provider',
  },
  'user.passkeys.registrationOptions': {
    summary: 'Start adding a passkey: creation options for navigator.credentials.create',
    description:
      'Returns `{options, challengeId}`; pass `options` to `startRegistration` (@simplewebauthn/browser). Discoverable credential, user verification required; RP ID and origin come from PUBLIC_URL.',
  },
  'user.passkeys.register': {
    summary: 'Finish adding a passkey',
    description: 'Takes the browser’s RegistrationResponseJSON and an optional `name`; returns the stored passkey.',
  },
  'user.passkeys.list': { summary: 'Your passkeys: id, name, createdAt, lastUsedAt' },
  'user.passkeys.rename': { summary: 'Rename one of your passkeys', output: okOutput },
  'user.passkeys.delete': {
    summary: 'Delete one of your passkeys',
    description: 'It can no longer sign in.',
    output: okOutput,
  },

  'user.device.approve': {
    summary: 'Approve a device sign-in by the code it shows',
    description:
      'The device polling with this code signs in as you. Wrong codes are counted per user and per address and held to a low limit.',
  },
  'user.device.deny': { summary: 'Deny a device sign-in by the code it shows' },

  'user.mfa.status': { summary: 'Your second factors: `{totp, backupCodesLeft, passkeys}`' },
  'user.mfa.totp.setup': {
    summary: 'Start setting up an authenticator app: returns `{secret, otpauthUri}`',
    description: 'The secret stays pending until `user.mfa.totp.enable` confirms it with a code.',
  },
  'user.mfa.totp.enable': {
    summary: 'Confirm the authenticator app with a code; returns 10 backup codes, shown once',
  },
  'user.mfa.backupCodes.regenerate': {
    summary: 'Replace your backup codes',
  },
  'user.mfa.disable': {
    summary: 'Remove your authenticator app and backup codes',
    output: okOutput,
  },
  'admin.users.list': { summary: 'List users, with search, role filter and cursor paging' },
  'admin.users.setRole': { summary: "Change a user's role", description: 'The last admin cannot be demoted.' },
  'admin.users.setActive': {
    summary: 'Deactivate or reactivate a user',
    description: "Deactivating ends the user's sessions. The last admin cannot be deactivated.",
  },
  'admin.users.sendPasswordReset': { summary: 'Mail a user a password-reset link (audited)' },
  'admin.users.resetMfa': {
    summary: "Remove a user's authenticator app and backup codes (lost device)",
    description: 'Audited; the user is mailed a notice.',
    output: okOutput,
  },
  'admin.users.delete': { summary: 'Delete a user', description: 'Never yourself, never the last admin.' },
  'admin.apiKeys.create': {
    summary: 'Create an API key for another service',
    description: 'The full key is returned once, in `key`; it cannot be shown again.',
  },
  'admin.apiKeys.list': { summary: 'List API keys, revoked and expired ones included (never a secret)' },
  'admin.apiKeys.revoke': { summary: 'Revoke an API key' },
  'admin.audit.list': { summary: 'The audit log, newest first, with cursor paging' },

  'service.introspect': {
    summary: 'Introspect an access token (RFC 7662 style)',
    description:
      '`{active: true, sub, username, role, exp, iat, jti}` for a token this server accepts now, else `{active: false}`.',
  },
  'service.users.get': { summary: 'Look a user up by id' },
};
