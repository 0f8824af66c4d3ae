/**
 * A real SMTP server inside the tests (smtp-server on 127.0.0.1), which parses every mail it
 * receives (mailparser), so tests read links out of mails the way a user would.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  parsed: ParsedMail;
}

export interface TestSmtp {
  /** smtp://127.0.0.1:<port> for SMTP_URL. */
  url: string;
  port: number;
  mails: ReceivedMail[];
  /** Mails to one address, in arrival order. */
  to(address: string): ReceivedMail[];
  /** Resolves with the first mail matching, waiting for it (up to `timeoutMs`). */
  waitFor(match: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Stops listening: the port refuses connections until start(). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

const addressOf = (value: ParsedMail['to']): string => {
  const first = Array.isArray(value) ? value[0] : value;
  return first?.value[0]?.address ?? '';
};

export async function startSmtp(port = 0): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  let server: SMTPServer | null = null;
  let boundPort = port;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onData(stream, _session, callback) {
          simpleParser(stream)
            .then((parsed) => {
              mails.push({
                to: addressOf(parsed.to),
                from: addressOf(parsed.from),
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                messageId: parsed.messageId ?? '',
                parsed,
              });
              for (const wake of waiters) wake();
              callback();
            })
            .catch((error: Error) => callback(error));
        },
      });
      server.once('error', reject);
      server.listen(boundPort, '127.0.0.1', () => {
        const address = (server as unknown as { server: Server }).server.address();
        if (address && typeof address === 'object') boundPort = address.port;
        resolve();
      });
    });

  await listen();
  const smtp: TestSmtp = {
    get url() {
      return `smtp://127.0.0.1:${boundPort}`;
    },
    get port() {
      return boundPort;
    },
    mails,
    to: (address) => mails.filter((m) => m.to.toLowerCase() === address.toLowerCase()),
    waitFor: (match, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = mails.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching mail within ${timeoutMs} ms; got: ${mails.map((m) => `${m.to}: ${m.subject}`).join(' | ')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        const closing = server;
        server = null;
        closing.close(() => resolve());
      }),
    start: () => listen(),
  };
  return smtp;
}

/** The link with `token=` in a mail's text part (the whole link, as the user would copy it). */
export function linkFrom(mail: ReceivedMail): { link: string; token: string; page: string } {
  const link = /https?:\/\/\S+\?token=[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
  if (!link) throw new Error(`no link in the text of "${mail.subject}": ${mail.text}`);
  const url = new URL(link);
  return { link, token: url.searchParams.get('token') ?? '', page: url.pathname };
}

/** A server that accepts connections and never answers: a stalled SMTP service. */
export async function startStalledSmtp(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
