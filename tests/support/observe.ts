/** The client certification (scripts/observe.ts) started as a partner starts it, for tests: the sandbox, a client run against it, the observation ended. */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Certification } from '../../lib/reports/certification';
import { BillerApiClient, runFlow, type Behaviour } from '../../examples/client/client';
import { cleanEnv, runTsx } from './run';

/** Long enough for the slowest flow's conditions (a Retry-After, then five doubling backoffs from 100 ms); a flow still running then is stopped. */
const FLOW_DEADLINE_MS = 6_000;
const SANDBOX_START_MS = 15_000;

export interface Observation {
  url: string;
  clientId: string;
  clientSecret: string;
  child: ChildProcess;
  output: () => string;
  reports: string;
}

interface Ended {
  code: number;
  output: string;
  certification: Certification;
}

/** A sandbox's client credentials: planted for the test, never the repository's. */
export const plantedClient = () => ({ clientId: `cli_observe_${randomBytes(4).toString('hex')}`, clientSecret: `bb_test_${randomBytes(16).toString('hex')}` });

/** `npm run observe -- --scenario S --port 0 --reports DIR` with a planted client, once it listens. */
export async function startObservation(scenario: string, client = plantedClient()): Promise<Observation> {
  const { clientId, clientSecret } = client;
  const reports = mkdtempSync(join(tmpdir(), 'billerapi-observe-'));
  const child = runTsx('scripts/observe.ts', ['--scenario', scenario, '--port', '0', '--reports', reports], cleanEnv({ BILLERAPI_CLIENT_ID: clientId, BILLERAPI_CLIENT_SECRET: clientSecret }));
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sandbox did not start: ${out}`)), SANDBOX_START_MS);
    child.stdout!.on('data', () => {
      const match = /sandbox listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('close', (code) => reject(new Error(`the sandbox exited ${code}: ${out}`)));
  });
  return { url, clientId, clientSecret, child, output: () => out, reports };
}

/** Runs the example client's flow with `behaviour` against the sandbox, stopping it at the deadline. */
export async function runClient(o: Observation, behaviour: Partial<Behaviour> = {}): Promise<void> {
  const controller = new AbortController();
  const client = new BillerApiClient({ baseUrl: o.url, clientId: o.clientId, clientSecret: o.clientSecret, behaviour, signal: controller.signal });
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, FLOW_DEADLINE_MS));
  await Promise.race([runFlow(client).then(() => undefined, () => undefined), deadline]);
  controller.abort();
}

const exitOf = (child: ChildProcess) => new Promise<number>((resolve) => {
  if (child.exitCode !== null) resolve(child.exitCode);
  else child.on('close', (code) => resolve(code ?? -1));
});

/** Ends the observation with POST /_observe/finish (or a signal), and reads the certification back. */
export async function finish(o: Observation, how: 'POST' | NodeJS.Signals = 'POST'): Promise<Ended & { answer?: unknown }> {
  let answer: unknown;
  if (how === 'POST') answer = await (await fetch(`${o.url}/_observe/finish`, { method: 'POST' })).json();
  else o.child.kill(how);
  const code = await exitOf(o.child);
  const certification = JSON.parse(readFileSync(join(o.reports, 'certification', 'certification.json'), 'utf8')) as Certification;
  return { code, output: o.output(), certification, answer };
}

