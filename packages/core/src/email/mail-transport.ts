import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MailRecord } from '@gatehouse/db';
import nodemailer from 'nodemailer';

/** Delivers one mail or throws; what the outbox sender hands mails to. */
export interface MailTransport {
  /** "smtp://mail.example.com:587" (never the password) or "files in ./data/outbox". */
  readonly description: string;
  send(mail: MailRecord): Promise<void>;
  close(): void;
}

/** Same id on every attempt of one mail, so a receiver can tell a re-send after a crash from a new mail. */
function messageId(mail: MailRecord, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'gatehouse.invalid';
  return `<gatehouse.${mail.id}.${mail.createdAt.getTime()}@${domain}>`;
}

function message(mail: MailRecord, from: string) {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: messageId(mail, from),
    date: mail.createdAt,
  };
}

export interface SmtpTransportOptions {
  /** smtp://user:pass@host:587 or smtps://user:pass@host:465 */
  url: string;
  from: string;
  /** Upper bound on one delivery (connect, greeting, each exchange), in ms (default 20 s). */
  timeoutMs?: number;
}

/** Real delivery through an SMTP server (nodemailer). */
export function smtpTransport(options: SmtpTransportOptions): MailTransport {
  const timeout = options.timeoutMs ?? 20_000;
  // Bounded timeouts: a stalled server must give the mail back long before its outbox lease ends.
  const transporter = nodemailer.createTransport({
    url: options.url,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  const url = new URL(options.url);
  return {
    description: `${url.protocol}//${url.host}`,
    send: async (mail) => {
      await transporter.sendMail(message(mail, options.from));
    },
    close: () => transporter.close(),
  };
}

export interface FileTransportOptions {
  folder: string;
  from: string;
  /** Called with each file written (development: the server logs it with the mail's link). */
  onWritten?: (mail: MailRecord, file: string) => void;
}

/** Development without SMTP: each mail becomes an .eml file (opens in any mail program). */
export function fileTransport(options: FileTransportOptions): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    description: `.eml files in ${options.folder}`,
    send: async (mail) => {
      const info = await transporter.sendMail(message(mail, options.from));
      mkdirSync(options.folder, { recursive: true });
      const file = join(options.folder, `${String(mail.id).padStart(6, '0')}-${mail.kind}.eml`);
      // Written whole, then renamed: a reader never sees half a mail.
      writeFileSync(`${file}.tmp`, info.message as Buffer);
      renameSync(`${file}.tmp`, file);
      options.onWritten?.(mail, file);
    },
    close: () => transporter.close(),
  };
}

/** The link in a mail's text part (for the development log), if it has one. */
export function linkIn(text: string): string | null {
  return /https?:\/\/\S+[?&]token=[A-Za-z0-9_-]+/.exec(text)?.[0] ?? null;
}
