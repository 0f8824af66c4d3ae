/**
 * The shapes a browser sends back from a ceremony (SimpleWebAuthn's RegistrationResponseJSON and
 * AuthenticationResponseJSON), bounded so a hostile body cannot make the verifier work hard.
 * The API's input schemas reuse these.
 */
import { z } from 'zod';

const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'Expected base64url text');

const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;
const credentialId = base64url(1366);
// The outputs WebAuthn defines (Gatehouse asks for no extension); anything else is dropped.
const extensionResults = z
  .object({
    appid: z.boolean().optional(),
    credProps: z.object({ rk: z.boolean().optional() }).optional(),
    hmacCreateSecret: z.boolean().optional(),
  })
  .default({});
const attachment = z.enum(['platform', 'cross-platform']).optional();

export const registrationResponseSchema = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensionResults,
  response: z.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(65_536),
    authenticatorData: base64url(16_384).optional(),
    transports: z.array(z.enum(TRANSPORTS)).max(8).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(4096).optional(),
  }),
});

export const authenticationResponseSchema = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensionResults,
  response: z.object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(16_384),
    signature: base64url(1024),
    userHandle: base64url(512).optional(),
  }),
});

export type PasskeyRegistrationResponse = z.infer<typeof registrationResponseSchema>;
export type PasskeyAuthenticationResponse = z.infer<typeof authenticationResponseSchema>;

export const PASSKEY_NAME_MAX = 64;

export const passkeyNameSchema = z
  .string()
  .trim()
  .min(1, 'A passkey name cannot be empty')
  .max(PASSKEY_NAME_MAX, `At most ${PASSKEY_NAME_MAX} characters`);

/** The challenge id `{options, challengeId}` hands out (24 random bytes, base64url). */
export const passkeyChallengeIdSchema = z.string().regex(/^[A-Za-z0-9_-]{32}$/, 'Expected a challenge id');
