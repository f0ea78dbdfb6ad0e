/**
 * `billerapi-conformance keygen --out DIR` (`npm run certify:keygen -- …`): a fresh Ed25519 key
 * pair for signing certification reports: DIR/signing-key.pem (private, mode 0600: keep it with the issuer) and
 * DIR/signing-key.pub.pem (public: give it to whoever verifies). Never overwrites a key.
 * Exit 0: written. 2: no --out, a key already there, or the folder cannot be written.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ExitCode } from '../lib/config/errors';
import { generateSigningKeyPair } from '../lib/reports/seal';
import { pathOption, runAsScript, type Subcommand } from './subcommand';

export const keygenCommand: Subcommand<{ out: string }> = {
  name: 'keygen',
  label: 'certify:keygen',
  summary: 'make an Ed25519 key pair that signs certification reports',
  description: 'Make an Ed25519 key pair that signs certification reports; never overwrites a key. Exit 0 written, 2 not.',
  options: () => [pathOption('--out <dir>', 'folder for signing-key.pem (private, mode 0600) and signing-key.pub.pem (public); required').makeOptionMandatory()],
  run: async ({ out }) => keygen(out),
  crashExit: ExitCode.nonConformant,
};

function keygen(dir: string): number {
  const privatePath = join(dir, 'signing-key.pem');
  const publicPath = join(dir, 'signing-key.pub.pem');
  const existing = [privatePath, publicPath].filter((p) => existsSync(p));
  if (existing.length > 0) throw new ConfigError(`${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}: refusing to overwrite a key; choose another --out or remove it yourself.`);
  const pair = generateSigningKeyPair();
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // 'wx': fail rather than replace a file that appeared since the check.
    writeFileSync(privatePath, pair.privateKeyPem, { flag: 'wx', mode: 0o600 });
    writeFileSync(publicPath, pair.publicKeyPem, { flag: 'wx', mode: 0o644 });
  } catch (error) {
    throw new ConfigError(`cannot write the key pair in ${dir} (${(error as NodeJS.ErrnoException).code ?? 'unwritable'})`);
  }
  console.log(`certify:keygen: private key ${privatePath} (mode 0600; keep it secret: sign with npm run certify -- --signing-key ${privatePath})`);
  console.log(`certify:keygen: public key ${publicPath} (key id ${pair.keyId}; give it to verifiers: npm run certify:verify -- FILE --public-key ${publicPath})`);
  return ExitCode.conformant;
}

if (require.main === module) runAsScript(keygenCommand);
