/**
 * The reference sandbox as a process: `billerapi-conformance reference` (scripts/reference.ts,
 * `npm run reference`), whose options set the variables below, or this file run directly, set
 * by the variables alone. It listens on PORT (4010) / HOST (127.0.0.1), with the clients of
 * .env.local (the environment wins), REFERENCE_FAULTS, REFERENCE_VARIATIONS and
 * REFERENCE_WINDOW_SECONDS. REFERENCE_TLS=yes serves HTTPS with a certificate made at start,
 * whose CA goes to REFERENCE_TLS_CERT_OUT (default: a new temporary file);
 * REFERENCE_REDIRECT_TO=<origin> answers every request 307 to that origin.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import dotenv from 'dotenv';
import { parseWindowSeconds } from '../lib/contract/windows';
import { startReference, type ClientSeed, type ReferenceOptions } from './app';
import { referenceClientsFromEnv } from './clients';
import { parseFaults, type FaultName } from './faults';
import { parseVariations, type VariationName } from './variations';

export interface ReferenceServerSettings {
  clients: ClientSeed[];
  faults: FaultName[];
  variations: VariationName[];
  /** The spec's windows when absent. */
  windowSeconds?: number;
  port: number;
  host: string;
  tls: boolean;
  tlsCertOut?: string;
  redirectTo?: string;
}

/** A port number, from the variable or option `name`. */
export function parsePort(raw: string, name: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65_535) throw new Error(`${name} must be a port number (0-65535), got "${raw}".`);
  return Number(raw);
}

function tlsFromEnv(raw: string | undefined): boolean {
  if (raw === undefined || raw === '') return false;
  if (raw !== 'yes') throw new Error(`REFERENCE_TLS must be "yes" or unset, got "${raw}".`);
  return true;
}

/** The clients' credentials of .env.local. */
function localCredentials(): Record<string, string> {
  const path = join(__dirname, '..', '.env.local');
  return existsSync(path) ? dotenv.parse(readFileSync(path)) : {};
}

/** The settings `env` gives, with the credentials of .env.local it lacks; a bad value throws the one line that names it. */
export function referenceSettings(env: NodeJS.ProcessEnv): ReferenceServerSettings {
  const clients = referenceClientsFromEnv({ ...localCredentials(), ...env });
  if (clients.length === 0) throw new Error('no client credentials: set BILLERAPI_CLIENT_ID and BILLERAPI_CLIENT_SECRET (see .env.local).');
  return {
    clients,
    faults: parseFaults(env.REFERENCE_FAULTS),
    variations: parseVariations(env.REFERENCE_VARIATIONS),
    windowSeconds: parseWindowSeconds(env.REFERENCE_WINDOW_SECONDS),
    port: env.PORT ? parsePort(env.PORT, 'PORT') : 4010,
    host: env.HOST || '127.0.0.1',
    tls: tlsFromEnv(env.REFERENCE_TLS),
    tlsCertOut: env.REFERENCE_TLS_CERT_OUT || undefined,
    redirectTo: env.REFERENCE_REDIRECT_TO || undefined,
  };
}

/** Makes the certificate and writes its CA where a client can be pointed at it with --ca. */
async function startTls(certOut: string | undefined): Promise<{ tls: NonNullable<ReferenceOptions['tls']>; caFile: string }> {
  // Loaded only to serve TLS: the certificate library is slow to load, and every command loads this file.
  const { generateLoopbackCertificate } = await import('./certificate');
  const certificate = await generateLoopbackCertificate();
  const caFile = certOut ? resolve(certOut) : join(mkdtempSync(join(tmpdir(), 'billerapi-reference-')), 'ca.pem');
  writeFileSync(caFile, certificate.authority);
  return { tls: { key: certificate.key, cert: certificate.chain }, caFile };
}

/** Starts the reference and says where it listens; it serves until SIGINT or SIGTERM. */
export async function serveReference(settings: ReferenceServerSettings): Promise<void> {
  const { clients, faults, variations, windowSeconds, redirectTo } = settings;
  const secure = settings.tls ? await startTls(settings.tlsCertOut) : undefined;
  const reference = await startReference({ clients, faults, variations, windowSeconds, tls: secure?.tls, redirectTo }, settings.port, settings.host);
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

if (require.main === module) {
  Promise.resolve(process.env).then(referenceSettings).then(serveReference).catch((error: Error) => {
    process.stderr.write(`reference: ${error.message}\n`);
    process.exit(2);
  });
}
