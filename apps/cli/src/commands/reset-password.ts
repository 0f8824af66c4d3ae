import { parseArgs } from 'node:util';
import { createGatehouseClient } from '@gatehouse/client';
import { urlForNew } from '../credentials.js';
import { required, talkingTo } from '../errors.js';

export const resetPasswordHelp = 'reset-password --email EMAIL [--url URL]   mail a password-reset link';

/**
 * Asks the server to mail a password-reset link (auth.requestPasswordReset). The server answers
 * the same whether or not an account has the address, and so does this command.
 */
export async function resetPassword(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { url: { type: 'string' }, email: { type: 'string' } },
  });
  const email = required(values.email, '--email');
  const url = urlForNew(values.url);
  return talkingTo(url, async () => {
    const client = createGatehouseClient({ url });
    await client.trpc.auth.requestPasswordReset.mutate({ email });
    console.log(`If an account at ${url} has the address ${email}, a password-reset link is on its way there.`);
    console.log('Open the link from the mail to choose a new password.');
    return 0;
  });
}
