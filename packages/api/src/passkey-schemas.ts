import {
  authenticationResponseSchema,
  EMAIL_MAX,
  passkeyChallengeIdSchema,
  passkeyNameSchema,
  registrationResponseSchema,
} from '@gatehouse/core';
import { z } from 'zod';

/** A credential id as the browser encodes it (base64url). */
const passkeyIdSchema = z
  .string()
  .min(1, 'Passkey id is required')
  .max(1366)
  .regex(/^[A-Za-z0-9_-]+$/, 'Expected a passkey id (base64url)');

export const registerPasskeyInput = z.object({
  /** The browser's RegistrationResponseJSON (what @simplewebauthn/browser's startRegistration returns). */
  response: registrationResponseSchema,
  name: passkeyNameSchema.optional(),
  /** The challengeId from user.passkeys.registrationOptions (optional: the signed challenge names it). */
  challengeId: passkeyChallengeIdSchema.optional(),
});

export const renamePasskeyInput = z.object({ id: passkeyIdSchema, name: passkeyNameSchema });

export const passkeyIdInput = z.object({ id: passkeyIdSchema });

export const passkeyOptionsInput = z
  .object({
    /** Username or email: binds the sign-in to that account. Without it, any discoverable passkey. */
    username: z.string().trim().min(1).max(EMAIL_MAX).optional(),
  })
  .default({});

export const passkeyVerifyInput = z.object({
  /** The browser's AuthenticationResponseJSON (what startAuthentication returns). */
  response: authenticationResponseSchema,
  /** Browsers: deliver the refresh token as an HttpOnly cookie instead of in the body. */
  refreshCookie: z.boolean().optional(),
  challengeId: passkeyChallengeIdSchema.optional(),
});
