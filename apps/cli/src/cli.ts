import { login, loginHelp } from './commands/login.js';
import { logout, logoutHelp } from './commands/logout.js';
import { register, registerHelp } from './commands/register.js';
import { resetPassword, resetPasswordHelp } from './commands/reset-password.js';
import { smoke, smokeHelp } from './commands/smoke.js';
import { whoami, whoamiHelp } from './commands/whoami.js';
import { DEFAULT_URL } from './credentials.js';
import { UsageError } from './errors.js';
import { PromptCancelled } from './prompt.js';

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  register,
  login,
  whoami,
  logout,
  'reset-password': resetPassword,
  smoke,
};

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  ${registerHelp}
  ${loginHelp}
  ${whoamiHelp}
  ${logoutHelp}
  ${resetPasswordHelp}
  ${smokeHelp}

The server URL defaults to $GATEHOUSE_URL, else ${DEFAULT_URL}; whoami and logout use the
server you signed in to. The password can come from $GATEHOUSE_PASSWORD, or is asked for; so
can the code of an account with a second factor ($GATEHOUSE_MFA_CODE, --code).
Tokens are kept in $GATEHOUSE_TOKEN_FILE, else ~/.config/gatehouse/credentials.json (mode 0600).`;

/** Node's parseArgs reports bad flags with these codes. */
const isArgumentError = (error: unknown) =>
  error instanceof Error && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');

/** Runs one command line; resolves with the exit status (0 ok, 1 failed, 2 usage, 130 cancelled). */
export async function run(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name ? console.log : console.error)(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`gatehouse: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  try {
    return await command(args);
  } catch (error) {
    if (error instanceof PromptCancelled) return 130;
    if (error instanceof UsageError || isArgumentError(error)) {
      console.error(`gatehouse ${name}: ${(error as Error).message}\nRun "gatehouse --help" for usage.`);
      return 2;
    }
    console.error(`gatehouse ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
