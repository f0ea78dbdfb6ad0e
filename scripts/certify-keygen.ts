/**
 * `npm run certify:keygen -- --out DIR`: a fresh Ed25519 key pair for signing certification
 * reports: DIR/signing-key.pem (private, mode 0600: keep it with the issuer) and
 * DIR/signing-key.pub.pem (public: give it to whoever verifies). Never overwrites a key.
 * Exit 0: written. 2: no --out, a key already there, or the folder cannot be written.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, ExitCode } from '../lib/config/errors';
import { generateSigningKeyPair } from '../lib/reports/seal';

const USAGE = 'usage: npm run certify:keygen -- --out DIR';

function outDir(argv: string[]): string {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { out: { type: 'string' } }, allowPositionals: false, strict: true });
  } catch (error) {
    // Node's first sentence names the option; the rest is advice about positionals.
    throw new ConfigError(`${(error as Error).message.split(/\.\s/)[0]}: ${USAGE}`);
  }
  if (!parsed.values.out) throw new ConfigError(`--out DIR is required: ${USAGE}`);
  return parsed.values.out;
}

function main(): number {
  const dir = outDir(process.argv.slice(2));
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
    throw new ConfigError(`cannot write the key pair in ${dir} (${(error as NodeJS.ErrnoException).code ?? 'unwritable'}): ${USAGE}`);
  }
  console.log(`certify:keygen: private key ${privatePath} (mode 0600; keep it secret: sign with npm run certify -- --signing-key ${privatePath})`);
  console.log(`certify:keygen: public key ${publicPath} (key id ${pair.keyId}; give it to verifiers: npm run certify:verify -- FILE --public-key ${publicPath})`);
  return ExitCode.conformant;
}

try {
  process.exitCode = main();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`certify:keygen: ${error.message}`);
  process.exitCode = ExitCode.configuration;
}
