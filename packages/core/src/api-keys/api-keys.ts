import type { ApiKeyRecord, Database } from '@gatehouse/db';
import type { Actor, AuditLog } from '../audit/audit-log.js';
import type { ClientInfo } from '../client-info.js';
import { GatehouseError, RateLimitedError, waitPhrase } from '../errors.js';
import type { RateLimits } from '../rate-limits/rate-limits.js';
import { hashSecret, sameHash } from '../secret-hashing.js';
import { apiKeyPrefix, formatApiKey, newApiKeyParts, parseApiKey } from './api-key-format.js';

/** What a key may be used for. */
export const API_KEY_SCOPES = ['tokens:introspect', 'users:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const API_KEY_NAME_MAX = 100;

/** A key as seen from outside: never the secret or its hash. */
export interface PublicApiKey {
  id: string;
  /** `gh_<id>`: the start of the key, to recognise it by. */
  prefix: string;
  name: string;
  scopes: string[];
  createdByUserId: number | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function toPublicApiKey(key: ApiKeyRecord): PublicApiKey {
  return {
    id: key.id,
    prefix: apiKeyPrefix(key.id),
    name: key.name,
    scopes: key.scopes,
    createdByUserId: key.createdByUserId,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

export interface NewApiKeyInput {
  name: string;
  scopes: readonly ApiKeyScope[];
  expiresAt?: Date | null | undefined;
}

/** The full key, shown once at creation, and its stored record. */
export interface CreatedApiKey {
  key: string;
  record: ApiKeyRecord;
}

type DenialReason = 'malformed' | 'unknown' | 'wrong_secret' | 'revoked' | 'expired' | 'missing_scope';

export interface ApiKeyServiceOptions {
  /** Last-used times are written at most this often per key, in ms (default one minute). */
  lastUsedGranularityMs?: number;
  clock?: () => Date;
}

// Compared against when the id is unknown, so every refusal costs one hash and one comparison.
const DUMMY_HASH = hashSecret('gatehouse-no-such-key');

/** Service credentials: creation (shown once), listing, revocation and checking presented keys. */
export class ApiKeyService {
  private readonly clock: () => Date;
  private readonly granularityMs: number;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditLog,
    private readonly limits: RateLimits,
    options: ApiKeyServiceOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.granularityMs = options.lastUsedGranularityMs ?? 60_000;
  }

  async create(actor: Actor, input: NewApiKeyInput): Promise<CreatedApiKey> {
    const name = input.name.trim();
    if (!name) throw new GatehouseError('BAD_REQUEST', 'name: a key needs a name', 'name');
    const scopes = [...new Set(input.scopes)];
    if (scopes.length === 0) throw new GatehouseError('BAD_REQUEST', 'scopes: give at least one scope', 'scopes');
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt && expiresAt.getTime() <= this.clock().getTime()) {
      throw new GatehouseError('BAD_REQUEST', 'expiresAt: must be in the future', 'expiresAt');
    }
    const parts = newApiKeyParts();
    const record = await this.db.apiKeys.create(
      { id: parts.id, name, secretHash: hashSecret(parts.secret), scopes, createdByUserId: actor.userId, expiresAt },
      this.clock(),
    );
    await this.audit.record({
      type: 'api_key_created',
      actorUserId: actor.userId,
      apiKeyId: record.id,
      client: actor.client,
      detail: { name, scopes: scopes.join(' '), expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { key: formatApiKey(parts), record };
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.db.apiKeys.list();
  }

  /** Revokes a key at once; revoking it again changes nothing. */
  async revoke(actor: Actor, id: string): Promise<ApiKeyRecord> {
    const key = await this.db.apiKeys.findById(id);
    if (!key) throw new GatehouseError('NOT_FOUND', 'API key not found', 'id');
    if (await this.db.apiKeys.revoke(id, this.clock())) {
      await this.audit.record({
        type: 'api_key_revoked',
        actorUserId: actor.userId,
        apiKeyId: id,
        client: actor.client,
      });
    }
    return (await this.db.apiKeys.findById(id)) ?? key;
  }

  /**
   * Checks a presented key for one scope. Unusable keys get UNAUTHORIZED, a missing scope
   * FORBIDDEN; each refusal is audited and counted against the caller's address.
   */
  async authenticate(presented: string, scope: ApiKeyScope, client: ClientInfo): Promise<ApiKeyRecord> {
    const ip = this.limits.addressKey(client.ip);
    const wait = await this.limits.blockedFor('apiKey', ip);
    if (wait !== null) {
      throw new RateLimitedError(`Too many refused API keys from this address; try again ${waitPhrase(wait)}`, wait);
    }
    const parts = parseApiKey(presented);
    const key = parts ? await this.db.apiKeys.findById(parts.id) : null;
    const matches = sameHash(key?.secretHash ?? DUMMY_HASH, hashSecret(parts?.secret ?? ''));
    const now = this.clock();
    if (!parts) return this.deny(null, 'malformed', scope, client);
    if (!key) return this.deny(parts.id, 'unknown', scope, client);
    if (!matches) return this.deny(key.id, 'wrong_secret', scope, client);
    if (key.revokedAt) return this.deny(key.id, 'revoked', scope, client);
    if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return this.deny(key.id, 'expired', scope, client);
    if (!key.scopes.includes(scope)) return this.deny(key.id, 'missing_scope', scope, client);
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= this.granularityMs) {
      await this.db.apiKeys.touch(key.id, now, new Date(now.getTime() - this.granularityMs));
    }
    return key;
  }

  private async deny(keyId: string | null, reason: DenialReason, scope: string, client: ClientInfo): Promise<never> {
    // Only guesses count against the address: a genuine key that is expired, revoked or short
    // of a scope is a misconfigured service, and must not lock out others sharing its address.
    if (reason === 'malformed' || reason === 'unknown' || reason === 'wrong_secret') {
      await this.limits.count('apiKey', this.limits.addressKey(client.ip));
    }
    await this.audit.record({ type: 'api_key_denied', apiKeyId: keyId, client, detail: { reason, scope } });
    if (reason === 'missing_scope') throw new GatehouseError('FORBIDDEN', `This API key lacks the "${scope}" scope`);
    if (reason === 'revoked') throw new GatehouseError('UNAUTHORIZED', 'This API key has been revoked');
    if (reason === 'expired') throw new GatehouseError('UNAUTHORIZED', 'This API key has expired');
    throw new GatehouseError('UNAUTHORIZED', 'Invalid API key');
  }
}
