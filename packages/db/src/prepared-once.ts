/**
 * A statement prepared on first use and kept: the hot look-ups skip drizzle's SQL building on every
 * call, and nothing is prepared before the migrations have created the tables.
 */
export function preparedOnce<T>(prepare: () => T): () => T {
  let statement: T | undefined;
  return () => {
    statement ??= prepare();
    return statement;
  };
}
