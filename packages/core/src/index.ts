export * from './access-tokens/access-tokens.js';
export * from './access-tokens/authentication.js';
export * from './accounts/accounts.js';
export * from './accounts/administration.js';
export * from './accounts/identifiers.js';
export * from './accounts/public-user.js';
export * from './accounts/roles.js';
export * from './api-keys/api-key-format.js';
export * from './api-keys/api-keys.js';
export * from './audit/audit-log.js';
export type { ClientInfo } from './client-info.js';
export * from './device/device-sign-in.js';
export * from './device/user-codes.js';
export * from './durations.js';
export * from './email/email-lifecycle.js';
export * from './email/email-settings.js';
export * from './email/email-tokens.js';
export * from './email/mail-templates.js';
export * from './email/mail-transport.js';
export * from './email/outbox-sender.js';
export * from './errors.js';
export * from './mfa/backup-codes.js';
export * from './mfa/mfa-service.js';
export * from './mfa/step-up.js';
export * from './mfa/totp.js';
export * from './oauth/id-token.js';
export * from './oauth/oidc-discovery.js';
export * from './oauth/providers.js';
export * from './oauth/settings.js';
export * from './oauth/sign-in.js';
export * from './oauth/urls.js';
export * from './oauth/usernames.js';
export * from './passkeys/passkey-responses.js';
export * from './passkeys/passkeys.js';
export * from './passkeys/relying-party.js';
export * from './passwords/login-throttle.js';
export { PasswordHasher, type PasswordHasherOptions } from './passwords/password-hasher.js';
export * from './passwords/password-policy.js';
export * from './passwords/password-sign-in.js';
export * from './rate-limits/rate-limit-settings.js';
export type { RateLimitStore } from './rate-limits/rate-limit-store.js';
export * from './rate-limits/rate-limits.js';
export * from './secret-hashing.js';
export {
  type AuthServices,
  type AuthServicesOptions,
  createAuthServices,
  type DeviceOptions,
  type EmailOptions,
  type MfaOptions,
  type RateLimitServiceOptions,
  type SigningKeyOptions,
  type StorageStatus,
} from './services.js';
export * from './session-view/postgres-channel.js';
export * from './session-view/redis-channel.js';
export * from './session-view/shared-session-view.js';
export type { ViewChange, ViewChannel } from './session-view/view-sync.js';
export * from './sessions/refresh-tokens.js';
export * from './sessions/sessions.js';
export * from './signing-keys/key-encryption.js';
export * from './signing-keys/signing-keys.js';
export * from './validation.js';
