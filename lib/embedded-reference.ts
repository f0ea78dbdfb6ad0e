/** The reference sandbox server, started in-process for local runs (`REFERENCE_FAULTS`, `REFERENCE_WINDOW_SECONDS`). */
import { startReference } from '../reference/app';
import { referenceClientsFromEnv } from '../reference/clients';
import { parseFaults, type FaultName } from '../reference/faults';
import { ConfigError } from './errors';

export interface EmbeddedReference {
  url: string;
  close(): Promise<void>;
}

export function parseWindowSeconds(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new ConfigError(`REFERENCE_WINDOW_SECONDS must be a whole number of seconds ≥ 1, not "${value}".`);
  }
  return seconds;
}

export async function startEmbeddedReference(env: NodeJS.ProcessEnv): Promise<EmbeddedReference> {
  let faults: FaultName[];
  try {
    faults = parseFaults(env.REFERENCE_FAULTS);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const reference = await startReference({
    clients: referenceClientsFromEnv(env),
    faults,
    windowSeconds: parseWindowSeconds(env.REFERENCE_WINDOW_SECONDS),
  });
  return { url: reference.url, close: () => reference.close() };
}
