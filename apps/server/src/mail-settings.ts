import { join } from 'node:path';
import { type EmailOptions, fileTransport, linkIn, type MailTransport, smtpTransport } from '@gatehouse/core';
import type { Logger } from 'pino';
import { type Config, ConfigError } from './config.js';

/** The features that send mail, by the variable that turns each on. */
function mailFeatures(config: Config): string[] {
  const features: string[] = [];
  if (config.PASSWORD_RESET) features.push('password reset (PASSWORD_RESET=on)');
  if (config.EMAIL_VERIFICATION !== 'off')
    features.push(`email verification (EMAIL_VERIFICATION=${config.EMAIL_VERIFICATION})`);
  if (config.SIGN_IN_LINKS) features.push('sign-in links (SIGN_IN_LINKS=on)');
  return features;
}

/** Whether this server can send mail at all: with SMTP, or as files outside production. */
function mailEnabled(config: Config): boolean {
  return Boolean(config.SMTP_URL) || config.NODE_ENV !== 'production';
}

/**
 * Start-up check: in production a feature that sends mail needs SMTP_URL (files in a folder
 * reach nobody) and PUBLIC_URL (the links must lead to the real site).
 */
export function assertMailConfig(config: Config): void {
  if (config.NODE_ENV !== 'production') return;
  const features = mailFeatures(config);
  if (features.length === 0) return;
  const problems: string[] = [];
  const need = `needed in production for ${features.join(', ')}`;
  if (!config.SMTP_URL) problems.push(`SMTP_URL: is ${need}; set it, or turn those features off`);
  if (!config.PUBLIC_URL) problems.push(`PUBLIC_URL: is ${need} (mailed links point there)`);
  if (problems.length > 0) throw new ConfigError(problems);
}

/** The email settings for core; `publicUrl` falls back to the server's own address once listening. */
export function emailOptions(config: Config, ownUrl: () => string): EmailOptions {
  return {
    productName: config.MAIL_PRODUCT_NAME,
    publicUrl: () => config.PUBLIC_URL ?? ownUrl(),
    verification: config.EMAIL_VERIFICATION,
    signInLinks: config.SIGN_IN_LINKS,
    passwordReset: config.PASSWORD_RESET,
    mailEnabled: mailEnabled(config),
    ttls: {
      verify_email: config.EMAIL_VERIFICATION_TTL,
      reset_password: config.PASSWORD_RESET_TTL,
      change_email: config.EMAIL_CHANGE_TTL,
      sign_in: config.SIGN_IN_LINK_TTL,
    },
    requestFloorMs: config.EMAIL_REQUEST_MIN_MS,
    templatesDir: config.MAIL_TEMPLATES_DIR,
  };
}

/** SMTP when SMTP_URL is set; otherwise .eml files, each logged with its link (development only). */
export function createMailTransport(config: Config, logger: Logger): MailTransport {
  if (config.SMTP_URL) {
    return smtpTransport({ url: config.SMTP_URL, from: config.MAIL_FROM, timeoutMs: config.MAIL_SEND_TIMEOUT * 1000 });
  }
  return fileTransport({
    folder: config.MAIL_OUTBOX_DIR ?? join(config.DATA_DIR, 'outbox'),
    from: config.MAIL_FROM,
    // Development without SMTP: the link in the log lets a newcomer click through.
    onWritten: (mail, file) =>
      logger.info({ to: mail.to, subject: mail.subject, file, link: linkIn(mail.text) }, 'mail written (no SMTP_URL)'),
  });
}
