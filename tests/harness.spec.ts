/** Unit tests of the harness (lib/): pure functions on hand-built inputs, no server. */
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import * as checks from '../lib/judgement/checks';
import type { Exchange } from '../lib/transport/client';
import { loadEnvironment, parseEnvName, repoRoot, type Environment } from '../lib/config/env';
import { ConfigError } from '../lib/config/errors';
import { curlCommand, formatFailure } from '../lib/judgement/failure';
import { assertReachable, configurationProblems } from '../lib/config/guard';
import type { HttpRequest } from '../lib/transport/http';
import { maskSecret, Redactor } from '../lib/transport/redact';
import { covers, coversWithWrites, requirement, type RequirementId } from '../lib/contract/requirements';
import { keyPrefixes, operation, operations, reasonPhrases, serverUrls } from '../lib/contract/spec';
import { billers } from '../reference/data';

const SECRET = 'bb_test_IJQ4ukDxDIKq1Aw5LLw29R4I7pNC';
const OTHER_SECRET = 'bb_test_SaCfseTnGeguR9jmLXdayaM6553L';
const LIVE_SECRET = 'bb_live_Q8wPz2LmN5vR7tY1';
const sandbox: Environment = { name: 'sandbox', baseUrl: serverUrls.sandbox, primary: { id: 'cli_primary', secret: SECRET }, keyPrefix: keyPrefixes.sandbox };
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

interface Reply { headers?: Record<string, string>; body?: unknown; request?: Partial<HttpRequest> }

/** A GET /billers exchange answered with `status`; `body` is JSON-serialised unless a string. */
function exchange(status: number, { headers = JSON_TYPE, body = {}, request = {} }: Reply = {}): Exchange {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return {
    operation: operation('listBillers'),
    request: { method: 'GET', url: `${serverUrls.sandbox}/billers`, headers: [], ...request },
    response: { status, statusText: STATUS_CODES[status] ?? '', headers, body: text, durationMs: 12 },
    json,
  };
}

/** A well-formed error body for `status`, with `fields` overriding (undefined drops a field). */
function errorBody(status: number, fields: Record<string, unknown> = {}) {
  return { statusCode: status, message: 'Invalid client credentials', error: STATUS_CODES[status], ...fields };
}

/** Runs `run` and expects it to throw a ConfigError with exactly `message`. */
function expectConfigError(run: () => unknown, message: string): void {
  let thrown: unknown;
  try { run(); } catch (error) { thrown = error; }
  expect(thrown).toBeInstanceOf(ConfigError);
  expect((thrown as Error).message).toBe(message);
}

test.describe('lib/transport/redact.ts', () => {
  const masks: [string, { given: string; want: string }][] = [
    ['sandbox client secret (prefix and last 4 kept)', { given: SECRET, want: 'bb_test_…7pNC' }],
    ['production client secret', { given: LIVE_SECRET, want: 'bb_live_…7tY1' }],
    ['access token', { given: 'access-sandbox-5f0c2a9e-1b7d-4c3a', want: 'access-sandbox-…4c3a' }],
    ['public token', { given: 'public-sandbox-00000000-0000-0001', want: 'public-sandbox-…0001' }],
    ['webhook signing secret', { given: 'whsec_9f2c8a7b6e5d4c3b', want: 'whsec_…4c3b' }],
    ['webhook signature (v1= kept, last 4 hex digits)', { given: `v1=${'0a'.repeat(31)}c039`, want: 'v1=…c039' }],
    ['short secret (11 chars after the prefix keep nothing)', { given: 'bb_test_abcdefghijk', want: 'bb_test_…' }],
    ['12 chars after the prefix (the shortest that keeps 4)', { given: 'bb_test_abcdefghijkl', want: 'bb_test_…ijkl' }],
    ['unknown shape, short', { given: 'hunter2!', want: '…' }],
    ['unknown shape, long', { given: 'sk_0123456789abcdef', want: '…cdef' }],
  ];
  for (const [name, { given, want }] of masks) {
    test(`maskSecret: ${name}`, () => {
      expect(maskSecret(given)).toBe(want);
      expect(maskSecret(given)).not.toContain(given);
    });
  }

  const redactions: [string, { given: { registered: string[]; text: string }; want: string }][] = [
    ['a registered secret of no known shape', { given: { registered: ['cli-secret-value-123456'], text: 'key=cli-secret-value-123456;' }, want: 'key=…3456;' }],
    ['a secret containing another registered one is masked whole (longest first)', { given: { registered: ['tokenvalue', 'tokenvalue-extended-9999'], text: 'tokenvalue-extended-9999' }, want: '…9999' }],
    ['an unregistered bb_live_ secret', { given: { registered: [], text: `X-Client-Secret: ${LIVE_SECRET}` }, want: 'X-Client-Secret: bb_live_…7tY1' }],
    ['an unregistered access token', { given: { registered: [], text: 'Bearer access-production-0123abcd-4567-89ef' }, want: 'Bearer access-production-…89ef' }],
    ['an unregistered webhook secret', { given: { registered: [], text: '"secret":"whsec_abcdefghijklmnop"' }, want: '"secret":"whsec_…mnop"' }],
    ['an unregistered webhook signature, each of a rotation', { given: { registered: [], text: `BillerAPI-Signature: t=1700000000,v1=${'b4'.repeat(31)}c039,v1=${'0'.repeat(60)}9f2c` }, want: 'BillerAPI-Signature: t=1700000000,v1=…c039,v1=…9f2c' }],
    ['a secret appearing twice is masked twice', { given: { registered: [SECRET], text: `a=${SECRET} b=${SECRET}` }, want: 'a=bb_test_…7pNC b=bb_test_…7pNC' }],
    ['text without secrets (a bare key prefix is not one)', { given: { registered: [SECRET], text: 'GET /billers 200 OK; keys start bb_test_' }, want: 'GET /billers 200 OK; keys start bb_test_' }],
    ['values under 8 chars are not registered (they would mask common words)', { given: { registered: ['abc1234'], text: 'abc1234' }, want: 'abc1234' }],
  ];
  for (const [name, { given, want }] of redactions) {
    test(`Redactor: ${name}`, () => {
      const redactor = new Redactor();
      redactor.register(...given.registered);
      const out = redactor.redact(given.text);
      expect(out).toBe(want);
      for (const secret of given.registered.filter((s) => s.length >= 8)) expect(out).not.toContain(secret);
    });
  }
});

test.describe('lib/config/guard.ts', () => {
  const env = (overrides: Partial<Environment>): Environment => ({ ...sandbox, ...overrides });
  const production = { name: 'production', baseUrl: serverUrls.production, keyPrefix: keyPrefixes.production } as const;
  const problems: [string, { given: Environment; want: string[]; knownBug?: string }][] = [
    ['a clean sandbox configuration', { given: sandbox, want: [] }],
    ['a bb_test_ secret aimed at production', { given: env(production), want: ['A sandbox secret (bb_test_…) for client cli_primary is aimed at production: use bb_live_… credentials there.'] }],
    ['every client with a wrong prefix is named', { given: env({ ...production, second: { id: 'cli_second', secret: OTHER_SECRET } }), want: [
      'A sandbox secret (bb_test_…) for client cli_primary is aimed at production: use bb_live_… credentials there.',
      'A sandbox secret (bb_test_…) for client cli_second is aimed at production: use bb_live_… credentials there.',
    ] }],
    ['a bb_live_ secret aimed at sandbox', { given: env({ primary: { id: 'cli_primary', secret: LIVE_SECRET } }), want: ['A production secret (bb_live_…) for client cli_primary is aimed at sandbox: use bb_test_… credentials there.'] }],
    ['a bb_live_ secret aimed at local', { given: env({ name: 'local', baseUrl: undefined, primary: { id: 'cli_primary', secret: LIVE_SECRET } }), want: ['A production secret (bb_live_…) for client cli_primary is aimed at local: use bb_test_… credentials there.'] }],
    ['a secret with no known prefix', { given: env({ restricted: { id: 'cli_restricted', secret: 'sk_0123456789' } }), want: ['The secret for client cli_restricted does not start with bb_test_, the key prefix of sandbox.'] }],
    ['partner accepts either prefix', { given: env({ name: 'partner', keyPrefix: undefined, second: { id: 'cli_second', secret: LIVE_SECRET } }), want: [] }],
    ['a base URL that is not a URL', { given: env({ baseUrl: 'sandbox.api.billerapi.com' }), want: ['BILLERAPI_BASE_URL "sandbox.api.billerapi.com" is not a URL: include the scheme, e.g. https://sandbox.api.billerapi.com.'] }],
    ['a base URL that is not http(s)', { given: env({ baseUrl: 'ftp://files.billerapi.com' }), want: ['BILLERAPI_BASE_URL must use http or https, not ftp.'] }],
  ];
  for (const [name, { given, want }] of problems) {
    test(`configurationProblems: ${name}`, () => expect(configurationProblems(given)).toEqual(want));
  }
  for (const [name, { given, knownBug }] of problems.filter(([, c]) => c.want.length > 0)) {
    test(`configurationProblems: ${name} is one sentence naming the fix`, () => {
      test.fail(knownBug !== undefined, `lib/config/guard.ts: ${knownBug}`);
      for (const problem of configurationProblems(given)) {
        expect(problem).toMatch(/^[A-Z].*\.$/);
        expect(problem.slice(0, -1)).not.toMatch(/[.:] [A-Z]/);
        expect(problem).toMatch(/\b(use|set|must|start with|include)\b/);
      }
    });
  }

  test('assertReachable: a closed port rejects with a ConfigError saying unreachable', async () => {
    const error = await assertReachable('http://127.0.0.1:1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^Target http:\/\/127\.0\.0\.1:1 is unreachable: .*ECONNREFUSED/);
  });
});

test.describe('lib/config/env.ts', () => {
  const names: [string, { given: string | undefined; want: string }][] = [
    ['unset defaults to local', { given: undefined, want: 'local' }],
    ['blank defaults to local', { given: '  ', want: 'local' }],
    ['surrounding spaces are trimmed', { given: ' production ', want: 'production' }],
  ];
  for (const [name, { given, want }] of names) test(`parseEnvName: ${name}`, () => expect(parseEnvName(given)).toBe(want));
  for (const given of ['staging', 'Sandbox']) {
    test(`parseEnvName: an unknown name (${given}) lists the valid ones`, () =>
      expectConfigError(() => parseEnvName(given), `Unknown environment "${given}". Use one of: local, sandbox, production, partner.`));
  }

  const credentials = { BILLERAPI_CLIENT_ID: 'cli_primary', BILLERAPI_CLIENT_SECRET: SECRET };
  const missing = 'Missing credentials: set BILLERAPI_CLIENT_ID and BILLERAPI_CLIENT_SECRET (or put them in .env.sandbox; see .env.example).';
  const noPartnerUrl = 'BILLERAPI_BASE_URL is required for the partner environment.';
  type Loaded = Pick<Environment, 'name' | 'baseUrl' | 'keyPrefix'> & { primaryId: string };
  const loads: [string, { given: Record<string, string>; want: Loaded | { throws: string } }][] = [
    ['sandbox defaults to the spec\'s sandbox server', { given: { BILLERAPI_ENV: 'sandbox', ...credentials }, want: { name: 'sandbox', baseUrl: serverUrls.sandbox, keyPrefix: 'bb_test_', primaryId: 'cli_primary' } }],
    ['production defaults to the spec\'s production server', { given: { BILLERAPI_ENV: 'production', ...credentials }, want: { name: 'production', baseUrl: serverUrls.production, keyPrefix: 'bb_live_', primaryId: 'cli_primary' } }],
    ['trailing slashes of BILLERAPI_BASE_URL are stripped', { given: { BILLERAPI_ENV: 'partner', BILLERAPI_BASE_URL: ' https://partner.example/v1// ', ...credentials }, want: { name: 'partner', baseUrl: 'https://partner.example/v1', keyPrefix: undefined, primaryId: 'cli_primary' } }],
    ['local without credentials reads .env.local', { given: {}, want: { name: 'local', baseUrl: undefined, keyPrefix: 'bb_test_', primaryId: 'cli_reference_primary' } }],
    ['given values win over .env.local', { given: credentials, want: { name: 'local', baseUrl: undefined, keyPrefix: 'bb_test_', primaryId: 'cli_primary' } }],
    ['no credentials', { given: { BILLERAPI_ENV: 'sandbox' }, want: { throws: missing } }],
    ['a client ID without its secret', { given: { BILLERAPI_ENV: 'sandbox', BILLERAPI_CLIENT_ID: 'cli_primary' }, want: { throws: missing } }],
    ['partner without BILLERAPI_BASE_URL', { given: { BILLERAPI_ENV: 'partner', ...credentials }, want: { throws: noPartnerUrl } }],
    ['partner with a blank BILLERAPI_BASE_URL', { given: { BILLERAPI_ENV: 'partner', BILLERAPI_BASE_URL: '  ', ...credentials }, want: { throws: noPartnerUrl } }],
  ];
  for (const [name, { given, want }] of loads) {
    test(`loadEnvironment: ${name}`, () => {
      // `.env.<name>` would mix its values into the case; `.env.local` is committed and part of the local cases.
      const dotenv = join(repoRoot, `.env.${given.BILLERAPI_ENV ?? 'local'}`);
      test.skip(given.BILLERAPI_ENV !== undefined && existsSync(dotenv), `${dotenv} exists in this checkout`);
      if ('throws' in want) return expectConfigError(() => loadEnvironment({ ...given }), want.throws);
      const e = loadEnvironment({ ...given });
      expect({ name: e.name, baseUrl: e.baseUrl, keyPrefix: e.keyPrefix, primaryId: e.primary.id }).toEqual(want);
    });
  }

  test('loadEnvironment: .env.local is loaded into the given object, not process.env', () => {
    const given: NodeJS.ProcessEnv = {};
    const before = process.env.BILLERAPI_SECOND_CLIENT_ID;
    expect(loadEnvironment(given).second?.id).toBe('cli_reference_secondary');
    expect([given.BILLERAPI_SECOND_CLIENT_ID, process.env.BILLERAPI_SECOND_CLIENT_ID]).toEqual(['cli_reference_secondary', before]);
  });
});

test.describe('lib/judgement/failure.ts', () => {
  const url = `${serverUrls.sandbox}/billers`;
  const credentialHeaders = [['X-Client-ID', 'cli_primary'], ['X-Client-Secret', SECRET]] as const;
  const commands: [string, { given: { request: Partial<HttpRequest>; env?: Environment }; want: string }][] = [
    ['known credentials become variables', { given: { request: { headers: credentialHeaders }, env: sandbox }, want: `curl -i -X GET -H "X-Client-ID: \${BILLERAPI_CLIENT_ID}" -H "X-Client-Secret: \${BILLERAPI_CLIENT_SECRET}" "${url}"` }],
    ['a known secret in the query string becomes a variable', { given: { request: { url: `${url}?client_secret=${SECRET}` }, env: sandbox }, want: `curl -i -X GET "${url}?client_secret=\${BILLERAPI_CLIENT_SECRET}"` }],
    ['an unknown bb_test_ secret is redacted', { given: { request: { headers: [['X-Client-Secret', OTHER_SECRET]] }, env: sandbox }, want: `curl -i -X GET -H "X-Client-Secret: bb_test_…553L" "${url}"` }],
    ['without an environment the secret is redacted', { given: { request: { headers: credentialHeaders } }, want: `curl -i -X GET -H "X-Client-ID: cli_primary" -H "X-Client-Secret: bb_test_…7pNC" "${url}"` }],
    ['quotes, backticks, dollars and backslashes are escaped', { given: { request: { method: 'POST', body: '{"q":"$HOME `id` \\\\"}' }, env: sandbox }, want: `curl -i -X POST --data-raw "{\\"q\\":\\"\\$HOME \\\`id\\\` \\\\\\\\\\"}" "${url}"` }],
  ];
  for (const [name, { given, want }] of commands) {
    test(`curlCommand: ${name}`, () => expect(curlCommand(exchange(200, { request: given.request }), given.env)).toBe(want));
  }

  test('curlCommand: bash reads back every argument exactly, credentials from the variables', () => {
    const body = '{"q":"$HOME `id` \\" \\\\"}';
    const x = exchange(200, { request: { method: 'POST', headers: credentialHeaders, body } });
    const printArgs = curlCommand(x, sandbox).replace(/^curl/, `printf '%s\\n'`);
    const out = execFileSync('bash', ['-c', printArgs], { encoding: 'utf8', env: { PATH: process.env.PATH, BILLERAPI_CLIENT_ID: 'id-from-env', BILLERAPI_CLIENT_SECRET: 'secret-from-env' } });
    expect(out.split('\n').slice(0, -1)).toEqual(['-i', '-X', 'POST', '-H', 'X-Client-ID: id-from-env', '-H', 'X-Client-Secret: secret-from-env', '--data-raw', body, url]);
  });

  test('formatFailure: ID, statement and level, expected, received, response, curl and rerun; no full secret', () => {
    const x = exchange(200, {
      body: { billers: [], next_cursor: null, request_id: 'req_1', leaked: `access-sandbox-5f0c2a9e-1b7d-4c3a` },
      request: { url: `${url}?limit=5`, headers: credentialHeaders },
    });
    const text = formatFailure({ requirement: 'AUTH-004', expected: 'status 401 Unauthorized', received: `200 OK (as ${OTHER_SECRET})` }, x, sandbox);
    expect(text).toBe([
      `AUTH-004 ${requirement('AUTH-004').statement} [MUST]`,
      '  GET /billers?limit=5 (listBillers)',
      '  Expected: status 401 Unauthorized',
      '  Received: 200 OK (as bb_test_…553L)',
      '  Response: 200 OK {"billers":[],"next_cursor":null,"request_id":"req_1","leaked":"access-sandbox-…4c3a"}',
      '  Reproduce with:',
      `    curl -i -X GET -H "X-Client-ID: \${BILLERAPI_CLIENT_ID}" -H "X-Client-Secret: \${BILLERAPI_CLIENT_SECRET}" "${url}?limit=5"`,
      '    npm run conformance -- --env sandbox --grep @AUTH-004',
    ].join('\n'));
    for (const secret of [SECRET, OTHER_SECRET, 'access-sandbox-5f0c2a9e-1b7d-4c3a']) expect(text).not.toContain(secret);
  });

  test('formatFailure: without an exchange or environment (SHOULD, local rerun)', () => {
    expect(formatFailure({ requirement: 'SCHEMA-004', expected: 'X-Request-Id', received: 'no X-Request-Id header' }, undefined, undefined)).toBe([
      `SCHEMA-004 ${requirement('SCHEMA-004').statement} [SHOULD]`,
      '  Expected: X-Request-Id',
      '  Received: no X-Request-Id header',
      '    npm run conformance -- --env local --grep @SCHEMA-004',
    ].join('\n'));
  });
});

test.describe('lib/judgement/checks.ts', () => {
  const plain = { headers: { 'content-type': 'text/plain' }, body: 'Unauthorized' };
  const list = { billers: billers.slice(0, 2), next_cursor: null, request_id: 'req_1' };
  const withRequestId = (id: string) => ({ headers: { ...JSON_TYPE, 'x-request-id': id }, body: list });
  const error = (status: number, fields?: Record<string, unknown>) => exchange(status, { body: errorBody(status, fields) });
  const fails = (requirement: RequirementId, expected: string, received: string): checks.Failure => ({ requirement, expected, received });
  const notJson = 'an application/json error body';
  const emptyMessage = (message: unknown) => fails('ERR-004', 'a non-empty message (or list of them)', `message ${JSON.stringify(message)}`);
  const { statuses } = operation('listBillers');
  const cases: [string, { given: [checks.Check, Exchange]; want: checks.Failure | undefined }][] = [
    ['statusIs: the expected status', { given: [checks.statusIs('AUTH-004', 401), exchange(401)], want: undefined }],
    ['statusIs: another status', { given: [checks.statusIs('AUTH-004', 401), exchange(200)], want: fails('AUTH-004', 'status 401 Unauthorized', '200 OK') }],
    ['statusIs: a status without a reason phrase', { given: [checks.statusIs('RES-001', 404), exchange(599)], want: fails('RES-001', 'status 404 Not Found', '599') }],
    ['errorIsJsonWithFields: a complete JSON error', { given: [checks.errorIsJsonWithFields, error(401)], want: undefined }],
    ['errorIsJsonWithFields: text/plain', { given: [checks.errorIsJsonWithFields, exchange(401, plain)], want: fails('ERR-001', notJson, 'Content-Type text/plain') }],
    ['errorIsJsonWithFields: no Content-Type', { given: [checks.errorIsJsonWithFields, exchange(401, { headers: {} })], want: fails('ERR-001', notJson, 'Content-Type (none)') }],
    ['errorIsJsonWithFields: application/jsonp', { given: [checks.errorIsJsonWithFields, exchange(401, { headers: { 'content-type': 'application/jsonp' } })], want: fails('ERR-001', notJson, 'Content-Type application/jsonp') }],
    ['errorIsJsonWithFields: missing fields', { given: [checks.errorIsJsonWithFields, error(401, { message: undefined, error: undefined })], want: fails('ERR-001', 'fields statusCode, message and error', 'missing message, error') }],
    ['errorIsJsonWithFields: a success is not its business', { given: [checks.errorIsJsonWithFields, exchange(200, plain)], want: undefined }],
    ['errorStatusCodeMatches: equal', { given: [checks.errorStatusCodeMatches, error(403)], want: undefined }],
    ['errorStatusCodeMatches: another number', { given: [checks.errorStatusCodeMatches, error(401, { statusCode: 400 })], want: fails('ERR-002', 'statusCode 401', 'statusCode 400') }],
    ['errorStatusCodeMatches: the status as a string', { given: [checks.errorStatusCodeMatches, error(401, { statusCode: '401' })], want: fails('ERR-002', 'statusCode 401', 'statusCode "401"') }],
    ['errorIsReasonPhrase: the reason phrase', { given: [checks.errorIsReasonPhrase, error(429)], want: undefined }],
    ['errorIsReasonPhrase: a generic word', { given: [checks.errorIsReasonPhrase, error(401, { error: 'Error' })], want: fails('ERR-003', 'error "Unauthorized"', 'error "Error"') }],
    ['errorIsReasonPhrase: lower case', { given: [checks.errorIsReasonPhrase, error(403, { error: 'forbidden' })], want: fails('ERR-003', 'error "Forbidden"', 'error "forbidden"') }],
    ['errorMessageIsNonEmpty: a string', { given: [checks.errorMessageIsNonEmpty, error(400)], want: undefined }],
    ['errorMessageIsNonEmpty: a list of strings', { given: [checks.errorMessageIsNonEmpty, error(400, { message: ['limit must be an integer', 'q is too long'] })], want: undefined }],
    ['errorMessageIsNonEmpty: an empty string', { given: [checks.errorMessageIsNonEmpty, error(400, { message: '' })], want: emptyMessage('') }],
    ['errorMessageIsNonEmpty: blanks', { given: [checks.errorMessageIsNonEmpty, error(400, { message: '  ' })], want: emptyMessage('  ') }],
    ['errorMessageIsNonEmpty: an empty list', { given: [checks.errorMessageIsNonEmpty, error(400, { message: [] })], want: emptyMessage([]) }],
    ['errorMessageIsNonEmpty: a list with an empty string', { given: [checks.errorMessageIsNonEmpty, error(400, { message: ['ok', ''] })], want: emptyMessage(['ok', '']) }],
    ['statusIsDocumented: a documented status', { given: [checks.statusIsDocumented, error(429)], want: undefined }],
    ['statusIsDocumented: an undocumented status', { given: [checks.statusIsDocumented, exchange(418)], want: fails('SCHEMA-002', `a documented status of listBillers: ${statuses.join(', ')}`, "418 I'm a Teapot") }],
    ['successIsJson: application/json with a charset', { given: [checks.successIsJson, exchange(200)], want: undefined }],
    ['successIsJson: text/plain', { given: [checks.successIsJson, exchange(200, plain)], want: fails('SCHEMA-003', 'Content-Type application/json', 'Content-Type text/plain') }],
    ['successIsJson: an error is not its business', { given: [checks.successIsJson, exchange(401, plain)], want: undefined }],
    ['successMatchesSchema: a valid BillerListResponse', { given: [checks.successMatchesSchema, exchange(200, { body: list })], want: undefined }],
    ['successMatchesSchema: a wrong type (AJV pointer)', { given: [checks.successMatchesSchema, exchange(200, { body: { ...list, billers: 'none' } })], want: fails('SCHEMA-001', 'a body matching BillerListResponse', '/billers must be array') }],
    ['successMatchesSchema: an extra property', { given: [checks.successMatchesSchema, exchange(200, { body: { ...list, total: 2 } })], want: fails('SCHEMA-001', 'a body matching BillerListResponse', '/ must NOT have additional properties (total)') }],
    ['successMatchesSchema: a body that is not JSON', { given: [checks.successMatchesSchema, exchange(200, { body: '<html>' })], want: fails('SCHEMA-001', 'a BillerListResponse JSON body', 'a body that is not JSON') }],
    ['successHasRequestIdHeader: equal to request_id', { given: [checks.successHasRequestIdHeader, exchange(200, withRequestId('req_1'))], want: undefined }],
    ['successHasRequestIdHeader: no header', { given: [checks.successHasRequestIdHeader, exchange(200, { body: list })], want: fails('SCHEMA-004', 'X-Request-Id equal to request_id "req_1"', 'no X-Request-Id header') }],
    ['successHasRequestIdHeader: another value', { given: [checks.successHasRequestIdHeader, exchange(200, withRequestId('req_2'))], want: fails('SCHEMA-004', 'X-Request-Id equal to request_id "req_1"', 'X-Request-Id req_2') }],
  ];
  for (const [name, { given: [check, x], want }] of cases) test(name, () => expect(check(x)).toEqual(want));
});

test.describe('lib/contract/requirements.ts', () => {
  const details: [string, { given: ReturnType<typeof covers>; want: string[] }][] = [
    ['covers: every requirement production_safe', { given: covers('AUTH-001', 'AUTH-004'), want: ['@AUTH-001', '@AUTH-004', '@production-safe'] }],
    ['covers: one requirement not production_safe', { given: covers('AUTH-001', 'BEARER-001'), want: ['@AUTH-001', '@BEARER-001'] }],
    ['coversWithWrites: never production-safe', { given: coversWithWrites('AUTH-001'), want: ['@AUTH-001'] }],
  ];
  for (const [name, { given, want }] of details) test(name, () => expect(given.tag).toEqual(want));

  test('covers: one requirement annotation per ID, with level and statement', () => {
    expect(covers('SCHEMA-004').annotation).toEqual([{ type: 'requirement', description: `SCHEMA-004 [SHOULD] ${requirement('SCHEMA-004').statement}` }]);
  });
});

test.describe('transport security: http to another machine, the CA file (issue 10)', () => {
  const at = (baseUrl: string, allowInsecureHttp?: boolean): Environment => ({ ...sandbox, name: 'partner', keyPrefix: undefined, baseUrl, allowInsecureHttp });
  const clearText = (origin: string) =>
    `BILLERAPI_BASE_URL ${origin} would carry the client secret unencrypted to another machine: use https, or pass --allow-insecure-http (BILLERAPI_ALLOW_INSECURE_HTTP=yes) to accept that risk.`;
  const problems: [string, { given: Environment; want: string[] }][] = [
    ['http to a remote host', { given: at('http://billerapi.invalid'), want: [clearText('http://billerapi.invalid')] }],
    ['http to a remote host with a port and a path', { given: at('http://partner.billerapi.invalid:8080/v1'), want: [clearText('http://partner.billerapi.invalid:8080')] }],
    ['http to a name that only starts like loopback', { given: at('http://127.0.0.1.billerapi.invalid'), want: [clearText('http://127.0.0.1.billerapi.invalid')] }],
    ['http to a name that only ends like loopback', { given: at('http://localhost.billerapi.invalid'), want: [clearText('http://localhost.billerapi.invalid')] }],
    ['http to 0.0.0.0 (not a loopback address)', { given: at('http://0.0.0.0:4010'), want: [clearText('http://0.0.0.0:4010')] }],
    ['http to a remote host, allowed with --allow-insecure-http', { given: at('http://billerapi.invalid', true), want: [] }],
    ['https to a remote host', { given: at('https://partner.billerapi.invalid'), want: [] }],
    ['http to 127.0.0.1', { given: at('http://127.0.0.1:4010'), want: [] }],
    ['http to elsewhere in 127.0.0.0/8', { given: at('http://127.42.0.7:4010'), want: [] }],
    ['http to 127.1 (URL spells it 127.0.0.1)', { given: at('http://127.1:4010'), want: [] }],
    ['http to localhost', { given: at('http://localhost:4010'), want: [] }],
    ['http to [::1]', { given: at('http://[::1]:4010'), want: [] }],
  ];
  for (const [name, { given, want }] of problems) {
    test(`configurationProblems: ${name}`, () => expect(configurationProblems(given)).toEqual(want));
  }

  test('configurationProblems: the clear-text refusal is one sentence naming the fix', () => {
    const [problem] = configurationProblems(at('http://billerapi.invalid'));
    expect(problem).toMatch(/^[A-Z].*\.$/);
    expect(problem.slice(0, -1)).not.toMatch(/[.:] [A-Z]/);
    expect(problem).toMatch(/\buse https\b.*--allow-insecure-http/);
  });

  const partner = { BILLERAPI_ENV: 'partner', BILLERAPI_BASE_URL: 'https://partner.billerapi.invalid', BILLERAPI_CLIENT_ID: 'cli_primary', BILLERAPI_CLIENT_SECRET: SECRET };
  const reads: [string, { given: Record<string, string>; want: Pick<Environment, 'allowInsecureHttp' | 'caFile'> }][] = [
    ['neither set', { given: {}, want: { allowInsecureHttp: false, caFile: undefined } }],
    ['BILLERAPI_ALLOW_INSECURE_HTTP=yes', { given: { BILLERAPI_ALLOW_INSECURE_HTTP: 'yes' }, want: { allowInsecureHttp: true, caFile: undefined } }],
    ['an absolute BILLERAPI_CA_FILE', { given: { BILLERAPI_CA_FILE: '/etc/partner/ca.pem' }, want: { allowInsecureHttp: false, caFile: '/etc/partner/ca.pem' } }],
    ['a relative BILLERAPI_CA_FILE is taken from the repository', { given: { BILLERAPI_CA_FILE: 'certs/ca.pem' }, want: { allowInsecureHttp: false, caFile: join(repoRoot, 'certs/ca.pem') } }],
  ];
  for (const [name, { given, want }] of reads) {
    test(`loadEnvironment: ${name}`, () => {
      const e = loadEnvironment({ ...partner, ...given });
      expect({ allowInsecureHttp: e.allowInsecureHttp, caFile: e.caFile }).toEqual(want);
    });
  }

  test('loadEnvironment: BILLERAPI_ALLOW_INSECURE_HTTP other than yes is refused, not read as off', () =>
    expectConfigError(() => loadEnvironment({ ...partner, BILLERAPI_ALLOW_INSECURE_HTTP: 'true' }), 'BILLERAPI_ALLOW_INSECURE_HTTP must be "yes" or unset, not "true".'));
});

test.describe('ERR-003: reason phrases from the spec (x-reason-phrases of ErrorResponse.error, A-001)', () => {
  const withError = (status: number, error: unknown) => exchange(status, { body: { statusCode: status, message: 'm', error } });
  const fails = (expected: string, received: string): checks.Failure => ({ requirement: 'ERR-003', expected, received });

  test('every error status an operation documents has a phrase in the spec', () => {
    const documented = [...new Set(operations.flatMap((op) => op.statuses).filter((s) => Number(s) >= 400))].sort();
    expect(documented.filter((status) => reasonPhrases[status] === undefined), 'statuses without x-reason-phrases').toEqual([]);
  });

  const cases: [string, { given: [number, unknown]; want: checks.Failure | undefined }][] = [
    ['the spec\'s phrase for 400', { given: [400, reasonPhrases['400']], want: undefined }],
    ['the spec\'s phrase for 429', { given: [429, 'Too Many Requests'], want: undefined }],
    ['another status\'s phrase', { given: [403, 'Unauthorized'], want: fails('error "Forbidden"', 'error "Unauthorized"') }],
    ['the phrase in capitals', { given: [404, 'NOT FOUND'], want: fails('error "Not Found"', 'error "NOT FOUND"') }],
    ['a number', { given: [500, 500], want: fails('error "Internal Server Error"', 'error 500') }],
    // Node names 413 "Payload Too Large", RFC 9110 "Content Too Large": the spec lists neither, so ERR-003 does not judge it.
    ['a status the spec lists no phrase for', { given: [413, 'Content Too Large'], want: undefined }],
  ];
  for (const [name, { given: [status, error], want }] of cases) {
    test(`judges ${name}`, () => expect(checks.errorIsReasonPhrase(withError(status, error))).toEqual(want));
  }

  test('statusIs names the expected status with the spec\'s phrase, Node\'s where the spec has none', () => {
    expect(checks.statusIs('RATE-002', 429)(exchange(200))?.expected).toBe(`status 429 ${reasonPhrases['429']}`);
    expect(checks.statusName(413)).toBe(`413 ${STATUS_CODES[413]}`);
  });
});
