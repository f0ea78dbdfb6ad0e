/**
 * The run coordinator: a loopback HTTP service in the Playwright main process that hands every
 * worker the run context (lib/run/run-context.ts), that every worker asks before it sends (the
 * shared rate budget), tells about an unplanned 429, and asks for the rate-limit probes'
 * observations (run once per run, the first time asked).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { send } from '../transport/http';
import { BudgetExceeded, type RateBudget } from './rate-budget';
import type { GroupName } from '../contract/rate-limits';
import type { ProbeObservation } from './rate-probe';
import type { RunContext } from '../run/run-context';
import { DEFAULT_TARGET } from '../run/run-targets';

export const COORDINATOR_VARIABLE = 'BILLERAPI_RUN_COORDINATOR_URL';

export type ProbeOutcome = ProbeObservation | { skipped: string } | { error: string };
export type ProbeReport = Partial<Record<GroupName, ProbeOutcome>>;

export interface RunLedger {
  budget: RateBudget;
  /** Runs the probes the first time it is called; later calls get the same promise. */
  probes(): Promise<ProbeReport>;
  unplanned: Record<GroupName, number>;
}

export interface Coordinator {
  url: string;
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 4096;

async function readJson(req: IncomingMessage): Promise<Record<string, string>> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > MAX_REQUEST_BYTES) throw new Error('request too large');
  }
  return JSON.parse(text || '{}');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** Each target's ledger and context, by target key (lib/run/run-targets.ts). */
export type CoordinatedTargets = ReadonlyMap<string, { ledger: RunLedger; context: RunContext }>;

/** `/context/run`, `/reserve/run`, …: the action and the target it is for. */
function routeOf(url: string | undefined): { action: string; target: string } | undefined {
  const match = /^\/([a-z]+)\/([^/?]+)$/.exec(url ?? '');
  return match ? { action: match[1], target: decodeURIComponent(match[2]) } : undefined;
}

async function route(req: IncomingMessage, res: ServerResponse, targets: CoordinatedTargets): Promise<void> {
  const at = routeOf(req.url);
  const target = at && targets.get(at.target);
  if (!at || !target) return reply(res, 404, { error: `no route ${req.method} ${req.url}` });
  const { ledger, context } = target;
  if (req.method === 'GET' && at.action === 'context') return reply(res, 200, context);
  if (req.method === 'POST' && at.action === 'reserve') {
    const { group, key } = (await readJson(req)) as { group: string; key: string | string[] };
    try {
      return reply(res, 200, ledger.budget.reserve(group as GroupName, key, Date.now()));
    } catch (error) {
      if (error instanceof BudgetExceeded) return reply(res, 409, { error: error.message });
      throw error;
    }
  }
  if (req.method === 'POST' && at.action === 'unplanned') {
    const { group } = await readJson(req);
    ledger.unplanned[group as GroupName] = (ledger.unplanned[group as GroupName] ?? 0) + 1;
    return reply(res, 200, {});
  }
  if (req.method === 'GET' && at.action === 'probes') return reply(res, 200, await ledger.probes());
  reply(res, 404, { error: `no route ${req.method} ${req.url}` });
}

export async function startCoordinator(targets: CoordinatedTargets): Promise<Coordinator> {
  const server = createServer((req, res) => {
    route(req, res, targets).catch((error: unknown) => reply(res, 500, { error: error instanceof Error ? error.message : String(error) }));
  });
  // The probes' answer can take two windows: no server-side timeout may cut it.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** A worker's side of the coordinator. */
export class CoordinatorClient {
  private readonly url: string;

  /** The coordinator at `base`, for the target `target` (lib/run/run-targets.ts). */
  constructor(base: string, private readonly target: string = DEFAULT_TARGET) {
    this.url = base;
  }

  private path(action: string): string {
    return `${this.url}/${action}/${encodeURIComponent(this.target)}`;
  }

  private async post(action: string, body: object, timeoutMs: number): Promise<{ status: number; json: any }> {
    const response = await send(
      { method: 'POST', url: this.path(action), headers: [['Content-Type', 'application/json']], body: JSON.stringify(body) },
      timeoutMs,
    );
    return { status: response.status, json: JSON.parse(response.body) };
  }

  /** Milliseconds to wait before sending one request of `group` for `key` (or for each of several keys). */
  async reserve(group: GroupName, key: string | readonly string[]): Promise<number> {
    const { status, json } = await this.post('reserve', { group, key }, 5_000);
    if (status !== 200) throw new Error(`Harness: ${json.error ?? `the run coordinator answered ${status}`}`);
    return json.waitMs;
  }

  async context(): Promise<RunContext> {
    const response = await send({ method: 'GET', url: this.path('context'), headers: [] }, 5_000);
    if (response.status !== 200) throw new Error(`Harness: the run coordinator gave no run context: ${response.body.slice(0, 300)}`);
    return JSON.parse(response.body) as RunContext;
  }

  async reportUnplanned(group: GroupName): Promise<void> {
    await this.post('unplanned', { group }, 5_000);
  }

  async probes(timeoutMs: number): Promise<ProbeReport> {
    const response = await send({ method: 'GET', url: this.path('probes'), headers: [] }, timeoutMs);
    if (response.status !== 200) throw new Error(`Harness: the rate-limit probes failed: ${response.body.slice(0, 300)}`);
    return JSON.parse(response.body);
  }
}

export function coordinatorFromEnv(target: string = DEFAULT_TARGET, env: NodeJS.ProcessEnv = process.env): CoordinatorClient | undefined {
  const url = env[COORDINATOR_VARIABLE];
  return url ? new CoordinatorClient(url, target) : undefined;
}
