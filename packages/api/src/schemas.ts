import {
  API_KEY_NAME_MAX,
  API_KEY_SCOPES,
  AUDIT_EVENT_TYPES,
  AUDIT_PAGE_DEFAULT,
  AUDIT_PAGE_MAX,
  DEVICE_CODE_PATTERN,
  EMAIL_MAX,
  EMAIL_TOKEN_PATTERN,
  emailSchema,
  fullNameSchema,
  newPasswordSchema,
  passwordSchema,
  ROLES,
  registrationSchema,
  USER_CODE_PATTERN,
  usernameSchema,
} from '@gatehouse/core';
import { z } from 'zod';

/** The account rules are core's; the API only composes them into its inputs. */
export { emailSchema, fullNameSchema, newPasswordSchema, passwordSchema, usernameSchema };

export const roleSchema = z.enum(ROLES);
export const userIdSchema = z.number().int().positive();
export const refreshTokenSchema = z.string().min(1, 'Refresh token is required').max(4096);

export const registerInput = registrationSchema;

export const loginInput = z.object({
  /** Username or email. */
  username: z.string().trim().min(1, 'Username or email is required').max(EMAIL_MAX),
  password: passwordSchema,
  /** Browsers: deliver the refresh token as an HttpOnly cookie instead of in the body. */
  refreshCookie: z.boolean().optional(),
});

/** Without a refreshToken, the refresh cookie is used. */
export const optionalRefreshInput = z.object({ refreshToken: refreshTokenSchema.optional() }).default({});

/**
 * `email` is accepted only when it is the current address (forms that send the whole profile);
 * a new address goes through user.requestEmailChange.
 */
export const updateProfileInput = z.object({ fullName: fullNameSchema, email: emailSchema.optional() });

export const changePasswordInput = z.object({ currentPassword: passwordSchema, newPassword: newPasswordSchema });

export const sessionIdInput = z.object({ sessionId: z.string().min(1).max(64) });

export const listUsersInput = z
  .object({
    cursor: userIdSchema.nullish(),
    limit: z.number().int().min(1).max(100).default(20),
    search: z.string().trim().max(100).optional(),
    role: roleSchema.optional(),
    emailVerified: z.boolean().optional(),
  })
  .default({ limit: 20 });

export const setRoleInput = z.object({ userId: userIdSchema, role: roleSchema });
export const setActiveInput = z.object({ userId: userIdSchema, active: z.boolean() });
export const userIdInput = z.object({ userId: userIdSchema });

/** An ISO 8601 date-time with an offset (the wire format of every date: no transformer). */
const isoDateTime = z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date-time like 2030-01-01T00:00:00Z' });

export const apiKeyScopeSchema = z.enum(API_KEY_SCOPES);
/** Public key ids are 16 hex characters. */
export const apiKeyIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'Expected an API key id (16 hex characters)');

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1, 'Name is required').max(API_KEY_NAME_MAX),
  scopes: z
    .array(apiKeyScopeSchema)
    .min(1, 'Give at least one scope')
    .max(API_KEY_SCOPES.length * 2),
  expiresAt: isoDateTime.nullish(),
});

export const apiKeyIdInput = z.object({ id: apiKeyIdSchema });

export const listAuditInput = z
  .object({
    userId: userIdSchema.optional(),
    type: z.enum(AUDIT_EVENT_TYPES).optional(),
    /** Inclusive. */
    from: isoDateTime.optional(),
    /** Exclusive. */
    to: isoDateTime.optional(),
    cursor: z.number().int().positive().nullish(),
    limit: z.number().int().min(1).max(AUDIT_PAGE_MAX).default(AUDIT_PAGE_DEFAULT),
  })
  .default({ limit: AUDIT_PAGE_DEFAULT });

/** Access tokens are a few hundred characters; anything far longer is not one. */
export const introspectInput = z.object({ token: z.string().max(4096) });

export const serviceUserInput = z.object({ id: userIdSchema });

/** Provider ids are short lower-case words (google, github, oidc). */
export const oauthProviderSchema = z.string().regex(/^[a-z0-9-]{1,32}$/, 'Unknown provider');

export const oauthStartInput = z.object({
  provider: oauthProviderSchema,
  /** A path of the web app to return to after sign-in, like /profile. */
  returnTo: z.string().max(512).optional(),
});

export const oauthCallbackInput = z.object({
  provider: oauthProviderSchema,
  code: z.string().min(1, 'code is required').max(2048),
  state: z.string().min(1, 'state is required').max(512),
  /** Browsers: deliver the refresh token as an HttpOnly cookie instead of in the body. */
  refreshCookie: z.boolean().optional(),
});

export const linkedAccountIdInput = z.object({ id: z.number().int().positive() });

export const setPasswordInput = z.object({ password: newPasswordSchema });

/** The token of a mailed link: 43 URL-safe characters. */
export const emailTokenSchema = z
  .string()
  .regex(EMAIL_TOKEN_PATTERN, 'This link is incomplete or malformed; open the whole link from the mail');

export const emailTokenInput = z.object({ token: emailTokenSchema });

export const emailAddressInput = z.object({ email: emailSchema });

export const resetPasswordInput = z.object({ token: emailTokenSchema, newPassword: newPasswordSchema });

export const requestEmailChangeInput = z.object({ newEmail: emailSchema, currentPassword: passwordSchema });

export const signInWithLinkInput = z.object({
  token: emailTokenSchema,
  /** Browsers: deliver the refresh token as an HttpOnly cookie instead of in the body. */
  refreshCookie: z.boolean().optional(),
});

/** auth.device.start: an optional name the device gives itself, shown to the approver. */
export const deviceStartInput = z.object({ clientName: z.string().trim().min(1).max(64).optional() }).default({});

export const devicePollInput = z.object({
  deviceCode: z.string().regex(DEVICE_CODE_PATTERN, 'Expected the deviceCode from auth.device.start'),
});

/** Eight letters as the device shows them (`BCDF-GHJK`); any case, dash optional. */
export const userCodeInput = z.object({
  userCode: z.string().trim().regex(USER_CODE_PATTERN, 'Expected the 8-letter code the device shows, like BCDF-GHJK'),
});
/** An mfaToken from a first-factor sign-in: 256 bits, base64url. */
export const mfaTokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'Expected the mfaToken from the sign-in answer (43 characters)');

/** A 6-digit code from the authenticator app, or a backup code (dashes and spaces ignored). */
export const mfaCodeSchema = z
  .string()
  .trim()
  .min(6, 'Enter the 6-digit code from your app, or a backup code')
  .max(32)
  .regex(/^[0-9A-Za-z -]+$/, 'A code has only digits, letters, spaces and dashes');

export const mfaVerifyInput = z.object({
  mfaToken: mfaTokenSchema,
  code: mfaCodeSchema,
  /** Browsers: deliver the refresh token as an HttpOnly cookie instead of in the body. */
  refreshCookie: z.boolean().optional(),
});

export const totpCodeInput = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'Enter the 6-digit code from your app'),
});

/** The password, or for accounts with an authenticator app a code. */
export const reauthenticateInput = z
  .object({ password: passwordSchema.optional(), code: mfaCodeSchema.optional() })
  .refine((input) => input.password !== undefined || input.code !== undefined, {
    message: 'Send password or code',
    path: ['password'],
  });
