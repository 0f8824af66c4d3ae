import type { EmailTokenPurpose } from '@gatehouse/db';

/** off: never asked; optional: offered (a mail at sign-up); required: password sign-in waits for it. */
export const EMAIL_VERIFICATION_MODES = ['off', 'optional', 'required'] as const;
export type EmailVerificationMode = (typeof EMAIL_VERIFICATION_MODES)[number];

/** How long each kind of mailed link stays good, in seconds. */
export type EmailTokenTtls = Record<EmailTokenPurpose, number>;

export const DEFAULT_EMAIL_TOKEN_TTLS: Readonly<EmailTokenTtls> = Object.freeze({
  verify_email: 24 * 3600,
  reset_password: 30 * 60,
  change_email: 3600,
  sign_in: 15 * 60,
});

export interface EmailSettings {
  /** The name mails sign with ("Gatehouse"). */
  productName: string;
  /** Where the web app is; links are `<publicUrl>/<page>?token=…`. A function: it may be known only once listening. */
  publicUrl: () => string;
  verification: EmailVerificationMode;
  /** Whether auth.requestSignInLink / auth.signInWithLink work. */
  signInLinks: boolean;
  /** Whether password reset by mail works (auth.requestPasswordReset / auth.resetPassword). */
  passwordReset: boolean;
  /** False when no mail can go out (production without SMTP_URL): requests that need mail are refused. */
  mailEnabled: boolean;
  ttls: EmailTokenTtls;
  /**
   * Every request procedure that names an address takes at least this long, so answering for an
   * unknown address costs the same as queuing a mail for a known one.
   */
  requestFloorMs: number;
}

export const DEFAULT_REQUEST_FLOOR_MS = 250;

/** The web app's pages the links open; the web demo serves them. */
export const EMAIL_LINK_PAGES: Readonly<Record<EmailTokenPurpose, string>> = Object.freeze({
  verify_email: 'verify-email',
  reset_password: 'reset-password',
  change_email: 'confirm-email-change',
  sign_in: 'sign-in-link',
});
