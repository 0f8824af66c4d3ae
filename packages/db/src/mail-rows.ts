import type { MailRecord, NewMail } from './email-records.js';

/** The outbox columns of a mail, in either engine's drizzle naming. */
export interface MailRow {
  id: number;
  kind: string;
  userId: number | null;
  toAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string;
  status: MailRecord['status'];
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  claimedBy: string | null;
  createdAt: Date;
  sentAt: Date | null;
  lastError: string | null;
}

export function mailValues(mail: NewMail, now: Date) {
  return {
    kind: mail.kind,
    userId: mail.userId,
    toAddress: mail.to,
    subject: mail.subject,
    textBody: mail.text,
    htmlBody: mail.html,
    nextAttemptAt: now,
    createdAt: now,
  };
}

export function toMailRecord(row: MailRow): MailRecord {
  const { toAddress, textBody, htmlBody, ...rest } = row;
  return { ...rest, to: toAddress, text: textBody, html: htmlBody };
}

/** Errors from SMTP servers can be long; the outbox keeps the start. */
export const LAST_ERROR_MAX = 500;
