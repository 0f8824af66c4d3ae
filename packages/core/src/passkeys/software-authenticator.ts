/**
 * A passkey authenticator in software, for tests: ES256 keys from node:crypto, 'none'
 * attestation, user verification always performed. It answers creation and request options the
 * way a browser would hand them back (SimpleWebAuthn's JSON shapes), and lets a test lie about
 * the origin, the RP ID or the signature counter.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

interface StoredCredential {
  id: string;
  privateKey: KeyObject;
  rpId: string;
  userHandle: string;
  counter: number;
}

export interface CeremonyOverrides {
  /** The origin the "browser" reports (default: the authenticator's). */
  origin?: string;
  /** The RP ID the authenticator hashes into its data (default: the options'). */
  rpId?: string;
  /** The signature counter to report instead of the next one. */
  counter?: number;
  /** Answer with this credential (default: the first one stored for the RP). */
  credentialId?: string;
  /** Report the user as verified (default true). */
  userVerified?: boolean;
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

function counterBytes(counter: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(counter);
  return bytes;
}

export class SoftwareAuthenticator {
  readonly credentials: StoredCredential[] = [];

  /** `origin` is where the "browser" runs; `counterStep` 0 makes it an authenticator without a counter. */
  constructor(
    readonly origin: string,
    private readonly counterStep = 1,
  ) {}

  /** Makes a new discoverable ES256 credential for the options (navigator.credentials.create). */
  create(options: PublicKeyCredentialCreationOptionsJSON, overrides: CeremonyOverrides = {}): RegistrationResponseJSON {
    const rpId = overrides.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    // PEM round trip: exporting straight from generateKeyPairSync can hang Node 20 (see TOOLCHAIN.md).
    const pair = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const jwk = createPublicKey(pair.publicKey).export({ format: 'jwk' });
    const idBytes = sha256(`${pair.publicKey}${this.credentials.length}`).subarray(0, 16);
    const id = b64url(idBytes);
    const coseKey = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y ?? '', 'base64url'))],
    ]);
    const lengthBytes = Buffer.alloc(2);
    lengthBytes.writeUInt16BE(idBytes.length);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([FLAG_UP | (overrides.userVerified === false ? 0 : FLAG_UV) | FLAG_AT]),
      counterBytes(0),
      Buffer.alloc(16),
      lengthBytes,
      idBytes,
      Buffer.from(isoCBOR.encode(coseKey)),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Map<string, never> | Uint8Array>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, never>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    this.credentials.push({
      id,
      privateKey: createPrivateKey(pair.privateKey),
      rpId,
      userHandle: options.user.id,
      counter: 0,
    });
    const clientData = {
      type: 'webauthn.create',
      challenge: options.challenge,
      origin: overrides.origin ?? this.origin,
    };
    return {
      id,
      rawId: id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(Buffer.from(JSON.stringify(clientData))),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
    };
  }

  /** Signs the options' challenge with a stored credential (navigator.credentials.get). */
  get(options: PublicKeyCredentialRequestOptionsJSON, overrides: CeremonyOverrides = {}): AuthenticationResponseJSON {
    const rpId = overrides.rpId ?? options.rpId ?? new URL(this.origin).hostname;
    const credential = overrides.credentialId
      ? this.credentials.find((c) => c.id === overrides.credentialId)
      : this.credentials.find((c) => c.rpId === (options.rpId ?? rpId));
    if (!credential) throw new Error('No credential for this relying party');
    // A forced counter moves the real one on too (never back), as a clone racing ahead would.
    if (overrides.counter !== undefined) credential.counter = Math.max(credential.counter, overrides.counter);
    else if (this.counterStep > 0) credential.counter += this.counterStep;
    const counter = overrides.counter ?? credential.counter;
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([FLAG_UP | (overrides.userVerified === false ? 0 : FLAG_UV)]),
      counterBytes(counter),
    ]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: overrides.origin ?? this.origin }),
    );
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
    };
  }
}
