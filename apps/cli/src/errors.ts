import { errorCode, fieldErrors, isGatehouseClientError, isNetworkError, retryAfter } from '@gatehouse/client';

/** Bad command-line use: printed with a hint, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The innermost cause of a failed fetch, e.g. "connect ECONNREFUSED 127.0.0.1:3000". */
function rootCause(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/**
 * One plain line (plus field errors) for any failure: the server's code and message, how long
 * to wait when rate-limited, or why the server could not be reached.
 */
export function describeError(error: unknown, url?: string): string {
  if (isGatehouseClientError(error)) {
    if (isNetworkError(error)) return `cannot reach ${url ?? 'the server'}: ${rootCause(error)}`;
    const lines = [`${errorCode(error) ?? 'ERROR'}: ${error.message}`];
    const wait = retryAfter(error);
    if (wait !== null) lines[0] += ` (retry after ${wait}s)`;
    for (const [field, messages] of Object.entries(fieldErrors(error) ?? {})) {
      for (const message of messages) {
        // Validation messages already name their fields; list only what the message left out.
        if (!error.message.includes(message)) lines.push(`  ${field}: ${message}`);
      }
    }
    return lines.join('\n');
  }
  return error instanceof Error ? error.message : String(error);
}

/** Runs a command's talk with the server; a failure becomes "error: …" on stderr and exit status 1. */
export async function talkingTo(url: string, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && error.name === 'PromptCancelled')) throw error;
    console.error(`error: ${describeError(error, url)}`);
    return 1;
  }
}

/** The value of a required flag. */
export function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required`);
  return value;
}
