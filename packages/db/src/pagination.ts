/**
 * One page of a keyset-paginated list, from a query that asked for `limit + 1` rows: the extra
 * row only tells whether another page follows, and the cursor is the id of the page's last row.
 */
export function page<T extends { id: number }>(rows: T[], limit: number): { items: T[]; nextCursor: number | null } {
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? (items.at(-1)?.id ?? null) : null;
  return { items, nextCursor };
}
