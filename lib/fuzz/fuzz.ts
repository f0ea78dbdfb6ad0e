/**
 * lib/fuzz/ — fuzzing: the generators (arbitraries.ts), values that reproduce exactly in bash
 * (fuzz-values.ts), and the properties' settings and runner (fuzz.ts). Imports lib/contract/,
 * lib/transport/, lib/judgement/, lib/config/ and the fixtures' Api type.
 */
/**
 * Runs a fast-check property over generated requests (lib/fuzz/arbitraries.ts) and judges every
 * answer: never a 5xx or a dropped connection (ROBUST-001), never a secret in the answer
 * (SEC-001), the answer the case's construction calls for, and the contract checks. A failure
 * reports the shrunk counterexample, the seed and path that replay it (FC_SEED, FC_PATH), and
 * a curl command whose secrets are bash expressions over the environment's variables.
 */
import fc from 'fast-check';
import type { Expectation, FuzzCase } from './arbitraries';
import { contractChecks, runChecks, statusLine, type Failure } from '../judgement/checks';
import type { Exchange } from '../transport/client';
import { requestUrl } from '../transport/client';
import { environmentSecrets, type EnvName } from '../config/env';
import type { Api } from '../run/fixtures';
import { derivedParts, render, shellLiteral, shellValue, TOKEN_VARIABLES, type Secrets, type Value } from './fuzz-values';
import { maskSecret } from '../transport/redact';
import { requirement, type RequirementId } from '../contract/requirements';
import { operation, type RateLimitGroup } from '../contract/spec';

/** Cases per property: generous against the reference with short windows, what a real window's budget allows elsewhere, none in production. */
export const DEFAULT_RUNS: Readonly<Record<EnvName, number>> = { local: 100, sandbox: 20, partner: 40, production: 0 };

export interface FuzzSettings {
  numRuns: number;
  seed?: number;
  path?: string;
}

/** Windows this long are real rate-limit budgets: fuzzing then takes the sandbox's share even locally. */
const REAL_WINDOW_SECONDS = 60;

/** FC_NUM_RUNS, FC_SEED and FC_PATH override the defaults; a path replays exactly one shrunk case. */
export function fuzzSettings(name: EnvName, groups: readonly RateLimitGroup[], env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  const whole = (variable: string) => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return undefined;
    if (!/^-?\d+$/.test(raw)) throw new Error(`${variable} must be a whole number, not "${raw}".`);
    return Number(raw);
  };
  const path = env.FC_PATH || undefined;
  if (path !== undefined && !/^\d+(:\d+)*$/.test(path)) throw new Error(`FC_PATH must look like 12:0:3, not "${path}".`);
  const realWindows = Math.max(...groups.map((g) => g.windowSeconds)) >= REAL_WINDOW_SECONDS;
  const runs = name === 'local' && realWindows ? DEFAULT_RUNS.sandbox : DEFAULT_RUNS[name];
  return { numRuns: whole('FC_NUM_RUNS') ?? runs, seed: whole('FC_SEED'), path };
}

/** Which requirement a wrong answer breaks: one for accepting what must be refused, one for the opposite. */
export interface Verdicts {
  wronglyAccepted: RequirementId;
  wronglyRefused: RequirementId;
}

export interface FuzzTarget {
  operationId: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
}

type Outcome = { exchange: Exchange } | { error: string };

const MIN_LEAK_LENGTH = 8;

/** Every secret and token a response must not contain: the environment's, the run's tokens, and the near misses this case sent. */
function leakCandidates(c: FuzzCase, s: Secrets): string[] {
  const sent = c.headers.flatMap(([, v]) => derivedParts(v))
    .filter((d) => 'token' in d.source || d.source.part === 'secret')
    .map((d) => render(d, s));
  return [...environmentSecrets(s.environment), s.ownToken, s.otherToken, ...sent].filter((v): v is string => !!v && v.length >= MIN_LEAK_LENGTH);
}

function expectationFailure(e: Expectation, x: Exchange, verdicts: Verdicts): Failure | undefined {
  const status = x.response.status;
  const ok = status >= 200 && status < 300;
  switch (e.kind) {
    case 'answered':
      return ok ? undefined : { requirement: verdicts.wronglyRefused, expected: 'a 2xx answer', received: statusLine(x) };
    case 'refused':
      if (status === e.status) return undefined;
      return { requirement: ok ? verdicts.wronglyAccepted : verdicts.wronglyRefused, expected: `status ${e.status}`, received: statusLine(x) };
    case 'either':
      return e.statuses.includes(status) ? undefined : { requirement: ok ? verdicts.wronglyAccepted : verdicts.wronglyRefused, expected: `status ${e.statuses.join(' or ')} (${e.why})`, received: statusLine(x) };
  }
}

/** The first thing wrong with one case's outcome, or undefined. */
export function judge(c: FuzzCase, outcome: Outcome, s: Secrets, verdicts: Verdicts): Failure | undefined {
  if ('error' in outcome) return { requirement: 'ROBUST-001', expected: 'an HTTP answer', received: `no answer: ${outcome.error}` };
  const x = outcome.exchange;
  if (x.response.status >= 500) return { requirement: 'ROBUST-001', expected: 'no 5xx for any input', received: statusLine(x) };
  const answer = `${Object.entries(x.response.headers).map(([n, v]) => `${n}: ${v}`).join('\n')}\n${x.response.body}`;
  // Longest first: a near miss that extends a secret is the better name for what leaked.
  const leaked = leakCandidates(c, s).sort((a, b) => b.length - a.length).find((secret) => answer.includes(secret));
  if (leaked) return { requirement: 'SEC-001', expected: 'no secret or token in the answer', received: `the answer contains ${maskSecret(leaked)}` };
  const wrong = expectationFailure(c.expect, x, verdicts);
  if (wrong) return wrong;
  // A 431 from the HTTP layer (A-021) answers before the API: no contract applies to it.
  if (x.response.status === 431) return undefined;
  return runChecks(x, contractChecks).find((f) => requirement(f.requirement).level === 'MUST');
}

/** The case's headers as sent; the client adds Accept and, with a body, Content-Type. */
function headersOf(c: FuzzCase, s: Secrets): [string, string][] {
  return c.headers.map(([name, value]): [string, string] => [name, render(value, s)]);
}

async function sendCase(api: Api, target: FuzzTarget, c: FuzzCase, s: Secrets): Promise<Outcome> {
  try {
    const exchange = await api.send(target.operationId, {
      auth: { kind: 'headers', headers: headersOf(c, s) },
      params: target.params,
      body: c.body,
      rawQuery: [...Object.entries(target.query ?? {}), ...c.query],
    });
    return { exchange };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** `curl` for a case: secret-derived header values as bash expressions, everything else quoted as it is. */
export function curlOf(target: FuzzTarget, c: FuzzCase, s: Secrets, baseUrl: string): string {
  const op = operation(target.operationId);
  const url = requestUrl(baseUrl, op, { params: target.params, rawQuery: [...Object.entries(target.query ?? {}), ...c.query] });
  const headerWord = (name: string, value: Value) => `${shellLiteral(`${name}: `)}${shellValue(value, s)}`;
  const parts = ['curl', '-i', '-X', op.method, '-H', shellLiteral('Accept: application/json'), ...c.headers.flatMap(([n, v]) => ['-H', headerWord(n, v)])];
  if (c.body !== undefined) parts.push('-H', shellLiteral('Content-Type: application/json'), '--data-binary', shellLiteral(c.body));
  parts.push(shellLiteral(url));
  return parts.join(' ');
}

function tokenNote(c: FuzzCase): string[] {
  const tokens = new Set(c.headers.flatMap(([, v]) => derivedParts(v)).flatMap((d) => ('token' in d.source ? [d.source.token] : [])));
  return [...tokens].map((t) => `(set ${TOKEN_VARIABLES[t]} to the access token of ${t === 'own' ? 'a' : 'a second'} linked sandbox account of the client)`);
}

export interface FuzzReport {
  cases: number;
  durationMs: number;
  seed: number;
  failed: boolean;
}

/**
 * Runs the property; on failure reports the shrunk counterexample through `api.report`.
 * `title` is the test's grep handle, used in the replay command.
 */
export async function fuzz(api: Api, s: Secrets, target: FuzzTarget, cases: fc.Arbitrary<FuzzCase>, verdicts: Verdicts, title: string): Promise<FuzzReport> {
  const settings = fuzzSettings(api.environment.name, api.run.groups);
  let last: { c: FuzzCase; outcome: Outcome; failure: Failure } | undefined;
  let limited: Exchange | undefined;
  const property = fc.asyncProperty(cases, async (c) => {
    // After an unplanned 429 every case would be refused too: the run stops being evidence.
    if (limited) return;
    const outcome = await sendCase(api, target, c, s);
    if ('exchange' in outcome && outcome.exchange.response.status === 429) {
      limited = outcome.exchange;
      return;
    }
    const failure = judge(c, outcome, s, verdicts);
    if (failure) {
      last = { c, outcome, failure };
      throw new Error(failure.received);
    }
  });
  const started = performance.now();
  const details = await fc.check(property, { numRuns: settings.numRuns, seed: settings.seed, path: settings.path, endOnFailure: false });
  const durationMs = performance.now() - started;
  if (limited) await api.assertNotLimited(limited);
  if (details.failed && details.counterexample && last) {
    // fast-check re-runs the shrunk counterexample last, so `last` is its outcome.
    const [c] = details.counterexample;
    const exchange = 'exchange' in last.outcome ? api.adopt(last.outcome.exchange) : undefined;
    api.report(
      { ...last.failure, received: `${last.failure.received}; counterexample: ${c.label}` },
      exchange,
      [
        `# counterexample after ${details.numRuns} case(s), shrunk ${details.numShrinks} time(s); seed ${details.seed}, path ${details.counterexamplePath}`,
        curlOf(target, c, s, api.baseUrl),
        ...tokenNote(c),
        `FC_SEED=${details.seed} FC_PATH=${details.counterexamplePath} npm run conformance -- --env ${api.environment.name} --grep '${title}'`,
      ],
    );
  } else if (details.failed) {
    throw new Error(`Harness: the fuzz run failed without a counterexample: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
  }
  return { cases: details.numRuns, durationMs, seed: details.seed, failed: details.failed };
}
