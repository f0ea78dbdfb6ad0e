/**
 * fast-check generators of BillerAPI requests, each case labelled by construction with what a
 * conforming implementation must answer. Secret-derived values stay symbolic (lib/fuzz/fuzz-values.ts)
 * so that a counterexample can be reproduced without printing a secret.
 */
import fc from 'fast-check';
import { CLIENT_ID_HEADER, CLIENT_SECRET_HEADER } from '../transport/auth';
import type { Environment } from '../config/env';
import { concat, derived, derivedParts, literal, type Source, type Transform, type Value } from './fuzz-values';
import { keyPrefixes, spec } from '../contract/spec';

/** What the case must get: an answer (2xx), a refusal (its status), or one of several (a documented latitude). */
export type Expectation =
  | { kind: 'answered' }
  | { kind: 'refused'; status: 400 | 401 | 403 }
  | { kind: 'either'; statuses: readonly number[]; why: string };

export interface FuzzCase {
  label: string;
  headers: [string, Value][];
  query: [string, string][];
  /** Raw body text, sent as it is with Content-Type: application/json. */
  body?: string;
  expect: Expectation;
}

/** A-021: each header value up to 8 KiB must reach the API; past 16 KiB the HTTP layer may answer 431. */
export const LONG_HEADER = 8 * 1024;
export const OVERSIZED_HEADER = 20 * 1024;
const OVERSIZED: Expectation = { kind: 'either', statuses: [400, 401, 431], why: 'header section past what HTTP servers accept (A-021)' };

const answered: Expectation = { kind: 'answered' };
const refused = (status: 400 | 401 | 403): Expectation => ({ kind: 'refused', status });

// Characters a header value may carry (RFC 9110 §5.5): visible ASCII, space, tab, obs-text.
const visibleAscii = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
const obsText = fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c));
const headerChar = fc.oneof({ arbitrary: visibleAscii, weight: 4 }, { arbitrary: obsText, weight: 1 }, fc.constantFrom(' ', '\t'));
/** A field value: no leading or trailing whitespace, which HTTP strips (it would change nothing). */
const headerText = (maxLength: number) => fc.string({ unit: headerChar, maxLength }).map((s) => s.trim());
const tokenChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-'.split(''));
const headerName = fc.string({ unit: tokenChar, minLength: 1, maxLength: 20 });

/** Header names differing only in case are the same field (AUTH-008). */
const spelling = (name: string) => fc.constantFrom(name, name.toLowerCase(), name.toUpperCase(), [...name].map((c, i) => (i % 2 ? c.toLowerCase() : c.toUpperCase())).join(''));

/** Near misses of a secret or ID: one character changed, truncated, extended, case swapped, other environment's prefix. */
function nearMisses(source: Source, length: number): fc.Arbitrary<Transform> {
  return fc.oneof(
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat({ max: length - 1 }), with: visibleAscii }),
    fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat({ max: length - 1 }) }),
    fc.record({ kind: fc.constant('extend' as const), suffix: fc.string({ unit: visibleAscii, minLength: 1, maxLength: 8 }) }),
    fc.constant({ kind: 'swapcase' as const }),
    ...('role' in source && source.part === 'secret' ? [fc.constant({ kind: 'other-prefix' as const })] : []),
  );
}

/** A near miss that is really different: swapping the case of a value without letters changes nothing. */
function differs(original: string, t: Transform): boolean {
  return t.kind !== 'swapcase' || /[a-zA-Z]/.test(original);
}

type Kind = 'exact' | 'wrong';

/** A credential value: the exact one, a near miss, or something unrelated (empty, random, non-ASCII, long, oversized). */
function credentialValue(source: Source, exact: string, part: 'id' | 'secret'): fc.Arbitrary<{ value: Value; kind: Kind | 'oversized' }> {
  const wrong = (value: fc.Arbitrary<Value>) => value.map((v) => ({ value: v, kind: 'wrong' as const }));
  return fc.oneof(
    { arbitrary: fc.constant({ value: derived(source), kind: 'exact' as const }), weight: 3 },
    { arbitrary: wrong(nearMisses(source, exact.length).filter((t) => differs(exact, t)).map((t) => derived(source, t))), weight: 4 },
    wrong(fc.constantFrom('', ...(part === 'secret' ? [keyPrefixes.sandbox, keyPrefixes.production] : [])).map(literal)),
    wrong(headerText(64).map(literal)),
    wrong(fc.string({ unit: obsText, minLength: 1, maxLength: 16 }).map(literal)),
    wrong(fc.integer({ min: 257, max: LONG_HEADER }).map((n) => literal('a'.repeat(n)))),
    fc.constant({ value: literal('b'.repeat(OVERSIZED_HEADER)), kind: 'oversized' as const }),
  );
}

interface Occurrence {
  name: string;
  value: Value;
  kind: Kind | 'oversized';
}

/** The header absent, once, or twice (a duplicate: servers join or pick, so only a doubled exact value is ambiguous). */
function occurrences(canonicalName: string, value: fc.Arbitrary<{ value: Value; kind: Kind | 'oversized' }>): fc.Arbitrary<Occurrence[]> {
  const one = fc.tuple(spelling(canonicalName), value).map(([name, v]) => ({ name, ...v }));
  return fc.oneof(
    { arbitrary: fc.constant<Occurrence[]>([]), weight: 1 },
    { arbitrary: one.map((o) => [o]), weight: 6 },
    { arbitrary: fc.tuple(one, one), weight: 1 },
  );
}

function credentialExpectation(ids: Occurrence[], secrets: Occurrence[]): Expectation {
  const all = [...ids, ...secrets];
  if (all.some((o) => o.kind === 'oversized')) return OVERSIZED;
  const single = (list: Occurrence[]) => list.length === 1 && list[0].kind === 'exact';
  if (single(ids) && single(secrets)) return answered;
  const duplicateExact = (list: Occurrence[]) => list.length === 2 && list.some((o) => o.kind === 'exact');
  const eachHasExact = [ids, secrets].every((list) => single(list) || duplicateExact(list));
  return eachHasExact ? { kind: 'either', statuses: [200, 401], why: 'a duplicated credential header is joined or picked by the server' } : refused(401);
}

function describe(list: Occurrence[], what: string): string {
  if (list.length === 0) return `no ${what}`;
  const detail = (v: Value) => ('literal' in v ? ` (${v.literal.length} chars)` : derivedParts(v).map((d) => (d.transform.kind === 'same' ? '' : ` (${d.transform.kind})`)).join(''));
  return list.map((o) => `${what} ${o.kind}${detail(o.value)} as "${o.name}"`).join(', ');
}

/**
 * Client-credential headers for `e.primary`: absent, empty, near misses, non-ASCII, long and
 * oversized values, any spelling of the names, duplicates, and the other client's ID with this
 * client's secret.
 */
export function clientCredentialCases(e: Environment): fc.Arbitrary<FuzzCase> {
  const ownId: Source = { role: 'primary', part: 'id' };
  const ownSecret: Source = { role: 'primary', part: 'secret' };
  const otherId = e.second ? [fc.constant({ value: derived({ role: 'second', part: 'id' }), kind: 'wrong' as const })] : [];
  const id = fc.oneof(credentialValue(ownId, e.primary.id, 'id'), ...otherId);
  const secret = credentialValue(ownSecret, e.primary.secret, 'secret');
  const any = fc.tuple(occurrences(CLIENT_ID_HEADER, id), occurrences(CLIENT_SECRET_HEADER, secret));
  // Half the cases are the attack that matters most: the right ID, a secret one step from right.
  const nearMiss = fc.tuple(
    spelling(CLIENT_ID_HEADER).map((name): Occurrence[] => [{ name, value: derived(ownId), kind: 'exact' }]),
    fc.tuple(spelling(CLIENT_SECRET_HEADER), nearMisses(ownSecret, e.primary.secret.length).filter((t) => differs(e.primary.secret, t)))
      .map(([name, t]): Occurrence[] => [{ name, value: derived(ownSecret, t), kind: 'wrong' }]),
  );
  return fc.oneof(any, nearMiss).map(([ids, secrets]) => ({
    label: `${describe(ids, 'X-Client-ID')}; ${describe(secrets, 'X-Client-Secret')}`,
    headers: [...ids, ...secrets].map((o): [string, Value] => [o.name, o.value]),
    query: [],
    expect: credentialExpectation(ids, secrets),
  }));
}

/** Headers no API may care about; names that change HTTP semantics (conditional, range, framing, auth) are left out. */
const unrelatedHeaderName = fc.oneof(
  headerName.map((n) => `X-Fuzz-${n}`),
  fc.constantFrom('User-Agent', 'Referer', 'Cookie', 'Origin', 'DNT', 'Cache-Control', 'Pragma', 'Accept-Language', 'Via', 'X-Forwarded-For', 'X-Correlation-Id', 'Sec-Fetch-Mode'),
);

/** A valid credential pair (any spelling) with up to 8 unrelated headers. */
export function validCredentialsWithUnrelatedHeaders(): fc.Arbitrary<FuzzCase> {
  return fc.tuple(
    spelling(CLIENT_ID_HEADER),
    spelling(CLIENT_SECRET_HEADER),
    fc.array(fc.tuple(unrelatedHeaderName, headerText(256)), { maxLength: 8 }),
  ).map(([idName, secretName, extra]) => ({
    label: `valid credentials as "${idName}"/"${secretName}" with ${extra.length} unrelated header(s): ${extra.map(([n]) => n).join(', ') || 'none'}`,
    headers: [[idName, derived({ role: 'second', part: 'id' })], [secretName, derived({ role: 'second', part: 'secret' })], ...extra.map(([n, v]): [string, Value] => [n, literal(v)])],
    query: [],
    expect: answered,
  }));
}

/** Authorization headers for bill retrieval of the own account. */
export function authorizationCases(withClientCredentials: boolean): fc.Arbitrary<FuzzCase> {
  const own: Source = { token: 'own' };
  const ownToken = derived(own);
  type Auth = { text: string; value?: Value[]; expect: Expectation };
  const bearer = (scheme: string, token: Value, expect: Expectation, separator = ' '): Auth => ({ text: `${scheme}${separator}<token>`, value: [literal(`${scheme}${separator}`), token], expect });
  const cases: fc.Arbitrary<Auth> = fc.oneof(
    { arbitrary: fc.constant(bearer('Bearer', ownToken, answered)), weight: 2 },
    fc.constantFrom('bearer', 'BEARER', 'bEaReR').map((s) => bearer(s, ownToken, { kind: 'either', statuses: [200, 401], why: 'the scheme is case-insensitive only at SHOULD level (BEARER-008)' })),
    fc.integer({ min: 2, max: 4 }).map((n) => bearer('Bearer', ownToken, { kind: 'either', statuses: [200, 401], why: 'RFC 6750 allows 1*SP' }, ' '.repeat(n))),
    fc.constantFrom('Basic', 'Token', 'Digest', 'MAC', 'Bearer:', 'Bearer-Token').map((s) => bearer(s, ownToken, refused(401))),
    fc.constant<Auth>({ text: '<token> without a scheme', value: [ownToken], expect: refused(401) }),
    fc.constantFrom('Bearer', 'Bearer ', 'Bearer\t').map((t) => ({ text: JSON.stringify(t), value: [literal(t)], expect: refused(401) })),
    fc.uuid().map((u) => bearer('Bearer', literal(`access-sandbox-${u}`), refused(401))),
    fc.constant(bearer('Bearer', derived({ token: 'other' }), refused(403))),
    // Near misses of the real token weigh most: they are what a lax comparison lets through.
    { arbitrary: fc.oneof(
      fc.record({ kind: fc.constant('extend' as const), suffix: fc.string({ unit: tokenChar, minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('truncate' as const), keep: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ kind: fc.constant('replace' as const), at: fc.integer({ min: 15, max: 40 }), with: fc.constantFrom('0', 'f', 'z') }),
    ).map((t) => bearer('Bearer', derived(own, t), refused(401))), weight: 4 },
    headerText(64).map((t) => ({ text: `random "${t}"`, value: [literal(t)], expect: refused(401) })),
    fc.constant<Auth>({ text: 'no Authorization', expect: refused(401) }),
  );
  return cases.map((a) => {
    const headers: [string, Value][] = [];
    if (a.value) headers.push(['Authorization', concat(...a.value)]);
    if (withClientCredentials) headers.push([CLIENT_ID_HEADER, derived({ role: 'primary', part: 'id' })], [CLIENT_SECRET_HEADER, derived({ role: 'primary', part: 'secret' })]);
    const token = a.value?.flatMap(derivedParts)[0];
    return {
      label: `Authorization: ${a.text}${token && token.transform.kind !== 'same' ? ` (token ${token.transform.kind})` : ''}${withClientCredentials ? ', with valid client credentials' : ''}`,
      headers,
      query: [],
      expect: a.expect,
    };
  });
}


// Inputs

type Param = { name: string; value: string; valid: boolean | 'either' };

const categories: string[] = spec.components.schemas.BillerCategory.enum;

const validParams: Record<string, fc.Arbitrary<Param>> = {
  q: fc.string({ unit: 'binary', minLength: 1, maxLength: 50 }).filter((s) => s.trim() !== '').map((v) => ({ name: 'q', value: v, valid: true })),
  category: fc.constantFrom(...categories).map((v) => ({ name: 'category', value: v, valid: true })),
  country: fc.stringMatching(/^[A-Z]{2}$/).map((v) => ({ name: 'country', value: v, valid: true })),
  limit: fc.integer({ min: 1, max: 100 }).map((n) => ({ name: 'limit', value: String(n), valid: true })),
  cursor: fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).map((v) => ({ name: 'cursor', value: v, valid: 'either' as const })),
};

const invalidParams: Record<string, fc.Arbitrary<Param>> = {
  q: fc.oneof(fc.constant(''), { arbitrary: fc.integer({ min: 101, max: 4000 }).map((n) => 'q'.repeat(n)), weight: 3 }).map((v) => ({ name: 'q', value: v, valid: false })),
  category: fc.oneof(fc.constantFrom(...categories.map((c) => c.toUpperCase()), '', 'electricity,gas'), fc.string({ maxLength: 20 })).filter((v) => !categories.includes(v)).map((v) => ({ name: 'category', value: v, valid: false })),
  country: fc.oneof(fc.constantFrom('us', 'USA', 'U', '12', ''), fc.string({ unit: 'binary', maxLength: 6 })).filter((v) => !/^[A-Z]{2}$/.test(v)).map((v) => ({ name: 'country', value: v, valid: false })),
  limit: fc.oneof(
    fc.integer({ min: -1_000_000, max: 0 }).map(String),
    fc.integer({ min: 101, max: 1_000_000_000 }).map(String),
    // Not '1e2', '0x10' or ' 5': a lenient server (NestJS's Number()) reads them as integers.
    fc.constantFrom('', 'abc', '1.5', '５', '9'.repeat(40), 'null', '[]', '{}'),
    fc.double({ noNaN: true, min: -1e9, max: 1e9 }).filter((d) => !Number.isInteger(d)).map(String),
  ).map((v) => ({ name: 'limit', value: v, valid: false })),
  cursor: fc.oneof(fc.constant(''), fc.integer({ min: 201, max: 3000 }).map((n) => 'c'.repeat(n))).map((v) => ({ name: 'cursor', value: v, valid: false })),
};

const paramCases: Record<string, fc.Arbitrary<Param>> = Object.fromEntries(
  Object.keys(validParams).map((name) => [name, fc.oneof(validParams[name], invalidParams[name])]),
);

const declaredParams = Object.keys(paramCases);
const unknownParam = fc.tuple(headerName, fc.string({ unit: 'binary', maxLength: 40 }))
  .filter(([n]) => !declaredParams.includes(n) && !/^client_(id|secret)$/i.test(n))
  .map(([name, value]) => ({ name, value, valid: true as const }));

/** GET /billers query strings: each declared parameter absent, valid or not; unknown parameters; a parameter given twice. */
export function billerQueryCases(): fc.Arbitrary<FuzzCase> {
  const anyMix = fc.subarray(declaredParams, { minLength: 0 }).chain((names) => fc.tuple(...names.map((n) => paramCases[n])));
  // Three cases in four break exactly one parameter, so that a lax check of one constraint cannot hide behind another's 400.
  const oneInvalid = fc.constantFrom(...declaredParams).chain((name) => invalidParams[name]).map((p) => [p]);
  return fc.tuple(
    fc.oneof(anyMix, { arbitrary: oneInvalid, weight: 3 }),
    fc.array(unknownParam, { maxLength: 3 }),
    fc.option(fc.constantFrom(...declaredParams), { freq: 5 }),
  ).map(([declared, unknown, repeated]) => {
    const params: Param[] = [...declared, ...unknown];
    const repeatedParam = declared.find((p) => p.name === repeated);
    if (repeatedParam) params.push(repeatedParam);
    const invalid = declared.filter((p) => p.valid === false).map((p) => p.name);
    const either = declared.some((p) => p.valid === 'either');
    const expect: Expectation = repeatedParam || invalid.length > 0
      ? refused(400)
      : either ? { kind: 'either', statuses: [200, 400], why: 'a cursor the server never issued may be refused' } : answered;
    return {
      label: `query ${params.map((p) => `${p.name}(${p.valid === true ? 'ok' : p.valid === false ? 'invalid' : '?'}, ${p.value.length} chars)`).join(' ') || '(none)'}${repeatedParam ? `, ${repeatedParam.name} given twice` : ''}`,
      headers: [[CLIENT_ID_HEADER, derived({ role: 'second', part: 'id' })], [CLIENT_SECRET_HEADER, derived({ role: 'second', part: 'secret' })]],
      query: params.map((p): [string, string] => [p.name, p.value]),
      expect,
    };
  });
}

const jsonNonString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }));

/** POST /link/token/create bodies: valid ones, and every way of being invalid (types, sizes, scripts, fields, JSON itself). */
export function linkTokenBodyCases(): fc.Arbitrary<FuzzCase> {
  const validUser = fc.string({ unit: 'binary', minLength: 1, maxLength: 64 });
  const body: fc.Arbitrary<{ text: string; valid: boolean; what: string }> = fc.oneof(
    { arbitrary: validUser.map((u) => ({ text: JSON.stringify({ client_user_id: u }), valid: true, what: `client_user_id of ${[...u].length} code points` })), weight: 3 },
    jsonNonString.map((v) => ({ text: JSON.stringify({ client_user_id: v }), valid: false, what: `client_user_id of type ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}` })),
    fc.constantFrom('', 'x'.repeat(129), 'y'.repeat(20_000)).map((u) => ({ text: JSON.stringify({ client_user_id: u }), valid: false, what: `client_user_id of ${u.length} chars` })),
    fc.tuple(validUser, headerName).map(([u, f]) => ({ text: JSON.stringify({ client_user_id: u, [`x_${f}`]: 1 }), valid: false, what: `unknown field x_${f}` })),
    fc.constant({ text: '{}', valid: false, what: 'no client_user_id' }),
    fc.constantFrom('[]', '"client"', '42', 'null', 'true').map((t) => ({ text: t, valid: false, what: `top-level ${t}` })),
    fc.constantFrom('{', '{"client_user_id":', "{'client_user_id':'u'}", '{"client_user_id":"u",}', '\u0000').map((t) => ({ text: t, valid: false, what: `malformed JSON ${JSON.stringify(t)}` })),
    fc.tuple(validUser, fc.string({ maxLength: 20 }).filter((b) => !/^bil_[a-z0-9_]{1,60}$/.test(b))).map(([u, b]) => ({ text: JSON.stringify({ client_user_id: u, biller_id: b }), valid: false, what: `biller_id "${b}"` })),
  );
  return body.map((b) => ({
    label: `body with ${b.what}`,
    headers: [[CLIENT_ID_HEADER, derived({ role: 'second', part: 'id' })], [CLIENT_SECRET_HEADER, derived({ role: 'second', part: 'secret' })]],
    query: [],
    body: b.text,
    expect: b.valid ? answered : refused(400),
  }));
}

const bearerOwn = (): [string, Value] => ['Authorization', concat(literal('Bearer '), derived({ token: 'own' }))];

/**
 * GET /bills/get?account_link_id= with the own account's token: its own link is answered, any
 * other well-formed link refused with 403, a malformed one with 400 (or 403: an implementation
 * may check the token's link before the parameter's shape), a repeated one with 400.
 */
export function accountLinkIdCases(ownLinkId: string): fc.Arbitrary<FuzzCase> {
  const wellFormed = /^link_[A-Za-z0-9_]{1,64}$/;
  const malformed: Expectation = { kind: 'either', statuses: [400, 403], why: 'a malformed link ID may be judged before or after the token' };
  type LinkCase = { what: string; values: string[]; expect: Expectation };
  const cases: fc.Arbitrary<LinkCase> = fc.oneof(
    fc.constant<LinkCase>({ what: 'its own link', values: [ownLinkId], expect: answered }),
    fc.stringMatching(/^link_[A-Za-z0-9_]{1,64}$/).filter((v) => v !== ownLinkId).map((v) => ({ what: 'another well-formed link', values: [v], expect: refused(403) })),
    fc.oneof(
      fc.constantFrom('', 'link_', `${ownLinkId}-`, ownLinkId.toUpperCase(), ` ${ownLinkId}`, `${ownLinkId}\u0000`, 'link_' + 'a'.repeat(65)),
      fc.string({ unit: 'binary', maxLength: 80 }),
    ).filter((v) => !wellFormed.test(v)).map((v) => ({ what: `malformed "${v.slice(0, 20)}" (${v.length} chars)`, values: [v], expect: malformed })),
    fc.constant<LinkCase>({ what: 'its own link twice', values: [ownLinkId, ownLinkId], expect: refused(400) }),
    fc.constant<LinkCase>({ what: 'no account_link_id', values: [], expect: refused(400) }),
  );
  return cases.map((c) => ({ label: `account_link_id: ${c.what}`, headers: [bearerOwn()], query: c.values.map((v): [string, string] => ['account_link_id', v]), expect: c.expect }));
}

/** POST /webhooks bodies that must be refused: no valid one is sent, so fuzzing registers nothing. */
export function invalidWebhookBodyCases(): fc.Arbitrary<FuzzCase> {
  const bodies: fc.Arbitrary<{ text: string; what: string }> = fc.oneof(
    jsonNonString.map((v) => ({ text: JSON.stringify({ url: v }), what: `url of type ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}` })),
    fc.oneof(fc.constantFrom('', 'not a url', '//no-scheme.example', 'https://', 'ftp:', 'https://exa mple.com'), fc.string({ unit: 'binary', maxLength: 30 }).filter((u) => !/^[a-z][a-z0-9+.-]*:/i.test(u)))
      .map((u) => ({ text: JSON.stringify({ url: u }), what: `url "${u.slice(0, 30)}"` })),
    fc.integer({ min: 2049, max: 20_000 }).map((n) => ({ text: JSON.stringify({ url: `https://example.com/${'p'.repeat(n)}` }), what: `url of ${n + 20} chars` })),
    fc.constantFrom('[]', '"https://example.com"', '{}', '{"url":"https://example.com","events":[]}', '{"url":"https://example.com","events":["NO_SUCH_EVENT"]}', '{"url":"https://example.com","extra":1}', '{"url":')
      .map((t) => ({ text: t, what: t })),
  );
  return bodies.map((b) => ({
    label: `webhook body with ${b.what}`,
    headers: [[CLIENT_ID_HEADER, derived({ role: 'second', part: 'id' })], [CLIENT_SECRET_HEADER, derived({ role: 'second', part: 'secret' })]],
    query: [],
    body: b.text,
    expect: refused(400),
  }));
}
