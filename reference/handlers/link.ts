/**
 * Linking: POST /link/token/create, POST /sandbox/public_token/create
 * and POST /link/token/exchange.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { linkTokenLifetimeSeconds, spec } from '../../lib/contract/spec';
import type { components } from '../../schemas/openapi';
import { catalogue, findBiller } from '../data';
import { badRequest } from '../http';
import type { AccountLink, Store } from '../store';
import { validationMessages } from '../validation';
import { billerNotFound } from './billers';
import { callerClientId, ok, type Handler } from './context';

type Schemas = components['schemas'];

const LINK_TOKEN_LIFETIME_MS = linkTokenLifetimeSeconds * 1000;
/** Under short-lived-link-tokens: less than the documented lifetime, which A-027 allows. */
const SHORT_LINK_TOKEN_LIFETIME_MS = 30 * 60 * 1000;
const SHORT_LINK_TOKEN_OFFSET_MINUTES = 120;
const PUBLIC_TOKEN_LIFETIME_MS = 30 * 60 * 1000;
const TEST_USERNAMES: readonly string[] = [spec.components.schemas.SandboxPublicTokenCreateRequest.properties.test_username.default];
const DEFAULT_TEST_USERNAME = TEST_USERNAMES[0];

/** An RFC 3339 date-time in whole seconds at a fixed offset from UTC (`2026-05-01T16:00:00+02:00`). */
export function dateTimeAtOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export const createLinkToken: Handler = (ctx) => {
  const { body, switches, now } = ctx;
  const { biller_id: billerId } = body as Schemas['LinkTokenCreateRequest'];
  if (billerId !== undefined && !findBiller(billerId, switches)) throw badRequest(['biller_id must be the id of a known biller']);
  const short = switches.has('short-lived-link-tokens');
  const fullLifetime = short ? SHORT_LINK_TOKEN_LIFETIME_MS : LINK_TOKEN_LIFETIME_MS;
  const lifetime = switches.has('expired-link-token') ? -fullLifetime : fullLifetime;
  const linkToken = `link-sandbox-${randomUUID()}`;
  // A link token is never spent: it opens the Connect flow until it expires.
  const expiresAt = short ? Math.floor((now() + lifetime) / 1000) * 1000 : now() + lifetime;
  ctx.store.linkTokens.set(linkToken, { clientId: callerClientId(ctx), expiresAt });
  const expiration = short ? dateTimeAtOffset(expiresAt, SHORT_LINK_TOKEN_OFFSET_MINUTES) : new Date(expiresAt).toISOString();
  return {
    status: switches.has('undocumented-status') ? 201 : 200,
    body: { link_token: linkToken, expiration },
  };
};

/** A public token for a linked test account (the sandbox endpoint and the Connect frame alike). */
export function issuePublicToken(store: Store, link: { clientId: string; billerId: string; testUsername: string }, now: number): string {
  const publicToken = `public-sandbox-${randomUUID()}`;
  store.publicTokens.set(publicToken, { ...link, expiresAt: now + PUBLIC_TOKEN_LIFETIME_MS, used: false });
  return publicToken;
}

export const sandboxCreatePublicToken: Handler = (ctx) => {
  const { biller_id: billerId, test_username: testUsername = DEFAULT_TEST_USERNAME } =
    ctx.body as Partial<Schemas['SandboxPublicTokenCreateRequest']>;
  if (!TEST_USERNAMES.includes(testUsername)) throw badRequest([validationMessages.notOneOf('test_username', TEST_USERNAMES)]);
  if (!billerId || !findBiller(billerId, ctx.switches)) throw billerNotFound(ctx.switches);
  return ok({ public_token: issuePublicToken(ctx.store, { clientId: callerClientId(ctx), billerId, testUsername }, ctx.now()) });
};

function createLink(store: Store, link: Omit<AccountLink, 'linkId'>): { access_token: string; account_link_id: string } {
  const linkId = `link_${randomBytes(12).toString('hex')}`;
  const accessToken = `access-sandbox-${randomUUID()}`;
  store.links.set(linkId, { linkId, ...link });
  store.accessTokens.set(accessToken, { clientId: link.clientId, linkId });
  return { access_token: accessToken, account_link_id: linkId };
}

export const exchangePublicToken: Handler = (ctx) => {
  const { public_token: publicToken } = ctx.body as Schemas['PublicTokenExchangeRequest'];
  const clientId = callerClientId(ctx);
  const issued = ctx.store.publicTokens.get(publicToken);
  if (!issued && publicToken.startsWith('public-sandbox-') && ctx.switches.has('accept-unknown-public-token')) {
    return ok(createLink(ctx.store, { clientId, billerId: catalogue(ctx.switches)[0].biller_id, testUsername: DEFAULT_TEST_USERNAME }));
  }
  // One answer for unknown, used, expired and foreign tokens, as Plaid's INVALID_PUBLIC_TOKEN.
  const foreign = issued !== undefined && issued.clientId !== clientId && !ctx.switches.has('cross-client-public-token');
  if (!issued || issued.used || ctx.now() >= issued.expiresAt || foreign) {
    throw badRequest('Invalid public token');
  }
  if (!ctx.switches.has('reusable-public-token')) issued.used = true;
  return ok(createLink(ctx.store, { clientId, billerId: issued.billerId, testUsername: issued.testUsername }));
};
