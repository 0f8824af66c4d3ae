import bcrypt from 'bcryptjs';

export type PasswordTask =
  | { op: 'hash'; password: string; cost: number }
  | { op: 'verify'; password: string; hash: string };

/** Runs in a worker thread: bcrypt is CPU-bound and would otherwise stall the event loop. */
export default function run(task: PasswordTask): string | boolean {
  if (task.op === 'hash') return bcrypt.hashSync(task.password, task.cost);
  return bcrypt.compareSync(task.password, task.hash);
}
