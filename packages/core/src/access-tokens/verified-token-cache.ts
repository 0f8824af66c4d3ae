/**
 * Remembers the claims of access tokens whose signature and claims were checked, keyed by the
 * whole token string, so a client presenting the same token again skips the parsing and the
 * signature check. What can change between two calls is still checked on every hit: expiry here,
 * and (by the caller) that the signing key is still published and that the user and session are
 * still live. Bounded: when full, the oldest entry goes first.
 */
export class VerifiedTokenCache<T extends { expiresAt: number }> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly maxEntries: number) {}

  /** The cached claims of `token` if it has not expired at `nowSeconds`. */
  get(token: string, nowSeconds: number): T | undefined {
    const claims = this.entries.get(token);
    if (claims === undefined) return undefined;
    // As jose's check: a token is expired once its exp is not after now.
    if (claims.expiresAt <= nowSeconds) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  set(token: string, claims: T): void {
    if (this.maxEntries <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, claims);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
