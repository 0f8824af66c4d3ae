/** Escapes LIKE wildcards so a search for "a_b" matches only that text (use with ESCAPE '\'). */
export function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
