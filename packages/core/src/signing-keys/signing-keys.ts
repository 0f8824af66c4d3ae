import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import type { Database, SigningAlgorithm, SigningKeyRecord } from '@gatehouse/db';
import type { JWK } from 'jose';
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption.js';

/** Slack for clocks that disagree a little between Gatehouse and the services verifying its tokens. */
const CLOCK_SKEW_SECONDS = 60;
/** Unknown kids reload the keys at most this often, so forged kids cannot hammer the database. */
const MISS_RELOAD_EVERY_MS = 1000;

export interface SigningKeyRingOptions {
  db: Database;
  /** The algorithm new keys get, and that current keys must have to sign. */
  algorithm: SigningAlgorithm;
  /** 32 bytes: AES-256-GCM key the private keys are stored under. */
  encryptionKey: Buffer;
  /** How long this process trusts its copy of the key list (other instances may rotate). */
  cacheTtlMs: number;
  /** Lifetime of the access tokens the keys sign: how long a retired key must stay published. */
  accessTokenTtlSeconds: number;
  clock?: () => Date;
}

export interface SigningKey {
  kid: string;
  algorithm: SigningAlgorithm;
  privateKey: KeyObject;
}

export interface PublishedKey {
  kid: string;
  algorithm: SigningAlgorithm;
  publicKey: KeyObject;
  jwk: JWK;
}

interface Loaded {
  /** Date.now() when the list was read. */
  at: number;
  keys: SigningKeyRecord[];
  published: Map<string, PublishedKey>;
}

export interface RotationResult {
  kid: string;
  /** Keys that stopped signing, and until when they stay published. */
  retired: Array<{ kid: string; publishUntil: Date }>;
}

/** Generates a key pair as PEM: on Node 20, exporting a freshly generated KeyObject can deadlock. */
async function newKeyPair(algorithm: SigningAlgorithm): Promise<{ publicPem: string; privatePem: string }> {
  // Both curves generate in well under a millisecond: no need to leave the event loop.
  const { publicKey, privateKey } =
    algorithm === 'EdDSA'
      ? generateKeyPairSync('ed25519', {
          publicKeyEncoding: { type: 'spki', format: 'pem' },
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        })
      : generateKeyPairSync('ec', {
          namedCurve: 'P-256',
          publicKeyEncoding: { type: 'spki', format: 'pem' },
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        });
  return { publicPem: publicKey, privatePem: privateKey };
}

/**
 * The asymmetric keys access tokens are signed with, kept in the database so every instance
 * signs and publishes the same set. Private keys are decrypted only when one is about to sign.
 */
export class SigningKeyRing {
  private readonly clock: () => Date;
  private loaded: Loaded | null = null;
  private loading: Promise<void> | null = null;
  private missReload: Promise<Loaded> | null = null;
  private lastMissReload = 0;
  private readonly privateKeys = new Map<string, KeyObject>();

  constructor(private readonly options: SigningKeyRingOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  get algorithm(): SigningAlgorithm {
    return this.options.algorithm;
  }

  /** Creates a first key when none can sign with the configured algorithm; returns the current kid. */
  async ensureKey(): Promise<string> {
    const current = await this.currentRecord(true);
    if (current) return current.kid;
    // Current keys of another algorithm (JWT_ALG changed) retire like in a rotation.
    const otherAlgorithm = this.loaded?.keys.some((k) => k.retiredAt === null) ?? false;
    return (await this.addKey(otherAlgorithm)).kid;
  }

  /**
   * Adds a new signing key and retires the current ones. A retired key stays in the JWKS until
   * the last token it can have signed has expired: the access-token lifetime, plus the time other
   * instances may still sign with it before they reload, plus clock skew.
   */
  async rotate(): Promise<RotationResult> {
    const before = (await this.load(0)).keys.filter((k) => k.retiredAt === null);
    // With the wrong JWT_KEY_ENCRYPTION_KEY the new key would be unreadable to every instance.
    for (const key of before) decryptPrivateKey(key.encryptedPrivateKey, this.options.encryptionKey, key.kid);
    const added = await this.addKey(true);
    return {
      kid: added.kid,
      retired: before.map((k) => ({ kid: k.kid, publishUntil: added.publishUntil })),
    };
  }

  /** The key to sign with now. */
  async current(): Promise<SigningKey> {
    const record = (await this.currentRecord()) ?? (await this.currentRecord(true));
    if (!record) throw new Error('No signing key: run the server once or the rotate-keys command');
    let privateKey = this.privateKeys.get(record.kid);
    if (!privateKey) {
      const pem = decryptPrivateKey(record.encryptedPrivateKey, this.options.encryptionKey, record.kid);
      privateKey = createPrivateKey(pem);
      this.privateKeys.set(record.kid, privateKey);
    }
    return { kid: record.kid, algorithm: record.algorithm, privateKey };
  }

  /** The published key with this kid, reloading when it is unknown (another instance rotated). */
  async publicKey(kid: string): Promise<PublishedKey | null> {
    const known = (await this.load(this.options.cacheTtlMs)).published.get(kid);
    if (known) return known;
    return (await this.reloadForMiss()).published.get(kid) ?? null;
  }

  /**
   * The JWKS document: every published public key. Read fresh, not from the cache: a verifier
   * sent here after meeting a new kid, by an instance that already signs with it, must find it.
   */
  async jwks(): Promise<{ keys: JWK[] }> {
    const { published } = await this.load(0);
    return { keys: [...published.values()].map((k) => k.jwk) };
  }

  /**
   * One shared reload, started no sooner than MISS_RELOAD_EVERY_MS after the previous one: a
   * genuine new kid waits at most that long, and a flood of forged ones costs one query a second.
   */
  private reloadForMiss(): Promise<Loaded> {
    this.missReload ??= (async () => {
      const wait = this.lastMissReload + MISS_RELOAD_EVERY_MS - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastMissReload = Date.now();
      return this.load(0);
    })().finally(() => {
      this.missReload = null;
    });
    return this.missReload;
  }

  private async currentRecord(reload = false): Promise<SigningKeyRecord | undefined> {
    const { keys } = await this.load(reload ? 0 : this.options.cacheTtlMs);
    return keys.find((k) => k.retiredAt === null && k.algorithm === this.options.algorithm);
  }

  private async addKey(retireOthers: boolean): Promise<{ kid: string; publishUntil: Date }> {
    const { algorithm, encryptionKey, accessTokenTtlSeconds, cacheTtlMs } = this.options;
    const kid = randomBytes(12).toString('base64url');
    const { publicPem, privatePem } = await newKeyPair(algorithm);
    const jwk = { ...createPublicKey(publicPem).export({ format: 'jwk' }), kid, alg: algorithm, use: 'sig' };
    const now = this.clock();
    const publishUntil = new Date(now.getTime() + (accessTokenTtlSeconds + CLOCK_SKEW_SECONDS) * 1000 + cacheTtlMs);
    await this.options.db.signingKeys.add(
      {
        kid,
        algorithm,
        publicJwk: JSON.stringify(jwk),
        encryptedPrivateKey: encryptPrivateKey(privatePem, encryptionKey, kid),
      },
      now,
      retireOthers ? publishUntil : undefined,
    );
    this.loaded = null;
    return { kid, publishUntil };
  }

  /** The key list, read again when the copy in hand is older than `maxAgeMs`. */
  private async load(maxAgeMs: number): Promise<Loaded> {
    if (this.loaded && Date.now() - this.loaded.at < maxAgeMs) return this.loaded;
    // Concurrent callers share one query.
    this.loading ??= (async () => {
      const keys = await this.options.db.signingKeys.listPublished(this.clock());
      const published = new Map<string, PublishedKey>();
      for (const record of keys) {
        const jwk = JSON.parse(record.publicJwk) as JWK;
        const publicKey = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
        published.set(record.kid, { kid: record.kid, algorithm: record.algorithm, publicKey, jwk });
      }
      this.loaded = { at: Date.now(), keys, published };
    })().finally(() => {
      this.loading = null;
    });
    await this.loading;
    return this.loaded!;
  }
}
