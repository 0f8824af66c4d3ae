import { ROLES } from '@gatehouse/core';
import { z } from 'zod';

// Output shapes for the document. Procedures infer their outputs from the resolvers (no
// .output() parsers), so the common ones are written here; test/openapi.test.ts checks them
// against live answers. Loose objects: outputs may grow fields, never lose them.

export const publicUserOutput = z.looseObject({
  id: z.number().int(),
  username: z.string(),
  email: z.string(),
  fullName: z.string().nullable(),
  role: z.enum(ROLES),
  isActive: z.boolean(),
  hasPassword: z.boolean(),
  createdAt: z.string().describe('ISO 8601'),
});

export const tokenPairOutput = z.looseObject({
  accessToken: z.string(),
  refreshToken: z.string().optional().describe('Absent in cookie mode: the token is in the refresh cookie'),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('Seconds until the access token expires'),
});

const mfaRequiredOutput = z.looseObject({
  mfaRequired: z.literal(true),
  mfaToken: z.string().describe('Send to auth.mfa.verify with the code; 5 minutes, single use'),
  methods: z.array(z.enum(['totp', 'backup_code', 'passkey'])),
});

/** A first-factor sign-in: the token pair, or a pending sign-in when the account has a second factor. */
export const signInOutput = z.union([tokenPairOutput, mfaRequiredOutput]);

export const okOutput = z.looseObject({ ok: z.literal(true) });

export const deviceAuthorizationOutput = z.looseObject({
  deviceCode: z.string().describe('The device keeps this secret and polls with it'),
  userCode: z.string().describe('Shown to the user, typed at verificationUri'),
  verificationUri: z.string(),
  verificationUriComplete: z.string().describe('verificationUri with the user code filled in'),
  interval: z.number().int().describe('Seconds between polls'),
  expiresIn: z.number().int().describe('Seconds until the codes expire'),
});

export const devicePollOutput = z.looseObject({
  status: z.enum(['authorization_pending', 'slow_down', 'access_denied', 'expired_token', 'approved']),
  interval: z.number().int().optional().describe('With slow_down: the interval to keep from now on'),
  accessToken: z.string().optional().describe('With approved'),
  refreshToken: z.string().optional().describe('With approved'),
  tokenType: z.literal('Bearer').optional(),
  expiresIn: z.number().int().optional(),
});
