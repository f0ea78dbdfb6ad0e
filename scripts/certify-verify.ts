/**
 * `npm run certify:verify -- FILE [--public-key FILE]`: checks a certification report's seal.
 * The checksum shows that the content is as sealed; only the signature, checked with the
 * issuer's public key, shows who sealed it. Exit 0: intact (and, with a key, signed by it).
 * 1: changed, not a certification, unsigned though a key was given, another key, or an invalid
 * signature. 2: the file or the key cannot be read, or the key is not Ed25519.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, ExitCode } from '../lib/config/errors';
import { CERTIFICATION_FORMAT } from '../lib/reports/certification';
import { verifySealedDocument, type SealVerification } from '../lib/reports/seal';


const USAGE = 'usage: npm run certify:verify -- FILE [--public-key FILE]';

function read(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}): ${USAGE}`);
  }
}

function options(argv: string[]): { file: string; publicKeyPath?: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { 'public-key': { type: 'string', multiple: true } }, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's first sentence names the option ("Unknown option '--x'"); the rest is advice about positionals.
    throw new ConfigError(`${(error as Error).message.split(/\.\s/)[0]}: ${USAGE}`);
  }
  const keys = parsed.values['public-key'] ?? [];
  if (parsed.positionals.length !== 1) throw new ConfigError(`${parsed.positionals.length === 0 ? 'no file given' : 'one file at a time'}: ${USAGE}`);
  if (keys.length > 1) throw new ConfigError(`--public-key given ${keys.length} times: give it once: ${USAGE}`);
  if (keys[0] === '') throw new ConfigError(`--public-key needs a file: ${USAGE}`);
  return { file: parsed.positionals[0], publicKeyPath: keys[0] };
}

function signatureFact(v: SealVerification): string {
  switch (v.signature) {
    case 'verified': return `signature verified with key ${v.keyId} (Ed25519)`;
    case 'not-checked': return 'signature NOT checked: pass --public-key FILE to verify who issued it';
    case 'unsigned': return 'NOT signed (sealed without a signing key): who issued it is unknown';
    case 'wrong-key': return `signature by ANOTHER key (${v.keyId}), not the given one`;
    case 'invalid': return 'signature INVALID';
  }
}

function main(): number {
  const { file, publicKeyPath } = options(process.argv.slice(2));
  const text = read(file, 'the document');
  const publicKey = publicKeyPath === undefined ? undefined : read(publicKeyPath, 'the public key');
  let verification: SealVerification;
  try {
    verification = verifySealedDocument(text, { format: CERTIFICATION_FORMAT, publicKey });
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`--public-key ${publicKeyPath}: ${error.message}`);
    throw error;
  }
  if (verification.document !== 'ok') {
    console.log(`certify:verify: ${file}: NOT intact: ${verification.reason}`);
    return ExitCode.nonConformant;
  }
  console.log(`certify:verify: ${file}: checksum ${verification.checksum === 'ok' ? 'ok' : verification.checksum.toUpperCase()}; ${signatureFact(verification)}`);
  if (!verification.intact) {
    console.log(`certify:verify: ${file}: NOT intact: ${verification.reason}`);
    return ExitCode.nonConformant;
  }
  return ExitCode.conformant;
}

try {
  process.exitCode = main();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`certify:verify: ${error.message}`);
  process.exitCode = ExitCode.configuration;
}
