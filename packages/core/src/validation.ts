import type { z } from 'zod';
import { GatehouseError } from './errors.js';

/**
 * Parses a value with one of core's rules, refusing it the way the API would: BAD_REQUEST with
 * the first problem's message, naming the field. For paths in that skip the API's schemas
 * (CLI commands, start-up bootstrap).
 */
export function validated<T extends z.ZodType>(schema: T, value: unknown, field?: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [...(field ? [field] : []), ...(issue?.path ?? [])].map(String);
  throw new GatehouseError('BAD_REQUEST', issue?.message ?? 'Invalid input', path.length ? path.join('.') : undefined);
}
