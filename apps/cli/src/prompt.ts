import { UsageError } from './errors.js';

/** Raised when the user presses Ctrl-C at a prompt. */
export class PromptCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'PromptCancelled';
  }
}

/**
 * Asks for a secret on the terminal without echoing it. Raw mode lets us read key by key and
 * print nothing; the prompt goes to stderr so stdout stays clean for scripts.
 */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  const output = process.stderr;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new PromptCancelled());
        if (char === '\u007f' || char === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
    };
    output.write(question);
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

/**
 * A password from the flag, else GATEHOUSE_PASSWORD, else asked on the terminal (twice when
 * `confirm`, for a new one). Flags are visible to other users in `ps`; the other two are not.
 */
export async function readPassword(flag: string | undefined, options: { confirm?: boolean } = {}): Promise<string> {
  if (flag) return flag;
  if (process.env.GATEHOUSE_PASSWORD) return process.env.GATEHOUSE_PASSWORD;
  if (!process.stdin.isTTY) {
    throw new UsageError('a password is needed: pass --password, set GATEHOUSE_PASSWORD, or run in a terminal');
  }
  const password = await promptHidden('Password: ');
  if (options.confirm && (await promptHidden('Repeat password: ')) !== password) {
    throw new UsageError('the passwords do not match');
  }
  return password;
}

/**
 * The second-factor code when the server asks for one: --code, else GATEHOUSE_MFA_CODE, else asked
 * on the terminal (a 6-digit code from the authenticator app, or a backup code).
 */
export async function readMfaCode(flag: string | undefined): Promise<string> {
  if (flag) return flag;
  if (process.env.GATEHOUSE_MFA_CODE) return process.env.GATEHOUSE_MFA_CODE;
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'this account needs a second factor: pass --code, set GATEHOUSE_MFA_CODE, or run in a terminal',
    );
  }
  return (await promptHidden('Code from your authenticator app (or a backup code): ')).trim();
}
