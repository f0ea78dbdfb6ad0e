/** Sandbox data: deterministic, filtered and paginated as promised, bills of one account only. */
import { test, type Api } from '../lib/run/fixtures';
import { bearerAuth, clientAuth, type Auth } from '../lib/transport/auth';
import { statusIs, type Check } from '../lib/judgement/checks';
import type { Exchange } from '../lib/transport/client';
import { clampLimit, describeFilters, limitBounds, matchesFilters, probeFilters, type FilterQuery } from '../lib/contract/listing';
import { covers, type RequirementId } from '../lib/contract/requirements';
import { operation, rateLimitGroups } from '../lib/contract/spec';
import { bodyOf, type Bill, type Biller, type BillerList, type BillsGet } from '../lib/contract/types';

/** A small page, so that the catalogue spans many (prime: the last page is partial for most catalogue sizes). */
const SMALL_PAGE_SIZE = 7;

/**
 * Bound on the pages of a listing whose length is not known yet: one window's quota of the
 * listing's rate-limit group, from the spec (at the maximum limit, a catalogue of that many
 * full pages). A listing of known length ends within its length + 1 pages (A-025).
 */
const quotaPages = rateLimitGroups[operation('listBillers').group].limit;

interface Page {
  exchange: Exchange;
  billers: Biller[];
}

interface Walk {
  pages: Page[];
  billers: Biller[];
  /** next_cursor null; a page that listed no biller not listed before while still giving a cursor (it goes round); or the bound. */
  end: 'last-page' | 'stalled' | 'bound';
}

/** Follows next_cursor from the first page of `query`, `limit` a page, until the last page or `maxPages`. */
async function walk(api: Api, auth: Auth, query: FilterQuery, limit: number, requirement: RequirementId, maxPages: number): Promise<Walk> {
  const pages: Page[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  while (pages.length < maxPages) {
    const exchange: Exchange = await api.call('listBillers', { auth, query: { ...query, limit, ...(cursor !== null ? { cursor } : {}) } });
    api.require(exchange, statusIs(requirement, 200));
    const billers = bodyOf<BillerList>(exchange)!.billers;
    pages.push({ exchange, billers });
    const fresh = billers.filter((b) => !seen.has(b.biller_id));
    for (const b of billers) seen.add(b.biller_id);
    cursor = bodyOf<BillerList>(exchange)!.next_cursor;
    if (cursor === null) return { pages, billers: pages.flatMap((p) => p.billers), end: 'last-page' };
    if (fresh.length === 0) return { pages, billers: pages.flatMap((p) => p.billers), end: 'stalled' };
  }
  return { pages, billers: pages.flatMap((p) => p.billers), end: 'bound' };
}

const idsOf = (billers: readonly Biller[]): string[] => billers.map((b) => b.biller_id);

/** The page of a walk that lists its `position`th biller (from 0), or its last page. */
function pageAt(w: Walk, position: number): Page | undefined {
  let before = 0;
  for (const page of w.pages) {
    if (position < before + page.billers.length) return page;
    before += page.billers.length;
  }
  return w.pages.at(-1);
}
const listed = (ids: readonly string[]): string => (ids.length === 0 ? 'none' : ids.length > 6 ? `${ids.slice(0, 6).join(', ')}, … (${ids.length})` : ids.join(', '));
const repeatedIn = (ids: readonly string[]): string[] => [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];

/** Why a walk did not reach its last page, or undefined when it did. */
function unfinished(w: Walk, limit: number): string | undefined {
  if (w.end === 'stalled') return `page ${w.pages.length} (limit ${limit}) listed no biller not listed before, yet gave a next_cursor: the cursor goes round`;
  if (w.end === 'bound') return `still a next_cursor after ${w.pages.length} pages of ${limit}`;
  return undefined;
}

/** Pages of more billers than `limit` asked for (DATA-003). */
function reportOversized(api: Api, w: Walk, limit: number): void {
  for (const [n, page] of w.pages.entries()) {
    if (page.billers.length > limit) {
      api.report({ requirement: 'DATA-003', expected: `at most ${limit} billers a page`, received: `${page.billers.length} on page ${n + 1}` }, page.exchange);
    }
  }
}

/** What DATA-001 compares of a biller: every field but its live `status` (A-024), in one key order. */
function stableFields(b: Biller): string {
  return JSON.stringify(b, Object.keys(b).filter((k) => k !== 'status').sort());
}

/** What must be the same on every link of one test account (not ids). */
const billFacts = (bills: Bill[]) =>
  JSON.stringify(bills.map((b) => ({ due_date: b.due_date, statement_date: b.statement_date, amount_due: b.amount_due, minimum_payment: b.minimum_payment, status: b.status })));

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

test('DATA-001 lists the same billers in the same order for the same query', covers('DATA-001'), async ({ api, environment }) => {
  const auth = clientAuth(environment.primary);
  const first = await walk(api, auth, {}, limitBounds.maximum, 'SCHEMA-001', quotaPages);
  const second = await walk(api, auth, {}, limitBounds.maximum, 'SCHEMA-001', quotaPages);
  const [a, b] = [first.billers.map(stableFields), second.billers.map(stableFields)];
  const at = a.findIndex((fields, i) => fields !== b[i]);
  const differs = at !== -1 ? at : a.length !== b.length ? Math.min(a.length, b.length) : -1;
  if (differs !== -1) {
    const around = (w: Walk) => listed(idsOf(w.billers.slice(differs, differs + 6)));
    api.report({
      requirement: 'DATA-001',
      expected: `the same ${a.length} billers, in the same order and with the same fields but status, on a second listing`,
      received: `from position ${differs + 1}: ${around(second)} instead of ${around(first)}${differs < a.length && differs < b.length ? ` (first: ${a[differs]}; second: ${b[differs]})` : ''}`,
    }, pageAt(second, differs)?.exchange);
  }
});

test('DATA-002 returns only the bills of the requested account_link_id', covers('DATA-002'), async ({ api, accounts: [own] }) => {
  const x = await api.call('getBills', { auth: bearerAuth(own.accessToken), query: { account_link_id: own.accountLinkId } });
  api.verify(x, statusIs('DATA-002', 200), onlyBillsOf(own.accountLinkId));
});

test('DATA-003 following next_cursor lists every biller exactly once, at the maximum limit and at a small page size', covers('DATA-003'), async ({ api, environment }) => {
  const auth = clientAuth(environment.primary);
  const full = await walk(api, auth, {}, limitBounds.maximum, 'DATA-003', quotaPages);
  reportOversized(api, full, limitBounds.maximum);
  const fullIds = idsOf(full.billers);
  const fullProblem = unfinished(full, limitBounds.maximum);
  if (fullProblem !== undefined || repeatedIn(fullIds).length > 0) {
    api.report({
      requirement: 'DATA-003',
      expected: `each biller once, pages of ${limitBounds.maximum} ending with next_cursor null`,
      received: fullProblem ?? `repeated: ${listed(repeatedIn(fullIds))}`,
    }, full.pages.at(-1)?.exchange);
  }
  const want = [...new Set(fullIds)];
  test.skip(want.length === 0, 'the target lists no billers');

  // Small enough for several pages, large enough to fit one window's quota.
  const small = clampLimit(Math.max(Math.min(SMALL_PAGE_SIZE, want.length / 2), want.length / quotaPages));
  const paged = await walk(api, auth, {}, small, 'DATA-003', want.length + 1);
  reportOversized(api, paged, small);
  const seen = idsOf(paged.billers);
  const problem = unfinished(paged, small);
  const missing = want.filter((id) => !seen.includes(id));
  const extra = [...new Set(seen.filter((id) => !want.includes(id)))];
  if (problem !== undefined || repeatedIn(seen).length > 0 || missing.length > 0 || extra.length > 0) {
    api.report({
      requirement: 'DATA-003',
      expected: `the ${want.length} billers of the listing at limit ${limitBounds.maximum}, each once, in pages of ${small}`,
      received: problem ?? `${seen.length} listed; repeated: ${listed(repeatedIn(seen))}; missing: ${listed(missing)}; not in the full listing: ${listed(extra)}`,
    }, paged.pages.at(-1)?.exchange);
  }
});

test('DATA-004 a filtered search lists every matching biller of the full listing, and only those', covers('DATA-004'), async ({ api, environment }) => {
  const auth = clientAuth(environment.primary);
  const full = await walk(api, auth, {}, limitBounds.maximum, 'SCHEMA-001', quotaPages);
  const catalogue = [...new Map(full.billers.map((b) => [b.biller_id, b])).values()];
  test.skip(catalogue.length === 0, 'the target lists no billers');

  for (const query of probeFilters(catalogue)) {
    const filter = describeFilters(query);
    const expected = catalogue.filter((b) => matchesFilters(b, query));
    // At the maximum limit, and at a page size that splits the matches over at least two pages.
    for (const limit of [...new Set([limitBounds.maximum, clampLimit(expected.length / 2)])]) {
      const search = await walk(api, auth, query, limit, 'DATA-004', catalogue.length + 1);
      const misfits = search.billers.filter((b) => !matchesFilters(b, query));
      if (misfits.length > 0) {
        const page = search.pages.find((p) => p.billers.includes(misfits[0]));
        api.report({
          requirement: 'DATA-004',
          expected: `only billers with ${filter}`,
          received: misfits.slice(0, 5).map((b) => `${b.biller_id} (${b.name}, ${b.category}, ${b.country})`).join('; '),
        }, page?.exchange);
      }
      const returned = new Set(idsOf(search.billers));
      const missing = expected.filter((b) => !returned.has(b.biller_id));
      const problem = unfinished(search, limit);
      if (missing.length > 0 || problem !== undefined) {
        api.report({
          requirement: 'DATA-004',
          expected: `all ${expected.length} billers of the full listing with ${filter}, in pages of ${limit}`,
          received: problem ?? `${returned.size} listed over ${search.pages.length} page(s); missing: ${listed(missing.map((b) => `${b.biller_id} (${b.name}, ${b.category}, ${b.country})`))}`,
        }, search.pages[0]?.exchange);
      }
    }
  }
});

test("DATA-005 a test account's bills are the same on every link", covers('DATA-005'), async ({ api, accounts: [first, second] }) => {
  const bills = async (a: typeof first) => {
    const x = await api.call('getBills', { auth: bearerAuth(a.accessToken), query: { account_link_id: a.accountLinkId } });
    api.require(x, statusIs('DATA-005', 200));
    return x;
  };
  const readBoth = async () => {
    const [one, two] = [await bills(first), await bills(second)];
    return { two, a: billFacts(bodyOf<BillsGet>(one)!.bills), b: billFacts(bodyOf<BillsGet>(two)!.bills) };
  };
  let read = await readBoth();
  // Dates may follow the calendar (A-027): a day can turn over between two reads, never between two pairs.
  if (read.a !== read.b) read = await readBoth();
  if (read.a !== read.b) {
    api.report({ requirement: 'DATA-005', expected: `the same bills on both links, twice in a row: ${read.a.slice(0, 200)}`, received: read.b.slice(0, 200) }, read.two);
  }
});
