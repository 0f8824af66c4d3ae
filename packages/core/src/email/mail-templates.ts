import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every mail Gatehouse sends. */
export const MAIL_KINDS = [
  'verify_email',
  'reset_password',
  'password_reset_notice',
  'change_email',
  'email_change_requested_notice',
  'email_change_taken',
  'email_changed_notice',
  'sign_in_link',
  'mfa_reset_notice',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** The values a template may use as {{name}}; link-less mails leave `link` empty. */
export interface MailValues {
  productName: string;
  username: string;
  /** The whole link, token included. */
  link: string;
  /** "30 minutes": how long the link lasts. */
  expiresIn: string;
  newEmail: string;
}

export interface MailTemplate {
  subject: string;
  text: string;
  html: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const footer = {
  text: '\n\n— {{productName}}\n',
  html: '<p style="color:#666">— {{productName}}</p>',
};

const linkMail = (subject: string, lead: string, action: string, after: string): MailTemplate => ({
  subject,
  text: `Hello {{username}},\n\n${lead}\n\n{{link}}\n\nThe link works once and for {{expiresIn}}. ${after}${footer.text}`,
  html:
    `<p>Hello {{username}},</p><p>${lead}</p>` +
    `<p><a href="{{link}}">${action}</a></p>` +
    `<p>If the button does not work, copy this address into your browser:<br>{{link}}</p>` +
    `<p>The link works once and for {{expiresIn}}. ${after}</p>${footer.html}`,
});

const noticeMail = (subject: string, body: string): MailTemplate => ({
  subject,
  text: `Hello {{username}},\n\n${body}${footer.text}`,
  html: `<p>Hello {{username}},</p><p>${body}</p>${footer.html}`,
});

const IGNORE = 'If you did not ask for it, ignore this mail.';

export const DEFAULT_TEMPLATES: Readonly<Record<MailKind, MailTemplate>> = Object.freeze({
  verify_email: linkMail(
    'Confirm your email address for {{productName}}',
    'Please confirm that this is your email address by opening this link:',
    'Confirm my email address',
    IGNORE,
  ),
  reset_password: linkMail(
    'Reset your {{productName}} password',
    'Someone (hopefully you) asked to reset your password. Choose a new one here:',
    'Choose a new password',
    `${IGNORE} Your password stays as it is.`,
  ),
  password_reset_notice: noticeMail(
    'Your {{productName}} password was reset',
    'Your password was just reset, and every device signed in to your account was signed out. ' +
      'If this was not you, reset your password again at once and tell your administrator.',
  ),
  change_email: linkMail(
    'Confirm your new email address for {{productName}}',
    'Confirm that your account should use this address ({{newEmail}}) from now on:',
    'Confirm the new address',
    `${IGNORE} Nothing changes until the link is opened.`,
  ),
  email_change_requested_notice: noticeMail(
    'A change of your {{productName}} email address was requested',
    'Someone signed in to your account asked to change its email address to {{newEmail}}. ' +
      'It changes only when the link sent there is opened. If this was not you, change your password now.',
  ),
  email_change_taken: noticeMail(
    'Someone tried to use this address on {{productName}}',
    'Someone asked to move another account to this email address, but it already belongs to an account. ' +
      'Nothing was changed. If it was you, sign in to the account that has this address instead.',
  ),
  email_changed_notice: noticeMail(
    'Your {{productName}} email address was changed',
    'The email address of your account was changed to {{newEmail}}. If this was not you, contact your administrator.',
  ),
  sign_in_link: linkMail(
    'Your {{productName}} sign-in link',
    'Open this link to sign in:',
    'Sign in',
    `${IGNORE} Nobody can sign in without it.`,
  ),
  mfa_reset_notice: noticeMail(
    'The second factors of your {{productName}} account were removed',
    'An administrator removed the authenticator app and backup codes of your account, so signing in ' +
      'now takes only your password. Set up a new authenticator app soon. If you did not ask for this, ' +
      'change your password and contact your administrator.',
  ),
});

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function fill(template: string, values: MailValues, encode: (v: string) => string): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    name in values ? encode(values[name as keyof MailValues]) : whole,
  );
}

/**
 * The mail templates, each replaceable by files in a folder: `<kind>.subject.txt`, `<kind>.txt`
 * and `<kind>.html` (any of the three; the rest stay the defaults). Placeholders: {{productName}},
 * {{username}}, {{link}}, {{expiresIn}}, {{newEmail}}.
 */
export class MailTemplates {
  private readonly templates: Record<MailKind, MailTemplate>;

  constructor(folder?: string) {
    this.templates = { ...DEFAULT_TEMPLATES };
    if (!folder) return;
    for (const kind of MAIL_KINDS) {
      const read = (suffix: string) => {
        const file = join(folder, `${kind}${suffix}`);
        return existsSync(file) ? readFileSync(file, 'utf8') : null;
      };
      const base = this.templates[kind];
      this.templates[kind] = {
        subject: read('.subject.txt')?.trim() ?? base.subject,
        text: read('.txt') ?? base.text,
        html: read('.html') ?? base.html,
      };
    }
  }

  render(kind: MailKind, values: MailValues): RenderedMail {
    const template = this.templates[kind];
    // Subjects are one line: a value with a line break must not start a header of its own.
    const subject = fill(template.subject, values, (v) => v.replace(/[\r\n]+/g, ' ')).trim();
    let text = fill(template.text, values, (v) => v);
    // The whole link is always in the text part, even if a custom template forgot it.
    if (values.link && !text.includes(values.link)) text = `${text.trimEnd()}\n\n${values.link}\n`;
    return { subject, text, html: fill(template.html, values, escapeHtml) };
  }
}
