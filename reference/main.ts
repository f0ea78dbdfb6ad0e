/**
 * `npm run reference`: the reference sandbox on PORT (4010) / HOST (127.0.0.1), with the
 * clients of .env.local (process env wins), REFERENCE_FAULTS and REFERENCE_WINDOW_SECONDS.
 * REFERENCE_TLS=yes serves HTTPS with a certificate made at start, whose CA goes to
 * REFERENCE_TLS_CERT_OUT (default: a new temporary file); REFERENCE_REDIRECT_TO=<origin>
 * answers every request 307 to that origin.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import dotenv from 'dotenv';
import { startReference, type ReferenceOptions } from './app';
import { generateLoopbackCertificate } from './certificate';
import { referenceClientsFromEnv } from './clients';
import { parseFaults } from './faults';
import { parseVariations } from './variations';

function fail(message: string): never {
  process.stderr.write(`reference: ${message}\n`);
  process.exit(2);
}

function windowSecondsFromEnv(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[1-9]\d*$/.test(raw)) fail(`REFERENCE_WINDOW_SECONDS must be a positive integer of seconds, got "${raw}".`);
  return Number(raw);
}

function portFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4010;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65_535) fail(`PORT must be a port number (0-65535), got "${raw}".`);
  return Number(raw);
}

/** A list parser's result, or the one line it threw, and exit 2. */
function listFromEnv<T>(parse: (raw: string | undefined) => T[], raw: string | undefined): T[] {
  try {
    return parse(raw);
  } catch (error) {
    return fail((error as Error).message);
  }
}

function tlsFromEnv(raw: string | undefined): boolean {
  if (raw === undefined || raw === '') return false;
  if (raw !== 'yes') fail(`REFERENCE_TLS must be "yes" or unset, got "${raw}".`);
  return true;
}

/** Makes the certificate and writes its CA where a client can be pointed at it with --ca. */
async function startTls(certOut: string | undefined): Promise<{ tls: NonNullable<ReferenceOptions['tls']>; caFile: string }> {
  const certificate = await generateLoopbackCertificate();
  const caFile = certOut ? resolve(certOut) : join(mkdtempSync(join(tmpdir(), 'billerapi-reference-')), 'ca.pem');
  writeFileSync(caFile, certificate.authority);
  return { tls: { key: certificate.key, cert: certificate.chain }, caFile };
}

async function main(): Promise<void> {
  dotenv.config({ path: join(__dirname, '..', '.env.local'), quiet: true });
  const faults = listFromEnv(parseFaults, process.env.REFERENCE_FAULTS);
  const variations = listFromEnv(parseVariations, process.env.REFERENCE_VARIATIONS);
  const windowSeconds = windowSecondsFromEnv(process.env.REFERENCE_WINDOW_SECONDS);
  const port = portFromEnv(process.env.PORT);
  const host = process.env.HOST || '127.0.0.1';
  const clients = referenceClientsFromEnv(process.env);
  if (clients.length === 0) fail('no client credentials: set BILLERAPI_CLIENT_ID and BILLERAPI_CLIENT_SECRET (see .env.local).');

  const redirectTo = process.env.REFERENCE_REDIRECT_TO || undefined;
  const secure = tlsFromEnv(process.env.REFERENCE_TLS) ? await startTls(process.env.REFERENCE_TLS_CERT_OUT || undefined) : undefined;

  const reference = await startReference({ clients, faults, variations, windowSeconds, tls: secure?.tls, redirectTo }, port, host);
  const window = windowSeconds === undefined ? 'spec' : `${windowSeconds}s`;
  // Before the listening line, which tells a waiting client that everything is said.
  if (secure) console.log(`reference: CA certificate in ${secure.caFile} (give it to the suite with --ca)`);
  if (redirectTo) console.log(`reference: every request is answered 307 to ${redirectTo}`);
  console.log(`reference: listening on ${reference.url} (faults: ${faults.join(',') || 'none'}, variations: ${variations.join(',') || 'none'}, window: ${window})`);

  const stop = () => {
    reference.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => fail(error.message));
