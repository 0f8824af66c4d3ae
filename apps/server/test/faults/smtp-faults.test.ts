// The mail server stopped under load and started again: requests that queue mail still succeed
// (the outbox is durable), and every queued mail is delivered exactly once afterwards.
import { describe, expect, it, onTestFinished } from 'vitest';
import { startSmtp, type TestSmtp } from '../smtp-support.js';
import {
  type LoggedGatehouse,
  printFigures,
  secondsUntil,
  send,
  sentBetween,
  sleep,
  startLoad,
  startLoggedGatehouse,
} from './fault-support.js';

const USERS = 40;
const emailOf = (n: number) => `mailfault${n}@example.com`;

describe('SMTP fault under load', () => {
  /**
   * The mail server, Gatehouse (with its in-memory database and accounts) and the load belong to
   * one attempt: a retry (the faults project's `retry`) starts with a listening, empty mailbox.
   */
  async function startAttempt(): Promise<{ smtp: TestSmtp; server: LoggedGatehouse }> {
    const smtp = await startSmtp();
    onTestFinished(() => smtp.stop());
    const server = await startLoggedGatehouse({
      SMTP_URL: smtp.url,
      EMAIL_VERIFICATION: 'off',
      MAIL_POLL_INTERVAL: '1s',
      MAIL_RETRY_BASE: '1s',
      MAIL_SEND_TIMEOUT: '1s',
    });
    onTestFinished(() => server.close());
    for (let n = 0; n < USERS; n++) {
      const user = { username: `mailfault${n}`, email: emailOf(n), password: 'fault-password-1' };
      expect((await send(server.url, '/trpc/auth.register', user)).status).toBe(200);
    }
    return { smtp, server };
  }

  it('stopped 3 s: password-reset requests succeed, each mail arrives once after it returns', async () => {
    const { smtp, server } = await startAttempt();
    const acknowledged: string[] = [];
    const faultAt = Date.now();
    await smtp.stop();
    // One reset request per account, spread over the outage.
    const load = startLoad(2, async (n) => {
      if (n >= USERS) return send(server.url, '/healthz');
      await sleep(100);
      const answer = await send(server.url, '/trpc/auth.requestPasswordReset', { email: emailOf(n) });
      if (answer.status === 200) acknowledged.push(emailOf(n));
      return answer;
    });
    onTestFinished(() => load.stop());
    await sleep(3000);
    const backAt = Date.now();
    await load.stop();
    expect(smtp.mails).toHaveLength(0);
    await smtp.start();
    const recoverSeconds = await secondsUntil(
      () => acknowledged.every((address) => smtp.to(address).length > 0),
      30_000,
    );
    // Another poll round or two: nothing is sent twice.
    await sleep(2500);

    const during = sentBetween(load.answers, faultAt, backAt);
    expect(during.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(10);
    const found = acknowledged.filter((address) => smtp.to(address).length === 1).length;
    expect(found).toBe(acknowledged.length);
    expect(smtp.mails).toHaveLength(acknowledged.length);
    printFigures({ fault: 'SMTP stopped 3 s', during, recoverSeconds, acknowledged: acknowledged.length, found });
  }, 60_000);
});
