/** The reference sandbox answers as the spec says: every success body passes the generated validators. */
import { test as base, expect } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { connectContract, rateLimitGroups, spec } from '../lib/contract/spec';
import validators, { type SchemaName } from '../schemas/validators.cjs';
import { startReference, type ClientSeed, type Reference, type ReferenceOptions } from '../reference/app';
import { referenceClientsFromEnv } from '../reference/clients';
import { catalogue, LARGE_CATALOGUE_SIZE } from '../reference/data';
import { decodeCursor, encodeCursor } from '../reference/handlers/billers';

const clients = referenceClientsFromEnv(dotenv.parse(readFileSync(join(__dirname, '..', '.env.local'))));
const [primary, second, restricted] = clients;

interface Reply { status: number; headers: Headers; body: any }
interface CallOptions { as?: ClientSeed | null; body?: unknown; headers?: Record<string, string> }
type Call = (method: string, path: string, options?: CallOptions) => Promise<Reply>;

function callerOf(url: string): Call {
  return async (method, path, { as = primary, body, headers = {} } = {}) => {
    const credentials: Record<string, string> = as ? { 'X-Client-ID': as.clientId, 'X-Client-Secret': as.secret } : {};
    const json: Record<string, string> = body === undefined ? {} : { 'Content-Type': 'application/json' };
    const res = await fetch(url + path, {
      method,
      headers: { ...credentials, ...json, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text.startsWith('{') ? JSON.parse(text) : text };
  };
}

interface Received { headers: IncomingHttpHeaders; body: string }

const test = base.extend<
  { call: Call; startWith: (options: Partial<ReferenceOptions>) => Promise<Call>; receiver: { url: string; next: Promise<Received> } },
  { reference: Reference }
>({
  reference: [async ({}, use) => {
    const reference = await startReference({ clients });
    await use(reference);
    await reference.close();
  }, { scope: 'worker' }],
  call: async ({ reference }, use) => {
    reference.reset();
    await use(callerOf(reference.url));
  },
  startWith: async ({}, use) => {
    const started: Reference[] = [];
    await use(async (options) => {
      const reference = await startReference({ clients, ...options });
      started.push(reference);
      return callerOf(reference.url);
    });
    await Promise.all(started.map((r) => r.close()));
  },
  receiver: async ({}, use) => {
    let deliver: (received: Received) => void = () => undefined;
    const next = new Promise<Received>((resolve) => (deliver = resolve));
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.end();
        deliver({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await use({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, next });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  },
});

function expectValid(schema: SchemaName, reply: Reply): void {
  const validate = validators[schema];
  expect(validate(reply.body), JSON.stringify(validate.errors)).toBe(true);
  expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(reply.headers.get('x-request-id')).toBe(reply.body.request_id);
  expect(reply.body.request_id).toMatch(/^req_[0-9a-f]{16}$/);
}

function expectError(reply: Reply, status: number, message?: string | string[]): void {
  expect(reply.status).toBe(status);
  expect(validators.ErrorResponse(reply.body), JSON.stringify(reply.body)).toBe(true);
  expect(reply.body.statusCode).toBe(status);
  if (message !== undefined) expect(reply.body.message).toEqual(message);
}

async function linkAccount(call: Call, billerId = 'bil_pacific_power', as = primary) {
  const created = await call('POST', '/sandbox/public_token/create', { as, body: { biller_id: billerId } });
  expectValid('SandboxPublicTokenCreateResponse', created);
  const exchanged = await call('POST', '/link/token/exchange', { as, body: { public_token: created.body.public_token } });
  expectValid('PublicTokenExchangeResponse', exchanged);
  return { publicToken: created.body.public_token as string, ...(exchanged.body as { access_token: string; account_link_id: string }) };
}

const bills = (call: Call, token: string, linkId: string, scheme = 'Bearer') =>
  call('GET', `/bills/get?account_link_id=${linkId}`, { as: null, headers: { Authorization: `${scheme} ${token}` } });

test('lists billers sorted, page by page, each exactly once', async ({ call }) => {
  const ids: string[] = [];
  for (let cursor: string | null = '', pages = 0; cursor !== null && pages < 10; pages++) {
    const page = await call('GET', `/billers?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
    expectValid('BillerListResponse', page);
    expect(page.body.billers.length).toBeLessThanOrEqual(7);
    ids.push(...page.body.billers.map((b: { biller_id: string }) => b.biller_id));
    cursor = page.body.next_cursor;
  }
  expect(ids).toEqual([...new Set(ids)].sort());
  expect(ids.length).toBeGreaterThanOrEqual(30);

  const gas = await call('GET', '/billers?q=GAS&category=gas&country=CA');
  expectValid('BillerListResponse', gas);
  expect(gas.body.billers.map((b: { biller_id: string }) => b.biller_id)).toEqual(['bil_prairie_gas']);
  expectValid('BillerResponse', await call('GET', '/billers/bil_prairie_gas'));
});

test('refuses bad parameters, unknown billers and unknown routes with the error shape', async ({ call }) => {
  expectError(await call('GET', '/billers?limit=101'), 400, ['limit must not be greater than 100']);
  expectError(await call('GET', '/billers?cursor=nonsense'), 400);
  expectError(await call('GET', '/billers/bil_nope'), 404, 'Biller not found');
  expectError(await call('GET', '/nowhere'), 404, 'Cannot GET /nowhere');
  expectError(await call('POST', '/link/token/create', { body: {} }), 400, ['client_user_id should not be empty']);
});

test('authenticates the credential pair and enforces scopes', async ({ call }) => {
  expectError(await call('GET', '/billers', { as: null, headers: { 'X-Client-ID': primary.clientId } }), 401, 'Invalid client credentials');
  expectError(await call('GET', '/billers', { as: { ...primary, secret: second.secret } }), 401, 'Invalid client credentials');
  expect((await call('GET', '/billers', { as: null, headers: { 'x-client-id': primary.clientId, 'X-CLIENT-SECRET': primary.secret } })).status).toBe(200);
  expect((await call('GET', '/billers', { as: restricted })).status).toBe(200);
  expectError(await call('POST', '/link/token/create', { as: restricted, body: { client_user_id: 'u1' } }), 403, 'Missing scope: link:write');
});

test('creates a link token that expires in four hours', async ({ call }) => {
  const reply = await call('POST', '/link/token/create', { body: { client_user_id: 'user-1', biller_id: 'bil_pacific_power' } });
  expect(reply.status).toBe(200);
  expectValid('LinkTokenCreateResponse', reply);
  expect(Date.parse(reply.body.expiration) - Date.now()).toBeGreaterThan(4 * 3600_000 - 60_000);
});

test('links a test account and returns its deterministic bills to its token only', async ({ call }) => {
  const first = await linkAccount(call);
  const reply = await bills(call, first.access_token, first.account_link_id, 'bearer');
  expectValid('BillsGetResponse', reply);
  expect(reply.body.bills.map((b: { status: string }) => b.status)).toEqual(['paid', 'paid', 'due']);

  const again = await linkAccount(call);
  const amountsOf = (r: Reply) => r.body.bills.map((b: any) => [b.amount_due, b.statement_date, b.account_mask]);
  expect(amountsOf(await bills(call, again.access_token, again.account_link_id))).toEqual(amountsOf(reply));

  expectError(await bills(call, first.access_token, again.account_link_id), 403, 'Access token is not valid for this account link');
  expectError(await bills(call, `${first.access_token} extra`, first.account_link_id), 401);
  expectError(await call('POST', '/link/token/exchange', { body: { public_token: first.publicToken } }), 400, 'Invalid public token');
  expectError(await call('GET', '/billers', { as: null, headers: { Authorization: `Bearer ${first.access_token}` } }), 401);
});

test('registers, lists, fires and deletes a webhook with a signed loopback delivery', async ({ call, receiver }) => {
  const created = await call('POST', '/webhooks', { body: { url: receiver.url } });
  expect(created.status).toBe(201);
  expectValid('WebhookCreateResponse', created);
  const { webhook, secret } = created.body;

  const listed = await call('GET', '/webhooks');
  expectValid('WebhookListResponse', listed);
  expect(listed.body.webhooks).toEqual([webhook]);
  expect((await call('GET', '/webhooks', { as: second })).body.webhooks).toEqual([]);

  const fired = await call('POST', '/sandbox/webhooks/fire', { body: { webhook_id: webhook.webhook_id, event_type: 'BILLS_UPDATED' } });
  expectValid('SandboxWebhookFireResponse', fired);
  const delivery = await receiver.next;
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(delivery.headers['billerapi-signature'])) ?? [];
  expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${delivery.body}`).digest('hex'));
  expect(delivery.headers['billerapi-event-id']).toBe(fired.body.event_id);
  expect(JSON.parse(delivery.body)).toMatchObject({ event_id: fired.body.event_id, event_type: 'BILLS_UPDATED', data: {} });

  expectError(await call('DELETE', `/webhooks/${webhook.webhook_id}`, { as: second }), 404);
  expectValid('WebhookDeleteResponse', await call('DELETE', `/webhooks/${webhook.webhook_id}`));
  expectError(await call('POST', '/webhooks', { body: { url: 'http://example.com/hook' } }), 400);
});

test('limits a group per window, answers 429 with Retry-After, then lets requests through again', async ({ startWith }) => {
  const call = await startWith({ windowSeconds: 1 });
  const { limit } = rateLimitGroups.authentication;
  const tokens: string[] = [];
  for (let i = 0; i < limit + 2; i++) {
    tokens.push((await call('POST', '/sandbox/public_token/create', { body: { biller_id: 'bil_koala_card' } })).body.public_token);
  }
  const exchange = (token: string) => call('POST', '/link/token/exchange', { body: { public_token: token } });
  for (const token of tokens.slice(0, limit)) expect((await exchange(token)).status).toBe(200);

  const limited = await exchange(tokens[limit]);
  expectError(limited, 429, 'Rate limit exceeded');
  const retryAfter = Number(limited.headers.get('retry-after'));
  expect(retryAfter).toBe(1); // whole seconds, within [1, window]
  const stats = (await call('GET', '/_reference/stats')).body;
  expect(stats.limited.authentication).toBe(1);
  expect(stats.requests.authentication).toBe(limit + 1);

  await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 50));
  expect((await exchange(tokens[limit + 1])).status).toBe(200);
});

const faultCases: [ReferenceOptions['faults'] & {}, (call: Call) => Promise<Reply>, number][] = [
  [['accept-wrong-secret'], (call) => call('GET', '/billers', { as: { ...primary, secret: 'bb_test_wrong' } }), 200],
  [['ignore-key-prefix'], (call) => call('GET', '/billers', { as: { ...primary, secret: primary.secret.replace('bb_test_', 'bb_live_') } }), 200],
  [['ignore-scopes'], (call) => call('POST', '/link/token/create', { as: restricted, body: { client_user_id: 'u' } }), 200],
  [['undocumented-status'], (call) => call('POST', '/link/token/create', { body: { client_user_id: 'u' } }), 201],
  [['unknown-biller-400'], (call) => call('GET', '/billers/bil_nope'), 400],
  [['clamp-invalid-limit'], (call) => call('GET', '/billers?limit=500'), 200],
];

for (const [faults, request, status] of faultCases) {
  test(`fault ${faults.join(',')} flips the answer to ${status}`, async ({ startWith, call }) => {
    expect((await request(call)).status).not.toBe(status);
    expect((await request(await startWith({ faults }))).status).toBe(status);
  });
}

test('fault plain-text-errors serves errors as text/plain', async ({ startWith }) => {
  const reply = await (await startWith({ faults: ['plain-text-errors'] }))('GET', '/billers', { as: null });
  expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(reply.body).toBe('Unauthorized');
});

test('fault ignore-token-link serves another link\'s bills to a token', async ({ startWith }) => {
  const call = await startWith({ faults: ['ignore-token-link'] });
  const [first, other] = [await linkAccount(call), await linkAccount(call, 'bil_koala_card')];
  const reply = await bills(call, first.access_token, other.account_link_id);
  expect(reply.status).toBe(200);
  expect(reply.body.account_link_id).toBe(other.account_link_id);
});

test.describe('data variations (A-024..A-027) and the filter faults', () => {
  const large = new Set(['large-catalogue'] as const);
  const listAll = async (call: Call, query = '', limit = 100) => {
    const pages: { billers: { biller_id: string; name: string; status: string; category: string }[]; next_cursor: string | null }[] = [];
    for (let cursor: string | null = ''; cursor !== null && pages.length < 300;) {
      const page = await call('GET', `/billers?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expectValid('BillerListResponse', page);
      pages.push(page.body);
      cursor = page.body.next_cursor;
    }
    return { pages, billers: pages.flatMap((p) => p.billers) };
  };

  test('large-catalogue: 237 valid billers, several pages at the maximum limit, none of the default ones, the same on every start', async ({ startWith }) => {
    const billers = catalogue(large);
    expect(billers).toHaveLength(LARGE_CATALOGUE_SIZE);
    for (const biller of billers) expect(validators.Biller(biller), JSON.stringify(validators.Biller.errors)).toBe(true);
    expect(new Set(billers.map((b) => b.biller_id)).size).toBe(billers.length);
    const defaults = catalogue(new Set());
    expect(billers.filter((b) => defaults.some((d) => d.biller_id === b.biller_id || d.name === b.name || d.country === b.country))).toEqual([]);
    expect(new Set(billers.map((b) => b.category))).toEqual(new Set(spec.components.schemas.BillerCategory.enum));

    const [one, two] = [await startWith({ variations: ['large-catalogue'] }), await startWith({ variations: ['large-catalogue'] })];
    const [a, b] = [await listAll(one), await listAll(two)];
    expect(a.pages).toHaveLength(Math.ceil(LARGE_CATALOGUE_SIZE / 100));
    expect(a.billers.map((x) => x.biller_id)).toEqual(billers.map((x) => x.biller_id));
    expect(b.billers).toEqual(a.billers);
  });

  test('opaque-cursors: a new cursor on every call, each decoding to its page; anything else is a 400', async ({ startWith }) => {
    const opaque = new Set(['opaque-cursors'] as const);
    const [c1, c2] = [encodeCursor(14, opaque), encodeCursor(14, opaque)];
    expect(c1).not.toBe(c2);
    expect([decodeCursor(c1, opaque), decodeCursor(c2, opaque)]).toEqual([14, 14]);
    const tampered = `${c1.slice(0, -2)}${c1.endsWith('AA') ? 'AB' : 'AA'}`;
    for (const bad of [tampered, encodeCursor(14, new Set()), 'nonsense', 'A'.repeat(60), c1.slice(0, 20)]) {
      expect(() => decodeCursor(bad, opaque), bad).toThrow(expect.objectContaining({ status: 400 }));
    }

    const call = await startWith({ variations: ['opaque-cursors'] });
    const [first, again] = [await call('GET', '/billers?limit=7'), await call('GET', '/billers?limit=7')];
    expect(first.body.next_cursor).not.toBe(again.body.next_cursor);
    const [next, nextAgain] = [
      await call('GET', `/billers?limit=7&cursor=${first.body.next_cursor}`),
      await call('GET', `/billers?limit=7&cursor=${again.body.next_cursor}`),
    ];
    expect(next.body.billers).toEqual(nextAgain.body.billers);
    expect((await listAll(call, '', 7)).billers.map((b) => b.biller_id)).toEqual(catalogue(new Set()).map((b) => b.biller_id));
  });

  test('live-biller-status: status changes between listings, nothing else does', async ({ startWith }) => {
    const call = await startWith({ variations: ['live-biller-status'] });
    const [a, b] = [await listAll(call), await listAll(call)];
    expect(a.billers.filter((x, i) => x.status !== b.billers[i].status).length).toBeGreaterThan(0);
    expect(a.billers.map((x) => ({ ...x, status: undefined }))).toEqual(b.billers.map((x) => ({ ...x, status: undefined })));
  });

  test('bills-relative-to-today: dates follow the day, the same on every link that day', async ({ startWith }) => {
    let now = Date.parse('2031-03-10T23:59:59.000Z');
    const call = await startWith({ variations: ['bills-relative-to-today'], now: () => now });
    const [first, second] = [await linkAccount(call), await linkAccount(call)];
    const facts = async (link: typeof first) =>
      (await bills(call, link.access_token, link.account_link_id)).body.bills.map((b: Record<string, unknown>) => ({ ...b, bill_id: undefined, account_link_id: undefined }));
    const today = await facts(first);
    expect(today.map((b: { statement_date: string }) => b.statement_date)).toEqual(['2030-12-25', '2031-01-24', '2031-02-23']);
    expect(await facts(second)).toEqual(today);
    now += 1000;
    const tomorrow = await facts(second);
    expect(tomorrow.map((b: { statement_date: string }) => b.statement_date)).toEqual(['2030-12-26', '2031-01-25', '2031-02-24']);
    expect(await facts(first)).toEqual(tomorrow);
  });

  test('short-lived-link-tokens: 30 minutes, written with an offset, reusable until they expire', async ({ startWith }) => {
    let now = Date.parse('2031-03-10T12:00:00.500Z');
    const call = await startWith({ variations: ['short-lived-link-tokens'], now: () => now });
    const created = await call('POST', '/link/token/create', { body: { client_user_id: 'u1' } });
    expectValid('LinkTokenCreateResponse', created);
    expect(created.body.expiration).toBe('2031-03-10T14:30:00+02:00');
    const frame = () => call('GET', `${connectContract.frame_path}?link_token=${created.body.link_token}&origin=${encodeURIComponent('http://127.0.0.1:9')}`, { as: null });
    expect((await frame()).status).toBe(200);
    expect((await frame()).status).toBe(200);
    now = Date.parse(created.body.expiration);
    expect((await frame()).status).toBe(400);
  });

  test('fault q-filter-case-sensitive misses matches in another case; the clean reference finds them', async ({ call, startWith }) => {
    const ids = async (c: Call) => (await listAll(c, '&q=gAS')).billers.map((b) => b.biller_id);
    expect(await ids(call)).toEqual(['bil_lone_star_gas', 'bil_northern_gas', 'bil_outback_gas', 'bil_prairie_gas']);
    expect(await ids(await startWith({ faults: ['q-filter-case-sensitive'] }))).toEqual([]);
  });

  test('fault filtered-search-first-page-only ends a filtered search after one page', async ({ call, startWith }) => {
    expect((await listAll(call, '&category=gas', 1)).billers).toHaveLength(4);
    const faulted = await listAll(await startWith({ faults: ['filtered-search-first-page-only'] }), '&category=gas', 1);
    expect(faulted.pages).toHaveLength(1);
    expect(faulted.billers).toHaveLength(1);
  });
});
