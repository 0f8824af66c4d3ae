import { and, desc, gt, isNull, ne, or } from 'drizzle-orm';
import type { NewSigningKey, SigningKeyRecord, SigningKeysRepository } from './records.js';
import type { Dialect, Statements } from './statements.js';
import type { DialectTables } from './table-definitions.js';

/** The keys a rotation retires: every current one but the newcomer. */
export function othersStillSigning(signingKeys: DialectTables<Dialect>['signingKeys'], kid: string) {
  return and(isNull(signingKeys.retiredAt), ne(signingKeys.kid, kid));
}

/** Signing keys on any engine; the engine supplies the transaction that adds (and rotates) keys. */
export class SqlSigningKeysRepository implements SigningKeysRepository {
  constructor(
    private readonly statements: Statements<Dialect>,
    readonly add: (key: NewSigningKey, now: Date, retireOthersUntil?: Date) => Promise<SigningKeyRecord>,
  ) {}

  async listPublished(now: Date): Promise<SigningKeyRecord[]> {
    const { signingKeys } = this.statements.tables;
    const published = or(isNull(signingKeys.publishUntil), gt(signingKeys.publishUntil, now));
    return this.statements.select(signingKeys, published, {
      orderBy: [desc(signingKeys.createdAt), desc(signingKeys.kid)],
    });
  }
}
