/**
 * lib/reports/seal.ts: a checksum that any changed character breaks; a signature that only the issuer's
 * public key verifies (a checksum recomputed after an edit, another key, a missing signature all
 * fail); keys that are not Ed25519 refused with how to make one; `certify:keygen` and
 * `certify:verify` as a user runs them; and the private key never in any output.
 */
import { test, expect, type TestInfo } from '@playwright/test';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../lib/config/errors';
import { canonicalJson, generateSigningKeyPair, keyIdOf, sealDocument, verifySealedDocument, type SealVerification, type Signature } from '../lib/reports/seal';
import { runScript } from './support/run';

const FORMAT = 'billerapi-certification/1';
const A = generateSigningKeyPair();
const B = generateSigningKeyPair();
const publicA = createPublicKey(A.publicKeyPem);
const publicB = createPublicKey(B.publicKeyPem);

/** A certification-like document: nested objects and arrays, numbers, escapes, non-ASCII, an undefined member. */
const content = {
  format: FORMAT,
  suite: { name: 'billerapi-conformance', version: '0.1.0' },
  target: { environment: 'partner', baseUrl: 'https://billerapi.partner.example', faults: [] as string[] },
  startedAt: '2026-11-29T04:00:00.000Z',
  score: { mustPassed: 41, mustInScope: 42, percent: 97.6 },
  verdict: 'FAIL',
  requirements: [
    { id: 'AUTH-001', level: 'MUST', result: 'passed', evidence: ['GET /billers\n\nHTTP 401 "Unauthorized"'] },
    { id: 'AUTH-002', level: 'MUST', result: 'failed', reason: 'Expected: 401, received: 200 (café)', evidence: [] },
    { id: 'BEARER-008', level: 'SHOULD', result: 'waived', reason: undefined, evidence: [] },
  ],
};

const json = (document: unknown) => JSON.stringify(document, null, 2);
const signedBy = (pair: { privateKeyPem: string }, c: object = content) => sealDocument(c as typeof content, { signingKey: pair.privateKeyPem });
const edit = <T extends object>(document: T): T => ({ ...document, verdict: 'PASS' });

/** Every form in which the private key could leak: the PEM, its base64 body, the raw 32-byte seed as base64, base64url and hex. */
function secretForms(privateKeyPem: string): string[] {
  const body = privateKeyPem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
  const seed = Buffer.from(createPrivateKey(privateKeyPem).export({ format: 'jwk' }).d!, 'base64url');
  return [privateKeyPem.trim(), body, seed.toString('base64'), seed.toString('base64url'), seed.toString('hex')];
}

function expectNoSecret(output: string, privateKeyPem: string) {
  for (const form of secretForms(privateKeyPem)) expect(output).not.toContain(form);
}

/** Index of every character inside a string or number value of a JSON text (keys and punctuation excluded). */
function valueCharacters(text: string): number[] {
  const at: number[] = [];
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"(\s*:)?|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) {
    if (m[1] !== undefined) continue;
    const quoted = m[0].startsWith('"');
    const start = m.index! + (quoted ? 1 : 0);
    for (let i = 0; i < m[0].length - (quoted ? 2 : 0); i++) at.push(start + i);
  }
  return at;
}

const changeAt = (text: string, at: number) => text.slice(0, at) + (text[at] === '1' ? '2' : '1') + text.slice(at + 1);

test.describe('canonicalJson', () => {
  const cases: [string, { given: unknown; want: string }][] = [
    ['keys sorted at every depth', { given: { b: 1, a: [{ d: 2, c: 3 }] }, want: '{"a":[{"c":3,"d":2}],"b":1}' }],
    ['undefined members dropped', { given: { a: undefined, b: null }, want: '{"b":null}' }],
    ['undefined in an array is null (as JSON.stringify writes it)', { given: [undefined, 1], want: '[null,1]' }],
    ['a Date as its toJSON', { given: { at: new Date(0) }, want: '{"at":"1970-01-01T00:00:00.000Z"}' }],
    ['keys ordered by UTF-16 code unit (uppercase, lowercase, then non-ASCII)', { given: { é: 1, z: 2, Z: 3 }, want: '{"Z":3,"z":2,"é":1}' }],
    ['strings escaped as JSON', { given: { s: 'a"\n\\' }, want: '{"s":"a\\"\\n\\\\"}' }],
    ['numbers as JavaScript writes them', { given: [1e21, 0.1, -0, 97.6], want: '[1e+21,0.1,0,97.6]' }],
  ];
  for (const [name, { given, want }] of cases) {
    test(`${name}, and the same after a JSON round trip`, () => {
      expect(canonicalJson(given)).toBe(want);
      expect(canonicalJson(JSON.parse(JSON.stringify(given)))).toBe(want);
    });
  }

  test('does not depend on key order (the whole document, keys reversed at every depth)', () => {
    const reversed = (v: unknown): unknown => Array.isArray(v) ? v.map(reversed)
      : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;
    expect(JSON.stringify(reversed(content))).not.toBe(JSON.stringify(content));
    expect(canonicalJson(reversed(content))).toBe(canonicalJson(content));
  });
});

test.describe('sealDocument', () => {
  test('the checksum is the SHA-256 of the canonical content, and the signature covers the content and that checksum', () => {
    const sealed = signedBy(A);
    const { checksum, signature, ...rest } = sealed;
    expect(checksum).toEqual({ algorithm: 'sha256', value: createHash('sha256').update(canonicalJson(content)).digest('hex') });
    expect(rest).toEqual(content);
    const s = signature as Signature;
    expect([s.algorithm, s.keyId, s.keyId]).toEqual(['Ed25519', A.keyId, keyIdOf(publicA)]);
    expect(createHash('sha256').update(Buffer.from(s.publicKey, 'base64')).digest('hex').slice(0, 16)).toBe(A.keyId);
    expect(verify(null, Buffer.from(canonicalJson({ ...content, checksum })), publicA, Buffer.from(s.value, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(canonicalJson(content)), publicA, Buffer.from(s.value, 'base64'))).toBe(false);
  });

  test('is deterministic, and sealing a sealed document replaces its seal rather than sealing it', () => {
    const once = signedBy(A);
    expect(signedBy(A, once)).toEqual(once);
    const unsigned = sealDocument(once);
    expect(unsigned.checksum).toEqual(once.checksum);
    expect(unsigned.signature).toEqual({ unsigned: 'not signed: no --signing-key was given' });
    expect(signedBy(B, once).checksum).toEqual(once.checksum);
  });

  test('the sealed document carries the public key, never the private one', () => {
    const text = json(signedBy(A));
    expectNoSecret(text, A.privateKeyPem);
    expect(text).toContain(createPublicKey(A.publicKeyPem).export({ type: 'spki', format: 'der' }).toString('base64'));
  });

  const pemOf = (key: KeyObject) => key.export(key.type === 'private' ? { type: 'pkcs8', format: 'pem' } : { type: 'spki', format: 'pem' }).toString();
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const x25519 = generateKeyPairSync('x25519');
  const MAKE = 'make one with `openssl genpkey -algorithm ed25519 -out key.pem` (its public half: `openssl pkey -in key.pem -pubout -out key.pub.pem`) or with `npm run certify:keygen -- --out DIR`.';
  const badKeys: [string, { given: KeyObject | string; want: string }][] = [
    ['an RSA private key (PEM)', { given: pemOf(rsa.privateKey), want: `The signing key is an RSA key, not Ed25519: ${MAKE}` }],
    ['an EC P-256 private key (PEM)', { given: pemOf(ec.privateKey), want: `The signing key is an EC key, not Ed25519: ${MAKE}` }],
    ['an EC P-256 private key (KeyObject)', { given: ec.privateKey, want: `The signing key is an EC key, not Ed25519: ${MAKE}` }],
    ['an X25519 private key (the right curve, for key agreement)', { given: pemOf(x25519.privateKey), want: `The signing key is an X25519 key, not Ed25519: ${MAKE}` }],
    ['the Ed25519 public key (PEM)', { given: A.publicKeyPem, want: `The signing key is a public key: sign with the private half of an Ed25519 key pair; ${MAKE}` }],
    ['the Ed25519 public key (KeyObject)', { given: publicA, want: `The signing key is a public key, not an Ed25519 private key: ${MAKE}` }],
    ['a passphrase-protected Ed25519 key', { given: createPrivateKey(A.privateKeyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString(), want: `The signing key is encrypted with a passphrase: decrypt it (\`openssl pkey -in key.pem -out plain.pem\`) or ${MAKE}` }],
    ['not PEM at all', { given: 'signing-key.pem', want: `The signing key is not a readable private key in PEM: ${MAKE}` }],
  ];
  for (const [name, { given, want }] of badKeys) {
    test(`refuses ${name} as a signing key with a ConfigError that says how to make one`, () => {
      const error = (() => { try { sealDocument(content, { signingKey: given }); } catch (e) { return e; } })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(want);
      if (typeof given === 'string' && given.includes('PRIVATE KEY')) expect((error as Error).message).not.toContain(given.split('\n')[1]);
    });
  }

  const badPublicKeys: [string, { given: KeyObject | string; want: string }][] = [
    ['an RSA public key', { given: pemOf(rsa.publicKey), want: `The public key is an RSA key, not Ed25519: ask the issuer for their Ed25519 public key; to ${MAKE}` }],
    ['an EC public key', { given: ec.publicKey, want: `The public key is an EC key, not Ed25519: ask the issuer for their Ed25519 public key; to ${MAKE}` }],
    ['the Ed25519 private key (PEM): a verifier needs only the public half', { given: A.privateKeyPem, want: 'The public key is a private key: pass its public half instead, made with `openssl pkey -in key.pem -pubout -out key.pub.pem`, and keep the private key with the issuer.' }],
    ['the Ed25519 private key (KeyObject)', { given: createPrivateKey(A.privateKeyPem), want: 'The public key is a private key: pass its public half instead, made with `openssl pkey -in key.pem -pubout -out key.pub.pem`, and keep the private key with the issuer.' }],
    ['not PEM at all', { given: 'key.pub.pem', want: `The public key is not a readable public key in PEM: ask the issuer for theirs; to ${MAKE}` }],
  ];
  for (const [name, { given, want }] of badPublicKeys) {
    test(`verifySealedDocument refuses ${name} with a ConfigError`, () => {
      expect(() => verifySealedDocument(json(signedBy(A)), { format: FORMAT, publicKey: given })).toThrow(new ConfigError(want));
    });
  }
});

test.describe('verifySealedDocument', () => {
  const intact = { intact: true, document: 'ok', checksum: 'ok' } as const;
  const signedA = signedBy(A);
  const signedB = signedBy(B);
  const sigA = signedA.signature as Signature;
  const sigB = signedB.signature as Signature;
  const CHANGED = 'the checksum does not match the content: the document was changed after it was sealed';
  const RESIGNED = 'the signature does not match the content and checksum: the document was changed after it was signed';

  const cases: [string, { given: { text: string; publicKey?: KeyObject | string }; want: SealVerification }][] = [
    ['signed, verified with its public key (PEM)', { given: { text: json(signedA), publicKey: A.publicKeyPem }, want: { ...intact, signature: 'verified', keyId: A.keyId } }],
    ['signed, verified with its public key (KeyObject)', { given: { text: json(signedA), publicKey: publicA }, want: { ...intact, signature: 'verified', keyId: A.keyId } }],
    ['signed, written compactly with other key order', { given: { text: canonicalJson(signedA), publicKey: publicA }, want: { ...intact, signature: 'verified', keyId: A.keyId } }],
    ['signed, no public key: intact, but who issued it is not checked', { given: { text: json(signedA) }, want: { ...intact, signature: 'not-checked', keyId: A.keyId } }],
    ['unsigned, no public key: intact, and says it is unsigned', { given: { text: json(sealDocument(content)) }, want: { ...intact, signature: 'unsigned' } }],
    ['unsigned, verified with a public key', { given: { text: json(sealDocument(content)), publicKey: publicA }, want: { intact: false, document: 'ok', checksum: 'ok', signature: 'unsigned', reason: 'the document is not signed, so it cannot be shown to come from the holder of the given key' } }],
    ['edited, no public key', { given: { text: json(edit(signedA)) }, want: { intact: false, document: 'ok', checksum: 'mismatch', signature: 'not-checked', keyId: A.keyId, reason: CHANGED } }],
    ['edited, verified with the signer\'s key', { given: { text: json(edit(signedA)), publicKey: publicA }, want: { intact: false, document: 'ok', checksum: 'mismatch', signature: 'invalid', keyId: A.keyId, reason: CHANGED } }],
    ['edited and the checksum recomputed, no public key: the checksum alone cannot tell', { given: { text: json({ ...sealDocument(edit(content)), signature: sigA }) }, want: { ...intact, signature: 'not-checked', keyId: A.keyId } }],
    ['edited and the checksum recomputed, verified with the signer\'s key', { given: { text: json({ ...sealDocument(edit(content)), signature: sigA }), publicKey: publicA }, want: { intact: false, document: 'ok', checksum: 'ok', signature: 'invalid', keyId: A.keyId, reason: RESIGNED } }],
    ['signed with key A, verified with key B', { given: { text: json(signedA), publicKey: publicB }, want: { intact: false, document: 'ok', checksum: 'ok', signature: 'wrong-key', keyId: A.keyId, reason: `the document is signed with key ${A.keyId}, not with the given key ${B.keyId}` } }],
    ['edited and re-signed with key B, verified with key A', { given: { text: json(signedBy(B, edit(content))), publicKey: publicA }, want: { intact: false, document: 'ok', checksum: 'ok', signature: 'wrong-key', keyId: B.keyId, reason: `the document is signed with key ${B.keyId}, not with the given key ${A.keyId}` } }],
    ['signed with key B under key A\'s name, verified with key A', { given: { text: json({ ...signedB, signature: { ...sigB, publicKey: sigA.publicKey, keyId: A.keyId } }), publicKey: publicA }, want: { intact: false, document: 'ok', checksum: 'ok', signature: 'invalid', keyId: A.keyId, reason: RESIGNED } }],
    ['signed with key A, the named key changed to B\'s', { given: { text: json({ ...signedA, signature: { ...sigA, publicKey: sigB.publicKey, keyId: B.keyId } }), publicKey: publicA }, want: { intact: false, document: 'ok', checksum: 'ok', signature: 'invalid', keyId: B.keyId, reason: `the signature is by the given key ${A.keyId}, but the key the document names was changed after signing` } }],
    ['a member added to the signature', { given: { text: json({ ...signedA, signature: { ...sigA, note: 'x' } }), publicKey: publicA }, want: { intact: false, document: 'ok', checksum: 'ok', signature: 'invalid', reason: 'the signature is not of the form { algorithm, publicKey, keyId, value } nor { unsigned }' } }],
    ['the signature value with a character that base64 decoding skips', { given: { text: json({ ...signedA, signature: { ...sigA, value: `${sigA.value.slice(0, 10)}.${sigA.value.slice(10)}` } }), publicKey: publicA }, want: { intact: false, document: 'ok', checksum: 'ok', signature: 'invalid', keyId: A.keyId, reason: RESIGNED } }],
    ['another checksum algorithm', { given: { text: json({ ...signedA, checksum: { ...signedA.checksum, algorithm: 'md5' } }) }, want: { intact: false, document: 'ok', checksum: 'mismatch', signature: 'not-checked', keyId: A.keyId, reason: 'the checksum algorithm is "md5", not "sha256"' } }],
    ['no seal at all (a digest-only document)', { given: { text: json({ ...content, digest: 'ab'.repeat(32) }) }, want: { intact: false, document: 'ok', checksum: 'missing', signature: 'unsigned', reason: 'the document has no checksum: it was not sealed' } }],
    ['not JSON', { given: { text: json(signedA).slice(0, -1), publicKey: publicA }, want: { intact: false, document: 'not-json', checksum: 'missing', signature: 'not-checked', reason: 'the document is not JSON' } }],
    ['another format', { given: { text: json(sealDocument({ ...content, format: 'billerapi-webhook-receiver/1' })) }, want: { intact: false, document: 'wrong-format', checksum: 'missing', signature: 'not-checked', reason: 'the document is not a billerapi-certification/1 document' } }],
    ['a JSON array', { given: { text: '[]' }, want: { intact: false, document: 'wrong-format', checksum: 'missing', signature: 'not-checked', reason: 'the document is not a billerapi-certification/1 document' } }],
  ];
  for (const [name, { given, want }] of cases) {
    test(name, () => {
      expect(verifySealedDocument(given.text, { format: FORMAT, publicKey: given.publicKey })).toEqual(want);
    });
  }

  test('any one changed character of any value, seal included, fails with the signer\'s key', () => {
    const text = json(signedA);
    const at = valueCharacters(text);
    for (const part of [sigA.value, sigA.publicKey, sigA.keyId, signedA.checksum.value, 'Ed25519', 'sha256', 'café', '97.6']) {
      expect(at, part).toContain(text.indexOf(part) + part.length - 1);
    }
    expect(at.length).toBeGreaterThan(500);
    expect(at.filter((i) => verifySealedDocument(changeAt(text, i), { format: FORMAT, publicKey: publicA }).intact)).toEqual([]);
  });

  test('without a key, any one changed character of the content or checksum still fails', () => {
    const text = json(signedA);
    const signatureStart = text.indexOf('"signature"');
    const at = valueCharacters(text).filter((i) => i < signatureStart);
    expect(at.length).toBeGreaterThan(300);
    expect(at.filter((i) => verifySealedDocument(changeAt(text, i), { format: FORMAT }).intact)).toEqual([]);
  });
});

// The scripts as a user runs them.

interface ScriptRun {
  code: number;
  stdout: string[];
  stderr: string[];
}

async function runScriptLines(script: string, args: string[]): Promise<ScriptRun> {
  const run = await runScript(script, args);
  const lines = (text: string) => text.split('\n').filter((l) => l !== '');
  return { code: run.code, stdout: lines(run.stdout), stderr: lines(run.stderr) };
}

const expectNoSecretIn = (run: ScriptRun, privateKeyPem: string) => expectNoSecret([...run.stdout, ...run.stderr].join('\n'), privateKeyPem);

test.describe('certify:keygen', () => {
  const spellings: [string, (dir: string) => string[]][] = [
    ['--out DIR (the value as the next argument)', (dir) => ['--out', dir]],
    ['--out=DIR (the value inline)', (dir) => [`--out=${dir}`]],
  ];
  for (const [spelling, args] of spellings) {
    test(`${spelling} writes a key pair (private 0600) that certify:verify accepts, and refuses to overwrite it`, { tag: '@runs' }, async ({}, testInfo) => {
      const dir = testInfo.outputPath('keys');
      const made = await runScriptLines('scripts/certify-keygen.ts', args(dir));
      const [privatePath, publicPath] = [join(dir, 'signing-key.pem'), join(dir, 'signing-key.pub.pem')];
      const privateKeyPem = readFileSync(privatePath, 'utf8');
      const keyId = keyIdOf(createPublicKey(readFileSync(publicPath, 'utf8')));
      expect(made).toEqual({
        code: 0,
        stdout: [
          `certify:keygen: private key ${privatePath} (mode 0600; keep it secret: sign with npm run certify -- --signing-key ${privatePath})`,
          `certify:keygen: public key ${publicPath} (key id ${keyId}; give it to verifiers: npm run certify:verify -- FILE --public-key ${publicPath})`,
        ],
        stderr: [],
      });
      expect(statSync(privatePath).mode & 0o777).toBe(0o600);
      expect(keyIdOf(createPublicKey(createPrivateKey(privateKeyPem)))).toBe(keyId);
      expectNoSecretIn(made, privateKeyPem);

      const document = testInfo.outputPath('certification.json');
      writeFileSync(document, json(sealDocument(content, { signingKey: privateKeyPem })));
      const verified = await runScriptLines('scripts/certify-verify.ts', [document, '--public-key', publicPath]);
      expect(verified).toEqual({ code: 0, stdout: [`certify:verify: ${document}: checksum ok; signature verified with key ${keyId} (Ed25519)`], stderr: [] });

      const again = await runScriptLines('scripts/certify-keygen.ts', ['--out', dir]);
      expect(again).toEqual({ code: 2, stdout: [], stderr: [`certify:keygen: ${privatePath} and ${publicPath} already exist: refusing to overwrite a key; choose another --out or remove it yourself.`] });
      expect(readFileSync(privatePath, 'utf8')).toBe(privateKeyPem);
      expectNoSecretIn(again, privateKeyPem);
    });
  }

  const refusals: [string, { args: string[]; want: string }][] = [
    ['no --out', { args: [], want: 'certify:keygen: --out <dir> is required. See billerapi-conformance keygen --help.' }],
    ['an unknown option', { args: ['--output', 'x'], want: 'certify:keygen: Unknown option --output. See billerapi-conformance keygen --help.' }],
  ];
  for (const [name, { args, want }] of refusals) {
    test(`refuses ${name}: one line, exit 2`, { tag: '@runs' }, async () => {
      expect(await runScriptLines('scripts/certify-keygen.ts', args)).toEqual({ code: 2, stdout: [], stderr: [want] });
    });
  }
});

test.describe('certify:verify', () => {
  interface Files { signed: string; unsigned: string; edited: string; rehashed: string; other: string; aPub: string; bPub: string; aPrivate: string; rsaPub: string; missing: string }
  function files(testInfo: TestInfo): Files {
    const dir = testInfo.outputPath('files');
    mkdirSync(dir, { recursive: true });
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const signed = signedBy(A);
    return {
      signed: write('signed.json', json(signed)),
      unsigned: write('unsigned.json', json(sealDocument(content))),
      edited: write('edited.json', json(edit(signed))),
      rehashed: write('rehashed.json', json({ ...sealDocument(edit(content)), signature: signed.signature })),
      other: write('other.json', json(sealDocument({ ...content, format: 'billerapi-webhook-receiver/1' }))),
      aPub: write('a.pub.pem', A.publicKeyPem),
      bPub: write('b.pub.pem', B.publicKeyPem),
      aPrivate: write('a.pem', A.privateKeyPem),
      rsaPub: write('rsa.pub.pem', generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()),
      missing: join(dir, 'missing.json'),
    };
  }
  const HELP = 'See billerapi-conformance verify --help.';
  const MAKE = 'make one with `openssl genpkey -algorithm ed25519 -out key.pem` (its public half: `openssl pkey -in key.pem -pubout -out key.pub.pem`) or with `npm run certify:keygen -- --out DIR`.';
  const ok = (stdout: string[]): ScriptRun => ({ code: 0, stdout, stderr: [] });
  const broken = (stdout: string[]): ScriptRun => ({ code: 1, stdout, stderr: [] });
  const refused = (line: string): ScriptRun => ({ code: 2, stdout: [], stderr: [`certify:verify: ${line}`] });

  const cases: [string, { args: (f: Files) => string[]; want: (f: Files) => ScriptRun }][] = [
    ['signed, --public-key FILE: exit 0', { args: (f) => [f.signed, '--public-key', f.aPub], want: (f) => ok([`certify:verify: ${f.signed}: checksum ok; signature verified with key ${A.keyId} (Ed25519)`]) }],
    ['signed, --public-key=FILE before the file: exit 0', { args: (f) => [`--public-key=${f.aPub}`, f.signed], want: (f) => ok([`certify:verify: ${f.signed}: checksum ok; signature verified with key ${A.keyId} (Ed25519)`]) }],
    ['signed, no key: exit 0, says the signature was not checked', { args: (f) => [f.signed], want: (f) => ok([`certify:verify: ${f.signed}: checksum ok; signature NOT checked: pass --public-key FILE to verify who issued it`]) }],
    ['unsigned, no key: exit 0, says it is not signed', { args: (f) => [f.unsigned], want: (f) => ok([`certify:verify: ${f.unsigned}: checksum ok; NOT signed (sealed without a signing key): who issued it is unknown`]) }],
    ['unsigned, with a key: exit 1', { args: (f) => [f.unsigned, '--public-key', f.aPub], want: (f) => broken([`certify:verify: ${f.unsigned}: checksum ok; NOT signed (sealed without a signing key): who issued it is unknown`, `certify:verify: ${f.unsigned}: NOT intact: the document is not signed, so it cannot be shown to come from the holder of the given key`]) }],
    ['edited: exit 1', { args: (f) => [f.edited, '--public-key', f.aPub], want: (f) => broken([`certify:verify: ${f.edited}: checksum MISMATCH; signature INVALID`, `certify:verify: ${f.edited}: NOT intact: the checksum does not match the content: the document was changed after it was sealed`]) }],
    ['edited, no key: exit 1', { args: (f) => [f.edited], want: (f) => broken([`certify:verify: ${f.edited}: checksum MISMATCH; signature NOT checked: pass --public-key FILE to verify who issued it`, `certify:verify: ${f.edited}: NOT intact: the checksum does not match the content: the document was changed after it was sealed`]) }],
    ['edited and the checksum recomputed: exit 1', { args: (f) => [f.rehashed, '--public-key', f.aPub], want: (f) => broken([`certify:verify: ${f.rehashed}: checksum ok; signature INVALID`, `certify:verify: ${f.rehashed}: NOT intact: the signature does not match the content and checksum: the document was changed after it was signed`]) }],
    ['signed with key A, verified with key B: exit 1', { args: (f) => [f.signed, '--public-key', f.bPub], want: (f) => broken([`certify:verify: ${f.signed}: checksum ok; signature by ANOTHER key (${A.keyId}), not the given one`, `certify:verify: ${f.signed}: NOT intact: the document is signed with key ${A.keyId}, not with the given key ${B.keyId}`]) }],
    ['not a certification: exit 1', { args: (f) => [f.other], want: (f) => broken([`certify:verify: ${f.other}: NOT intact: the document is not a billerapi-certification/1 document`]) }],
    ['no such file: exit 2', { args: (f) => [f.missing], want: (f) => refused(`cannot read the document ${f.missing} (ENOENT)`) }],
    ['no such key file: exit 2', { args: (f) => [f.signed, '--public-key', f.missing], want: (f) => refused(`cannot read the public key ${f.missing} (ENOENT)`) }],
    ['an RSA public key: exit 2', { args: (f) => [f.signed, '--public-key', f.rsaPub], want: (f) => refused(`--public-key ${f.rsaPub}: The public key is an RSA key, not Ed25519: ask the issuer for their Ed25519 public key; to ${MAKE}`) }],
    ['the private key as --public-key: exit 2, the key not printed', { args: (f) => [f.signed, '--public-key', f.aPrivate], want: (f) => refused(`--public-key ${f.aPrivate}: The public key is a private key: pass its public half instead, made with \`openssl pkey -in key.pem -pubout -out key.pub.pem\`, and keep the private key with the issuer.`) }],
    ['an unknown option: exit 2', { args: (f) => [f.signed, '--public-keys', f.aPub], want: () => refused(`Unknown option --public-keys (did you mean --public-key?). ${HELP}`) }],
    ['--public-key without a file: exit 2', { args: (f) => [f.signed, '--public-key'], want: () => refused(`--public-key needs a value. ${HELP}`) }],
    ['--public-key twice: exit 2', { args: (f) => [f.signed, '--public-key', f.aPub, `--public-key=${f.bPub}`], want: () => refused('--public-key given twice: give it once.') }],
    ['no file: exit 2', { args: (f) => ['--public-key', f.aPub], want: () => refused(`Missing argument <file>. ${HELP}`) }],
  ];
  for (const [name, { args, want }] of cases) {
    test(name, { tag: '@runs' }, async ({}, testInfo) => {
      const f = files(testInfo);
      const run = await runScriptLines('scripts/certify-verify.ts', args(f));
      expect(run).toEqual(want(f));
      expectNoSecretIn(run, A.privateKeyPem);
    });
  }
});
