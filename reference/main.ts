/**
 * `npm run reference`: the reference sandbox on PORT (4010) / HOST (127.0.0.1), with the
 * clients of .env.local (process env wins), REFERENCE_FAULTS and REFERENCE_WINDOW_SECONDS.
 */
import { join } from 'node:path';
import dotenv from 'dotenv';
import { startReference } from './app';
import { referenceClientsFromEnv } from './clients';
import { parseFaults, type FaultName } from './faults';

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

function faultsFromEnv(raw: string | undefined): FaultName[] {
  try {
    return parseFaults(raw);
  } catch (error) {
    return fail((error as Error).message);
  }
}

async function main(): Promise<void> {
  dotenv.config({ path: join(__dirname, '..', '.env.local'), quiet: true });
  const faults = faultsFromEnv(process.env.REFERENCE_FAULTS);
  const windowSeconds = windowSecondsFromEnv(process.env.REFERENCE_WINDOW_SECONDS);
  const port = portFromEnv(process.env.PORT);
  const host = process.env.HOST || '127.0.0.1';
  const clients = referenceClientsFromEnv(process.env);
  if (clients.length === 0) fail('no client credentials: set BILLERAPI_CLIENT_ID and BILLERAPI_CLIENT_SECRET (see .env.local).');

  const reference = await startReference({ clients, faults, windowSeconds }, port, host);
  const window = windowSeconds === undefined ? 'spec' : `${windowSeconds}s`;
  console.log(`reference: listening on ${reference.url} (faults: ${faults.join(',') || 'none'}, window: ${window})`);

  const stop = () => {
    reference.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => fail(error.message));
