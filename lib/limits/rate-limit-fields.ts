/**
 * The IETF RateLimit header fields, read as RFC 9651 structured fields with the
 * `structured-headers` package: parameters come back as a Map, so their order, other
 * parameters (`qu`, `pk`, extensions) and other policies in the List change nothing that is
 * read. Kept out of lib/contract/rate-limits.ts, which k6 loads as it is and must stay import-free.
 */
import { isInnerList, parseList, Token, type BareItem, type Parameters } from 'structured-headers';
import type { RateLimitGroup } from '../contract/rate-limits';

/** The IETF RateLimit header fields of one response, as sent. */
export interface RateLimitFields {
  policy?: string;
  rateLimit?: string;
}

export type GroupMember = { found: true; params: Parameters } | { found: false; reason: string };

const nameOf = (value: BareItem): string | undefined =>
  typeof value === 'string' ? value : value instanceof Token ? value.toString() : undefined;

/**
 * The parameters of `group`'s policy in a RateLimit or RateLimit-Policy field value: the List
 * member named after the group, or the only member when there is one. Undefined, a value that
 * is not an RFC 9651 List, or several members none of which is the group's, say why.
 */
export function groupMember(value: string | undefined, group: string): GroupMember {
  if (value === undefined) return { found: false, reason: 'missing' };
  let members;
  try {
    members = parseList(value);
  } catch (error) {
    return { found: false, reason: `"${value}" is not an RFC 9651 List (${(error as Error).message})` };
  }
  const items = members.filter((m) => !isInnerList(m)) as [BareItem, Parameters][];
  const named = items.filter(([name]) => nameOf(name) === group);
  if (named.length === 1) return { found: true, params: named[0][1] };
  if (named.length === 0 && members.length === 1 && items.length === 1) return { found: true, params: items[0][1] };
  return { found: false, reason: `"${value}" has ${named.length === 0 ? 'no member' : 'several members'} "${group}"` };
}

/** A parameter that is a whole number of at least 0 (RFC 9651 Integer), else undefined. */
export function wholeParameter(params: Parameters, key: string): number | undefined {
  const value = params.get(key);
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * What is wrong with the RateLimit fields of the `limit` answers of one fresh window, or
 * undefined: every policy must state the group's quota (`q`) and window (`w`), and the
 * remaining counts (`r`), in whatever order the answers arrived, must be exactly limit − 1
 * down to 0, each with a reset (`t`) within the window.
 */
export function rateLimitFieldsProblem(fields: readonly RateLimitFields[], group: RateLimitGroup): string | undefined {
  const expectedPolicy = `q=${group.limit};w=${group.windowSeconds}`;
  for (const { policy } of fields) {
    const member = groupMember(policy, group.name);
    if (!member.found) return `RateLimit-Policy ${member.reason}, expected one stating ${expectedPolicy}`;
    if (wholeParameter(member.params, 'q') !== group.limit || wholeParameter(member.params, 'w') !== group.windowSeconds) {
      return `RateLimit-Policy "${policy}", expected one stating ${expectedPolicy}`;
    }
  }
  const expectedRemaining = `r=<remaining>;t=<0..${group.windowSeconds}>`;
  const remaining: number[] = [];
  for (const { rateLimit } of fields) {
    const member = groupMember(rateLimit, group.name);
    if (!member.found) return `RateLimit ${member.reason}, expected ${expectedRemaining}`;
    const r = wholeParameter(member.params, 'r');
    const t = wholeParameter(member.params, 't');
    if (r === undefined || t === undefined || t > group.windowSeconds) return `RateLimit "${rateLimit}", expected ${expectedRemaining}`;
    remaining.push(r);
  }
  remaining.sort((a, b) => b - a);
  const countsDown = remaining.every((r, i) => r === group.limit - 1 - i);
  return countsDown ? undefined : `remaining counts ${summariseCounts(remaining)} over ${fields.length} requests, expected ${group.limit - 1} down to 0`;
}

function summariseCounts(sorted: number[]): string {
  return sorted.length <= 6 ? sorted.join(', ') : `${sorted.slice(0, 3).join(', ')} … ${sorted.slice(-3).join(', ')}`;
}
