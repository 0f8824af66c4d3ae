import { parseArgs } from 'node:util';
import { createGatehouseClient } from '@gatehouse/client';
import { urlForNew } from '../credentials.js';
import { required, talkingTo } from '../errors.js';
import { readPassword } from '../prompt.js';

export const registerHelp = 'register --username NAME --email EMAIL [--password P] [--full-name N] [--url URL]';

export async function register(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      url: { type: 'string' },
      username: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      'full-name': { type: 'string' },
    },
  });
  const username = required(values.username, '--username');
  const email = required(values.email, '--email');
  const url = urlForNew(values.url);
  const password = await readPassword(values.password, { confirm: true });
  return talkingTo(url, async () => {
    const client = createGatehouseClient({ url });
    const user = await client.register({ username, email, password, fullName: values['full-name'] });
    console.log(`Registered ${user.username} (id ${user.id}, role ${user.role}) at ${url}`);
    console.log(`Sign in with: gatehouse login --url ${url} --username ${user.username}`);
    return 0;
  });
}
