/**
 * Link tokens and the public token exchange. The exchange belongs to the Authentication group
 * (5 a minute per IP), so the exchanges LINK-002 and LINK-004 judge were made by the global
 * setup, with the links, before the rate-limit probe of that group; these tests judge them.
 * LINK-003 (a never-issued token) is judged from that probe's exchanges (rate-limits.spec.ts).
 */
import { test } from '../lib/run/fixtures';
import { clientAuth } from '../lib/transport/auth';
import { statusIs, type Check } from '../lib/judgement/checks';
import { linkTokenRequest } from '../lib/contract/fixtures-data';
import { coversWithWrites } from '../lib/contract/requirements';
import { linkedRunOf } from '../lib/run/run-context';
import { linkTokenLifetimeSeconds } from '../lib/contract/spec';
import { bodyOf, type LinkTokenCreate } from '../lib/contract/types';

/** the longest a link token lives (the spec's x-token-lifetime-seconds); a minute of clock skew is allowed either way. */
const LINK_TOKEN_LIFETIME_MS = linkTokenLifetimeSeconds * 1000;
const CLOCK_SKEW_MS = 60 * 1000;
/** `4 hours`, `30 minutes`: the lifetime as titles and messages say it. */
const LIFETIME = linkTokenLifetimeSeconds % 3600 === 0 ? `${linkTokenLifetimeSeconds / 3600} hours` : `${linkTokenLifetimeSeconds} s`;

const expiresWithinLifetime: Check = (x) => {
  const expiration = bodyOf<LinkTokenCreate>(x)?.expiration;
  if (!expiration) return undefined;
  const remaining = Date.parse(expiration) - Date.now();
  return remaining > 0 && remaining <= LINK_TOKEN_LIFETIME_MS + CLOCK_SKEW_MS
    ? undefined
    : { requirement: 'LINK-001', expected: `an expiration in the future, at most ${LIFETIME} away (x-token-lifetime-seconds)`, received: `expiration ${expiration} (${Math.round(remaining / 1000)} s from now)` };
};

test(`LINK-001 creates a link token that expires in the future, within ${LIFETIME}`, coversWithWrites('LINK-001'), async ({ api, environment }) => {
  const x = await api.call('createLinkToken', { auth: clientAuth(environment.primary), body: linkTokenRequest() });
  api.require(x, statusIs('LINK-001', 200));
  api.verify(x, expiresWithinLifetime);
});

test('LINK-002 refuses a second exchange of the same public token', coversWithWrites('LINK-002'), async ({ api, run }) => {
  api.verify(api.adopt(linkedRunOf(run).evidence.secondExchange), statusIs('LINK-002', 400));
});

test('LINK-004 refuses a public token presented by a client it was not issued to', coversWithWrites('LINK-004'), async ({ api, environment, run }) => {
  test.skip(!environment.second, 'needs a second client (BILLERAPI_SECOND_CLIENT_ID)');
  api.verify(api.adopt(linkedRunOf(run).evidence.crossClientExchange!), statusIs('LINK-004', 400));
});
