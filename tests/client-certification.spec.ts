/**
 * The client behaviour certification (scripts/observe.ts) as a partner runs it: the sandbox
 * starts, the example client (examples/client/client.ts) runs its flow against it, the
 * observation ends (POST /_observe/finish, or SIGTERM) and the CLIENT-* certification is read
 * back. The well-behaved client passes every requirement when it meets every condition, and is
 * INCOMPLETE, never PASS, for a condition its scenario did not give it; each misbehaving client
 * fails exactly the requirements it breaks; bad input ends with exit 2 and one line.
 */
import { test as base, expect } from '@playwright/test';
import { createServer } from 'node:net';
import { catalogueOf, type RequirementId } from '../lib/contract/requirements';
import { exitCodeOf, type Verdict } from '../lib/judgement/verdict';
import type { Certification } from '../lib/reports/certification';
import type { Behaviour } from '../examples/client/client';
import { misbehavingClientNames, misbehavingClients } from '../examples/client/misbehaving';
import { runScript } from './support/run';
import { finish, plantedClient, runClient, startObservation, type Observation } from './support/observe';

const test = base.extend<{ observe: (scenario: string) => Promise<Observation> }>({
  /** Starts the sandbox; kills it after the test if it still runs. */
  observe: async ({}, use) => {
    const started: Observation[] = [];
    await use(async (scenario) => {
      const o = await startObservation(scenario);
      started.push(o);
      return o;
    });
    for (const o of started) if (o.child.exitCode === null) o.child.kill('SIGKILL');
  },
});

const withResult = (c: Certification, result: string) => c.requirements.filter((r) => r.result === result).map((r) => r.id).sort();

const clients: [string, { scenario: string; behaviour: Partial<Behaviour>; want: { verdict: Verdict; failed: string[]; notJudged?: RequirementId[] } }][] = [
  ['the example client, every condition (all)', { scenario: 'all', behaviour: {}, want: { verdict: 'PASS', failed: [], notJudged: [] } }],
  ['the example client, rate-limit only: what it never met is not judged', { scenario: 'rate-limit', behaviour: {}, want: { verdict: 'INCOMPLETE', failed: [], notJudged: ['CLIENT-005', 'CLIENT-006', 'CLIENT-008'] } }],
  ['the example client, server-errors only', { scenario: 'server-errors', behaviour: {}, want: { verdict: 'INCOMPLETE', failed: [], notJudged: ['CLIENT-004', 'CLIENT-008'] } }],
  ['the example client, missing-scope only', { scenario: 'missing-scope', behaviour: {}, want: { verdict: 'INCOMPLETE', failed: [], notJudged: ['CLIENT-004', 'CLIENT-005', 'CLIENT-006'] } }],
  ...misbehavingClientNames.map((name): (typeof clients)[number] => [
    `misbehaving client ${name} (${misbehavingClients[name].description}), every condition (all)`,
    { scenario: 'all', behaviour: misbehavingClients[name].behaviour, want: { verdict: 'FAIL', failed: [...misbehavingClients[name].breaks].sort() } },
  ]),
];

for (const [name, { scenario, behaviour, want }] of clients) {
  test(`${name}: ${want.verdict}${want.failed.length ? `, failing ${want.failed.join(', ')}` : ''}`, { tag: '@runs' }, async ({ observe }) => {
    const o = await observe(scenario);
    await runClient(o, behaviour);
    const { code, output, certification, answer } = await finish(o);
    expect(code, output).toBe(exitCodeOf(want.verdict));
    expect(withResult(certification, 'failed')).toEqual(want.failed);
    expect(certification.verdict).toBe(want.verdict);
    if (want.notJudged) expect(withResult(certification, 'not-judged')).toEqual(want.notJudged);
    expect(answer).toMatchObject({ verdict: want.verdict, failed: want.failed });
    expect(certification.requirements.map((r) => r.id)).toEqual(catalogueOf('client').map((r) => r.id));
    expect({ subject: certification.subject, scenario: certification.target.scenario }).toEqual({ subject: 'client', scenario });
    expect(output).not.toContain(o.clientSecret);
  });
}

test('a client that sends nothing is judged on nothing: INCOMPLETE (exit 3), each requirement saying what it never saw', { tag: '@runs' }, async ({ observe }) => {
  const { code, certification } = await finish(await observe('all'));
  expect(code).toBe(3);
  expect(withResult(certification, 'not-judged')).toEqual(catalogueOf('client').map((r) => r.id));
  expect(certification.requirements.find((r) => r.id === 'CLIENT-004')?.reason).toBe('skipped: the client met no 429 in this run (the rate-limit scenario answers 429 to the Nth request of a group)');
});

test('SIGTERM ends the observation as POST /_observe/finish does: the certification is written, the exit code is the verdict\'s', { tag: '@runs' }, async ({ observe }) => {
  const o = await observe('all');
  await runClient(o);
  const { code, certification, output } = await finish(o, 'SIGTERM');
  expect(code, output).toBe(0);
  expect(certification.verdict).toBe('PASS');
});

test('a failure names the request that broke the requirement, with the evidence of every request it judged', { tag: '@runs' }, async ({ observe }) => {
  const o = await observe('all');
  await runClient(o, misbehavingClients['ignores-retry-after'].behaviour);
  const { certification } = await finish(o);
  const broken = certification.requirements.find((r) => r.id === 'CLIENT-004')!;
  expect(broken.reason).toMatch(/^expected no biller request with these credentials until 1 s after the 429 to #3; received #4 \d+ ms after it \(in "CLIENT-004 waits the Retry-After period after a 429"\)$/);
  expect(broken.evidence.join('\n')).toMatch(/^#3 \+\d+\.\d{3} s GET \/billers\?q=\S+ \[client cli_observe_[0-9a-f]{8}\] → 429, Retry-After 1 s \(injected: too-many-requests\)$/m);
});

test('exit 2, one line: an unknown scenario', { tag: '@runs' }, async () => {
  const run = await runScript('scripts/observe.ts', ['--scenario', 'chaos', '--port', '0']);
  expect(run.code, run.output).toBe(2);
  expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^observe: Unknown scenario "chaos"\. Use one of: all, rate-limit, server-errors, missing-scope\./)]);
});

test('exit 2, one line: a port in use', { tag: '@runs' }, async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  try {
    const port = (taken.address() as { port: number }).port;
    const run = await runScript('scripts/observe.ts', ['--port', String(port)], plantedClientEnv());
    expect(run.code, run.output).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([`observe: The sandbox cannot listen on 127.0.0.1:${port}: the port is in use; choose another with --port.`]);
  } finally {
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  }
});

function plantedClientEnv(): Record<string, string> {
  const { clientId, clientSecret } = plantedClient();
  return { BILLERAPI_CLIENT_ID: clientId, BILLERAPI_CLIENT_SECRET: clientSecret };
}
