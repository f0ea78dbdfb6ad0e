/**
 * The biller listing as the contract defines it, read from the spec: the bounds of `limit`
 * and the rule of each filter (`x-filter` of the parameters of `GET /billers`, A-026).
 */
import { parameterSchema, spec } from './spec';
import type { Biller } from './types';

type Json = Record<string, any>;

const listParameters: Json[] = spec.paths['/billers'].get.parameters;

/** `limit` of `GET /billers`: the smallest and largest page a client may ask for. */
export const limitBounds: { readonly minimum: number; readonly maximum: number } = (() => {
  const { minimum, maximum } = parameterSchema('listBillers', 'limit');
  if (!Number.isInteger(minimum) || !Number.isInteger(maximum)) {
    throw new Error('GET /billers `limit` needs an integer minimum and maximum in specs/billerapi.openapi.yaml.');
  }
  return { minimum, maximum };
})();

/** A page size clamped to what `limit` allows. */
export const clampLimit = (size: number): number => Math.min(limitBounds.maximum, Math.max(limitBounds.minimum, Math.ceil(size)));

export type FilterMatch = 'equals' | 'contains-ignoring-case';
export type FilterName = 'q' | 'category' | 'country';
export type FilterQuery = Partial<Record<FilterName, string>>;

export interface FilterRule {
  parameter: FilterName;
  field: keyof Biller;
  match: FilterMatch;
}

const MATCHES: readonly FilterMatch[] = ['equals', 'contains-ignoring-case'];

/** Every filter parameter of `GET /billers` and its rule, in the spec's order. */
export const filterRules: readonly FilterRule[] = listParameters
  .filter((p) => p['x-filter'] !== undefined)
  .map((p) => {
    const { field, match } = p['x-filter'] as { field: keyof Biller; match: FilterMatch };
    if (!MATCHES.includes(match)) {
      throw new Error(`x-filter of GET /billers "${p.name}" has match "${match}": use one of ${MATCHES.join(', ')}.`);
    }
    return { parameter: p.name as FilterName, field, match };
  });

function ruleMatches(rule: FilterRule, biller: Biller, value: string): boolean {
  const actual = String(biller[rule.field]);
  return rule.match === 'equals' ? actual === value : actual.toLowerCase().includes(value.toLowerCase());
}

/** Whether a biller matches every filter of a query, by the spec's rules (filters combine, A-026). */
export function matchesFilters(biller: Biller, query: FilterQuery): boolean {
  return filterRules.every((rule) => query[rule.parameter] === undefined || ruleMatches(rule, biller, query[rule.parameter]!));
}

/** `category electricity and q "gAS"`: a query as a failure message names it. */
export function describeFilters(query: FilterQuery): string {
  return Object.entries(query).map(([name, value]) => (name === 'q' ? `q "${value}"` : `${name} ${value}`)).join(' and ');
}

/** The value most billers share, the first of those in listing order on a tie. */
function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  for (const [v, n] of counts) if (best === undefined || n > counts.get(best)!) best = v;
  return best;
}

const swapCase = (s: string): string => [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');

/**
 * The filtered searches that judge a listing: each filter alone on the value most billers
 * share (so that matches span pages), and category with country together. `q` is the word of
 * three or more ASCII letters most names contain, with its case swapped (`Gas` → `gAS`): the
 * rule ignores case, and ASCII keeps case mapping out of doubt.
 */
export function probeFilters(billers: readonly Biller[]): FilterQuery[] {
  if (billers.length === 0) return [];
  const words = billers.flatMap((b) => [...new Set(b.name.split(/[^A-Za-z]+/).filter((w) => w.length >= 3).map((w) => w.toLowerCase()))]);
  const word = mostCommon(words);
  const original = word && billers.map((b) => b.name.match(new RegExp(word, 'i'))?.[0]).find((w) => w !== undefined);
  const first = billers[0];
  const queries: FilterQuery[] = [
    { category: mostCommon(billers.map((b) => b.category)) },
    { country: mostCommon(billers.map((b) => b.country)) },
    ...(original ? [{ q: swapCase(original) }] : []),
    { category: first.category, country: first.country },
  ];
  return queries;
}
