/** Sandbox data: deterministic, filtered and paginated as promised, bills of one account only. */
import { test } from '../lib/fixtures';
import { bearerAuth, clientAuth } from '../lib/auth';
import { statusIs, type Check } from '../lib/checks';
import type { Exchange } from '../lib/client';
import { covers } from '../lib/requirements';
import { bodyOf, type Bill, type Biller, type BillerList, type BillsGet } from '../lib/types';

/** Bound on pages followed: more than 100 pages of the smallest useful page is a runaway cursor. */
const MAX_PAGES = 100;
const PAGE_SIZE = 7;

const withoutRequestId = (x: Exchange): string => JSON.stringify({ ...(x.json as object), request_id: undefined });

/** What must be the same on every link of one test account (not ids). */
const billFacts = (bills: Bill[]) =>
  bills.map((b) => ({ due_date: b.due_date, statement_date: b.statement_date, amount_due: b.amount_due, minimum_payment: b.minimum_payment, status: b.status }));

function onlyBillsOf(accountLinkId: string): Check {
  return (x) => {
    const body = bodyOf<BillsGet>(x);
    if (!body) return undefined;
    const foreign = [body.account_link_id, ...body.bills.map((b) => b.account_link_id)].filter((id) => id !== accountLinkId);
    return foreign.length === 0
      ? undefined
      : { requirement: 'DATA-002', expected: `only account_link_id ${accountLinkId}`, received: `also ${[...new Set(foreign)].join(', ')}` };
  };
}

function matchesFilter(filter: string, predicate: (b: Biller) => boolean): Check {
  return (x) => {
    const misfits = (bodyOf<BillerList>(x)?.billers ?? []).filter((b) => !predicate(b));
    return misfits.length === 0
      ? undefined
      : { requirement: 'DATA-004', expected: `only billers with ${filter}`, received: misfits.slice(0, 5).map((b) => `${b.biller_id} (${b.name}, ${b.category}, ${b.country})`).join('; ') };
  };
}

test('DATA-001 lists the same billers in the same order for the same query', covers('DATA-001'), async ({ api, environment }) => {
  const auth = clientAuth(environment.primary);
  const first = await api.call('listBillers', { auth, query: { limit: 100 } });
  const second = await api.call('listBillers', { auth, query: { limit: 100 } });
  api.require(first, statusIs('SCHEMA-001', 200));
  if (withoutRequestId(first) !== withoutRequestId(second)) {
    const ids = (x: Exchange) => (bodyOf<BillerList>(x)?.billers ?? []).map((b) => b.biller_id).slice(0, 6).join(', ');
    api.report({ requirement: 'DATA-001', expected: `the same body twice (${ids(first)}, …)`, received: `a different body (${ids(second)}, …)` }, second);
  }
});

test('DATA-002 returns only the bills of the requested account_link_id', covers('DATA-002'), async ({ api, accounts: [own] }) => {
  const x = await api.call('getBills', { auth: bearerAuth(own.accessToken), query: { account_link_id: own.accountLinkId } });
  api.verify(x, statusIs('DATA-002', 200), onlyBillsOf(own.accountLinkId));
});

test('DATA-003 following next_cursor lists every biller exactly once', covers('DATA-003'), async ({ api, environment }) => {
  const auth = clientAuth(environment.primary);
  const all = await api.call('listBillers', { auth, query: { limit: 100 } });
  api.require(all, statusIs('SCHEMA-001', 200));
  const expected = bodyOf<BillerList>(all)!;
  test.skip(expected.next_cursor !== null, 'more than 100 billers: the single-page listing is not complete');

  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const x: Exchange = await api.call('listBillers', { auth, query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } });
    api.require(x, statusIs('DATA-003', 200));
    const body = bodyOf<BillerList>(x)!;
    if (body.billers.length > PAGE_SIZE) {
      api.report({ requirement: 'DATA-003', expected: `at most ${PAGE_SIZE} billers a page`, received: `${body.billers.length}` }, x);
    }
    seen.push(...body.billers.map((b) => b.biller_id));
    cursor = body.next_cursor;
    if (cursor === null) break;
  }
  const want = expected.billers.map((b) => b.biller_id);
  const duplicates = seen.filter((id, i) => seen.indexOf(id) !== i);
  const missing = want.filter((id) => !seen.includes(id));
  if (cursor !== null || duplicates.length > 0 || missing.length > 0) {
    api.report({
      requirement: 'DATA-003',
      expected: `${want.length} billers, each once`,
      received: cursor !== null ? `still a next_cursor after ${MAX_PAGES} pages` : `${seen.length} listed; repeated: ${duplicates.join(', ') || 'none'}; missing: ${missing.join(', ') || 'none'}`,
    });
  }
});

test('DATA-004 filtered searches return only matching billers', covers('DATA-004'), async ({ api, environment }) => {
  const auth = clientAuth(environment.primary);
  const all = await api.call('listBillers', { auth, query: { limit: 100 } });
  api.require(all, statusIs('SCHEMA-001', 200));
  const sample = bodyOf<BillerList>(all)!.billers[0];
  test.skip(!sample, 'the target lists no billers');
  const q = sample.name.split(/\s+/)[0].toLowerCase();

  const byCategory = await api.call('listBillers', { auth, query: { category: sample.category, limit: 100 } });
  api.verify(byCategory, statusIs('DATA-004', 200), matchesFilter(`category ${sample.category}`, (b) => b.category === sample.category));
  const byCountry = await api.call('listBillers', { auth, query: { country: sample.country, limit: 100 } });
  api.verify(byCountry, statusIs('DATA-004', 200), matchesFilter(`country ${sample.country}`, (b) => b.country === sample.country));
  const byName = await api.call('listBillers', { auth, query: { q, limit: 100 } });
  api.verify(byName, statusIs('DATA-004', 200), matchesFilter(`"${q}" in the name`, (b) => b.name.toLowerCase().includes(q)));
});

test("DATA-005 a test account's bills are the same on every link", covers('DATA-005'), async ({ api, accounts: [first, second] }) => {
  const bills = async (a: typeof first) => api.call('getBills', { auth: bearerAuth(a.accessToken), query: { account_link_id: a.accountLinkId } });
  const [one, two] = [await bills(first), await bills(second)];
  api.require(one, statusIs('DATA-005', 200));
  api.require(two, statusIs('DATA-005', 200));
  const [a, b] = [billFacts(bodyOf<BillsGet>(one)!.bills), billFacts(bodyOf<BillsGet>(two)!.bills)];
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    api.report({ requirement: 'DATA-005', expected: `the same bills on both links: ${JSON.stringify(a).slice(0, 200)}`, received: JSON.stringify(b).slice(0, 200) }, two);
  }
});
