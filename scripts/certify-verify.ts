/**
 * `billerapi-conformance verify FILE [--public-key FILE]` (`npm run certify:verify -- …`): checks a
 * certification report's seal.
 * The checksum shows that the content is as sealed; only the signature, checked with the
 * issuer's public key, shows who sealed it. Exit 0: intact (and, with a key, signed by it).
 * 1: changed, not a certification, unsigned though a key was given, another key, or an invalid
 * signature. 2: the file or the key cannot be read, or the key is not Ed25519.
 */
import { readFileSync } from 'node:fs';
import { Argument } from 'commander';
import { ConfigError, ExitCode } from '../lib/config/errors';
import { CERTIFICATION_FORMAT } from '../lib/reports/certification';
import { verifySealedDocument, type SealVerification } from '../lib/reports/seal';
import { runAsScript, valueOption, type Subcommand } from './subcommand';

export const verifyCommand: Subcommand<{ publicKey?: string }> = {
  name: 'verify',
  label: 'certify:verify',
  summary: "check a certification report's seal",
  description: "Check a certification report's seal: its checksum, and with --public-key who signed it. Exit 0 intact, 1 not intact, 2 unreadable.",
  options: () => [valueOption('--public-key <file>', "the issuer's Ed25519 public key (PEM): also check that the report is signed with it", { parse: givenOnce, refuseEmpty: true })],
  arguments: () => [new Argument('<file>', 'the certification.json to check')],
  run: async (options, [file]) => verify(file, options.publicKey),
  crashExit: ExitCode.nonConformant,
};

/** One key verifies: with two, which one did would be a guess. */
function givenOnce(path: string, previous: string | undefined): string {
  if (previous !== undefined) throw new ConfigError('--public-key given twice: give it once.');
  return path;
}

function read(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
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

function verify(file: string, publicKeyPath: string | undefined): number {
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

if (require.main === module) runAsScript(verifyCommand);
