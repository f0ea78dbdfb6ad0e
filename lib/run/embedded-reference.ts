/** The reference sandbox server, started in-process for local runs (`REFERENCE_FAULTS`, `REFERENCE_VARIATIONS`, `REFERENCE_WINDOW_SECONDS`). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createReferenceHandler, startReference } from '../../reference/app';
import { referenceClientsFromEnv } from '../../reference/clients';
import { parseFaults, type FaultName } from '../../reference/faults';
import { parseVariations, type VariationName } from '../../reference/variations';
import { ConfigError } from '../config/errors';
import { parseWindowSeconds } from '../contract/windows';

export interface EmbeddedReference {
  url: string;
  close(): Promise<void>;
}

export { parseWindowSeconds };

/** The faults REFERENCE_FAULTS names; an unknown one is a configuration error. */
export function parseFaultList(value: string | undefined): FaultName[] {
  try {
    return parseFaults(value);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** The variations REFERENCE_VARIATIONS names (`all` for every one); an unknown one is a configuration error. */
export function parseVariationList(value: string | undefined): VariationName[] {
  try {
    return parseVariations(value);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

export async function startEmbeddedReference(env: NodeJS.ProcessEnv): Promise<EmbeddedReference> {
  const reference = await startReference({
    clients: referenceClientsFromEnv(env),
    faults: parseFaultList(env.REFERENCE_FAULTS),
    variations: parseVariationList(env.REFERENCE_VARIATIONS),
    windowSeconds: parseWindowSeconds(env.REFERENCE_WINDOW_SECONDS),
  });
  return { url: reference.url, close: () => reference.close() };
}

/**
 * The reference as a request handler, for a server that wraps it (the observing sandbox of the
 * client certification): its clients from the environment, spec windows unless REFERENCE_WINDOW_SECONDS.
 */
export function embeddedReferenceHandler(env: NodeJS.ProcessEnv): { clientSecrets: string[]; handle(req: IncomingMessage, res: ServerResponse): void } {
  const clients = referenceClientsFromEnv(env);
  if (clients.length === 0) throw new ConfigError('No client credentials for the sandbox: set BILLERAPI_CLIENT_ID and BILLERAPI_CLIENT_SECRET (or put them in .env.local).');
  const handle = createReferenceHandler({ clients, windowSeconds: parseWindowSeconds(env.REFERENCE_WINDOW_SECONDS) });
  return { clientSecrets: clients.map((c) => c.secret), handle };
}
