/**
 * Sealing of JSON reports (certifications and the like): a SHA-256 `checksum` over the
 * document's canonical content, which shows that nothing changed by accident, and an Ed25519
 * `signature` over the content and its checksum, which shows who issued it. A checksum alone
 * proves nothing against an editor: anyone can recompute it after a change. Only a signature
 * checked with a public key obtained from the issuer (never the one the document carries)
 * does.
 *
 * Pure apart from node:crypto; reading key files is the caller's job.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import { ConfigError } from '../config/errors';

export interface Checksum {
  algorithm: 'sha256';
  /** Lowercase hex SHA-256 of `canonicalJson(content)`. */
  value: string;
}

export interface Signature {
  algorithm: 'Ed25519';
  /** The signer's public key, base64 SPKI DER. Informative only: verification uses the key the verifier was given. */
  publicKey: string;
  /** `keyIdOf` the signer's public key. */
  keyId: string;
  /** Base64 Ed25519 signature over `canonicalJson({ ...content, checksum })`. */
  value: string;
}

export interface Unsigned {
  unsigned: string;
}

/** The two members `sealDocument` adds; reserved at the top level of every sealed document. */
export interface Seal {
  checksum: Checksum;
  signature: Signature | Unsigned;
}

export type Sealed<T> = Omit<T, keyof Seal> & Seal;

export const UNSIGNED = 'not signed: no --signing-key was given';

const MAKE_A_KEY = 'make one with `openssl genpkey -algorithm ed25519 -out key.pem` (its public half: `openssl pkey -in key.pem -pubout -out key.pub.pem`) or with `npm run certify:keygen -- --out DIR`';

/**
 * JSON with object keys sorted (by UTF-16 code units, as RFC 8785 does) at every depth and
 * members whose value has no JSON form dropped: the same content always hashes the same.
 * Follows `JSON.stringify` otherwise (toJSON, `null` for holes in arrays), so that
 * `canonicalJson(x) === canonicalJson(JSON.parse(JSON.stringify(x)))`: a document written and
 * read back hashes as it did when it was sealed.
 */
export function canonicalJson(value: unknown): string {
  const text = canonical(value, '');
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form (undefined, a function or a symbol).');
  return text;
}

function canonical(value: unknown, key: string): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf();
  if (Array.isArray(value)) return `[${value.map((v, i) => canonical(v, String(i)) ?? 'null').join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record).sort().flatMap((k) => {
      const v = canonical(record[k], k);
      return v === undefined ? [] : [`${JSON.stringify(k)}:${v}`];
    });
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

const spkiOf = (publicKey: KeyObject) => publicKey.export({ type: 'spki', format: 'der' });

/** The first 16 hex digits of the SHA-256 of the key's SPKI DER: short enough to read aloud, the same on every machine. */
export function keyIdOf(publicKey: KeyObject): string {
  return sha256Hex(spkiOf(publicKey)).slice(0, 16);
}

const keyKind = (key: KeyObject) => {
  if (key.type === 'secret') return 'a secret (symmetric) key';
  const type = key.asymmetricKeyType?.toUpperCase() ?? 'UNKNOWN';
  return `${/^[AEFHILMNORSUX]/.test(type) ? 'an' : 'a'} ${type} key`;
};

/** An Ed25519 private key, from a KeyObject or PEM text; anything else is a ConfigError saying how to make one. Never quotes the key. */
export function loadSigningKey(key: KeyObject | string): KeyObject {
  let object: KeyObject;
  if (typeof key === 'string') {
    if (/-----BEGIN [A-Z ]*PUBLIC KEY-----/.test(key)) throw new ConfigError(`The signing key is a public key: sign with the private half of an Ed25519 key pair; ${MAKE_A_KEY}.`);
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(key)) throw new ConfigError(`The signing key is encrypted with a passphrase: decrypt it (\`openssl pkey -in key.pem -out plain.pem\`) or ${MAKE_A_KEY}.`);
    try {
      object = createPrivateKey(key);
    } catch {
      throw new ConfigError(`The signing key is not a readable private key in PEM: ${MAKE_A_KEY}.`);
    }
  } else {
    object = key;
  }
  if (object.type !== 'private') throw new ConfigError(`The signing key is ${object.type === 'public' ? 'a public key' : keyKind(object)}, not an Ed25519 private key: ${MAKE_A_KEY}.`);
  if (object.asymmetricKeyType !== 'ed25519') throw new ConfigError(`The signing key is ${keyKind(object)}, not Ed25519: ${MAKE_A_KEY}.`);
  return object;
}

/** An Ed25519 public key, from a KeyObject or PEM text. A private key is refused: a verifier has no business holding one. */
export function loadPublicKey(key: KeyObject | string): KeyObject {
  let object: KeyObject;
  if (typeof key === 'string') {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) throw new ConfigError('The public key is a private key: pass its public half instead, made with `openssl pkey -in key.pem -pubout -out key.pub.pem`, and keep the private key with the issuer.');
    try {
      object = createPublicKey(key);
    } catch {
      throw new ConfigError(`The public key is not a readable public key in PEM: ask the issuer for theirs; to ${MAKE_A_KEY}.`);
    }
  } else {
    object = key;
  }
  if (object.type === 'private') throw new ConfigError('The public key is a private key: pass its public half instead, made with `openssl pkey -in key.pem -pubout -out key.pub.pem`, and keep the private key with the issuer.');
  if (object.type !== 'public' || object.asymmetricKeyType !== 'ed25519') throw new ConfigError(`The public key is ${keyKind(object)}, not Ed25519: ask the issuer for their Ed25519 public key; to ${MAKE_A_KEY}.`);
  return object;
}

/** A fresh Ed25519 key pair as PEM (PKCS#8 private, SPKI public), and its key id. */
export function generateSigningKeyPair(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

const checksumOf = (content: object): Checksum => ({ algorithm: 'sha256', value: sha256Hex(canonicalJson(content)) });

/** What the signature covers: the content and its checksum, never the signature itself. */
const signedBytes = (content: object, checksum: unknown) => Buffer.from(canonicalJson({ ...content, checksum }), 'utf8');

/**
 * `content` with its seal: a checksum, and a signature with `signingKey` or the statement that
 * it is unsigned. An existing `checksum` or `signature` member of `content` is replaced, not
 * sealed. The content must be plain JSON data (what `JSON.stringify` would write is what is
 * hashed); `format` names the kind of document so that a verifier can refuse another kind.
 */
export function sealDocument<T extends { format: string }>(content: T, options: { signingKey?: KeyObject | string } = {}): Sealed<T> {
  if (Array.isArray(content)) throw new TypeError('sealDocument: the content must be a JSON object, not an array.');
  const key = options.signingKey === undefined ? undefined : loadSigningKey(options.signingKey);
  const { checksum: _oldChecksum, signature: _oldSignature, ...rest } = content as T & Partial<Seal>;
  const checksum = checksumOf(rest);
  let signature: Signature | Unsigned = { unsigned: UNSIGNED };
  if (key) {
    const publicKey = createPublicKey(key);
    signature = {
      algorithm: 'Ed25519',
      publicKey: spkiOf(publicKey).toString('base64'),
      keyId: keyIdOf(publicKey),
      value: sign(null, signedBytes(rest, checksum), key).toString('base64'),
    };
  }
  return { ...(rest as Omit<T, keyof Seal>), checksum, signature };
}

export interface SealVerification {
  /** The document is what was sealed: it parses, has the expected format and checksum, and (when a public key was given) that key's valid signature. */
  intact: boolean;
  document: 'ok' | 'not-json' | 'wrong-format';
  checksum: 'ok' | 'mismatch' | 'missing';
  /**
   * `verified`: by the given key. `wrong-key`: by another key (the one the document names).
   * `invalid`: the signature, or the key the document names, does not match what was signed.
   * `unsigned`: the document says it is unsigned. `not-checked`: signed, but no public key was
   * given, so who issued it is unknown (or the document could not be read at all).
   */
  signature: 'verified' | 'invalid' | 'unsigned' | 'not-checked' | 'wrong-key';
  /** The given key's id when verified; otherwise the id the document claims, if any (informative only). */
  keyId?: string;
  /** Why the document is not intact, in one sentence; absent when it is. */
  reason?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const hasExactly = (v: Record<string, unknown>, keys: string[]) => Object.keys(v).length === keys.length && keys.every((k) => Object.hasOwn(v, k));
/** Base64 that re-encodes to itself: no padding bits or stray characters that decoding would ignore. */
const strictBase64 = (text: string): Buffer | undefined => {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
};

type Check<S> = { state: S; reason?: string };

function checkChecksum(content: object, checksum: unknown): Check<SealVerification['checksum']> {
  if (checksum === undefined) return { state: 'missing', reason: 'the document has no checksum: it was not sealed' };
  if (!isRecord(checksum) || !hasExactly(checksum, ['algorithm', 'value']) || typeof checksum.value !== 'string') return { state: 'missing', reason: 'the checksum is not of the form { algorithm, value }' };
  if (checksum.algorithm !== 'sha256') return { state: 'mismatch', reason: `the checksum algorithm is ${JSON.stringify(checksum.algorithm)}, not "sha256"` };
  if (checksum.value !== checksumOf(content).value) return { state: 'mismatch', reason: 'the checksum does not match the content: the document was changed after it was sealed' };
  return { state: 'ok' };
}

interface SignatureCheck extends Check<SealVerification['signature']> {
  keyId?: string;
}

function checkSignature(content: object, checksum: unknown, signature: unknown, publicKey: KeyObject | undefined): SignatureCheck {
  if (signature === undefined || (isRecord(signature) && hasExactly(signature, ['unsigned']) && typeof signature.unsigned === 'string')) {
    return publicKey ? { state: 'unsigned', reason: 'the document is not signed, so it cannot be shown to come from the holder of the given key' } : { state: 'unsigned' };
  }
  if (!isRecord(signature) || !hasExactly(signature, ['algorithm', 'publicKey', 'keyId', 'value']) || !['algorithm', 'publicKey', 'keyId', 'value'].every((k) => typeof signature[k] === 'string')) {
    return { state: 'invalid', reason: 'the signature is not of the form { algorithm, publicKey, keyId, value } nor { unsigned }' };
  }
  const claimed = signature as unknown as Signature;
  if (claimed.algorithm !== 'Ed25519') return { state: 'invalid', keyId: claimed.keyId, reason: `the signature algorithm is ${JSON.stringify(claimed.algorithm)}, not "Ed25519"` };
  if (!publicKey) return { state: 'not-checked', keyId: claimed.keyId };

  const givenSpki = spkiOf(publicKey).toString('base64');
  const givenKeyId = keyIdOf(publicKey);
  const value = strictBase64(claimed.value);
  const verifies = value !== undefined && value.length === 64 && verify(null, signedBytes(content, checksum), publicKey, value);
  const namesGivenKey = claimed.keyId === givenKeyId && claimed.publicKey === givenSpki;
  if (verifies && namesGivenKey) return { state: 'verified', keyId: givenKeyId };
  if (verifies) return { state: 'invalid', keyId: claimed.keyId, reason: `the signature is by the given key ${givenKeyId}, but the key the document names was changed after signing` };
  const claimedSpki = strictBase64(claimed.publicKey);
  const namesAnotherRealKey = claimed.keyId !== givenKeyId && claimedSpki !== undefined && sha256Hex(claimedSpki).slice(0, 16) === claimed.keyId;
  if (namesAnotherRealKey) return { state: 'wrong-key', keyId: claimed.keyId, reason: `the document is signed with key ${claimed.keyId}, not with the given key ${givenKeyId}` };
  return { state: 'invalid', keyId: claimed.keyId, reason: 'the signature does not match the content and checksum: the document was changed after it was signed' };
}

/**
 * Checks a sealed document's text: it parses, its `format` is `options.format`, its checksum
 * matches its content, and, when `options.publicKey` is given, it carries a valid signature by
 * THAT key (the key embedded in the document is never trusted). Without a public key the
 * signature is `not-checked`, and the caller must say that who issued the document is unknown.
 * A public key that is not Ed25519 is a ConfigError.
 */
export function verifySealedDocument(text: string, options: { format: string; publicKey?: KeyObject | string }): SealVerification {
  const publicKey = options.publicKey === undefined ? undefined : loadPublicKey(options.publicKey);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { intact: false, document: 'not-json', checksum: 'missing', signature: 'not-checked', reason: 'the document is not JSON' };
  }
  if (!isRecord(document) || document.format !== options.format) {
    return { intact: false, document: 'wrong-format', checksum: 'missing', signature: 'not-checked', reason: `the document is not a ${options.format} document` };
  }
  const { checksum, signature, ...content } = document;
  const checksumCheck = checkChecksum(content, checksum);
  const signatureCheck = checkSignature(content, checksum, signature, publicKey);
  const signatureOk = publicKey ? signatureCheck.state === 'verified' : signatureCheck.state !== 'invalid';
  const intact = checksumCheck.state === 'ok' && signatureOk;
  const reason = checksumCheck.reason ?? (signatureOk ? undefined : signatureCheck.reason);
  return {
    intact,
    document: 'ok',
    checksum: checksumCheck.state,
    signature: signatureCheck.state,
    ...(signatureCheck.keyId === undefined ? {} : { keyId: signatureCheck.keyId }),
    ...(intact || reason === undefined ? {} : { reason }),
  };
}
