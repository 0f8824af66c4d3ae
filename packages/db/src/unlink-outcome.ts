import type { UnlinkOutcome } from './records.js';

/** Whether identity `id` may go: it must be the user's, and not their last way to sign in. */
export function unlinkOutcome(
  user: { passwordHash: string | null } | undefined,
  linked: ReadonlyArray<{ id: number }>,
  id: number,
): UnlinkOutcome {
  if (!user || !linked.some((account) => account.id === id)) return 'not_found';
  if (user.passwordHash === null && linked.length === 1) return 'last_way';
  return 'ok';
}
