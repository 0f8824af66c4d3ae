/**
 * A real SMTP server for the browser tests (smtp-server on 127.0.0.1, mailparser for each mail):
 * the test server delivers to it over SMTP, and tests read links out of the text part as a
 * user would see them.
 */
import type { AddressInfo } from 'node:net';
import { type AddressObject, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailbox {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  /** How many mails have arrived: pass it to `next` to wait only for later ones. */
  count(): number;
  /** The first mail to `to` whose subject matches, among those after the first `since`. */
  next(to: string, subject: RegExp, since?: number): Promise<Mail>;
  /** Every mail so far to this address. */
  sentTo(to: string): Mail[];
  close(): Promise<void>;
}

const WAIT_MS = 15_000;

const firstAddress = (value: AddressObject | AddressObject[] | undefined): string =>
  ((Array.isArray(value) ? value[0] : value)?.value[0]?.address ?? '').toLowerCase();

export async function startMailbox(): Promise<Mailbox> {
  const mails: Mail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          mails.push({ to: firstAddress(parsed.to), subject: parsed.subject ?? '', text: parsed.text ?? '' });
          for (const wake of waiters) wake();
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();

  const matching = (to: string, subject: RegExp, since: number) =>
    mails.slice(since).find((mail) => mail.to === to.toLowerCase() && subject.test(mail.subject));

  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () => mails.length,
    next: (to, subject, since = 0) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = matching(to, subject, since);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const got = mails.map((mail) => `${mail.to}: ${mail.subject}`).join(' | ');
          reject(new Error(`no mail to ${to} matching ${subject} within ${WAIT_MS} ms; got: ${got}`));
        }, WAIT_MS);
        waiters.add(check);
        check();
      }),
    sentTo: (to) => mails.filter((mail) => mail.to === to.toLowerCase()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The whole link with `token=` in a mail's text part. */
export function linkIn(mail: Mail): URL {
  const link = /https?:\/\/\S+\?token=[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
  if (!link) throw new Error(`no link in the text of "${mail.subject}": ${mail.text}`);
  return new URL(link);
}
