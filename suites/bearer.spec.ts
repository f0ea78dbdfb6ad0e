/** Bearer access tokens: per linked account, only for bill retrieval. */
import { randomUUID } from 'node:crypto';
import { test } from '../lib/run/fixtures';
import { bearerAuth, clientAuth, noAuth, rawHeaders } from '../lib/transport/auth';
import { statusIs, type Check } from '../lib/judgement/checks';
import { covers } from '../lib/contract/requirements';
import type { BillsGet } from '../lib/contract/types';

/** BEARER-005: a refused request returns no bills at all, so nothing of the other account. */
const returnsNoBills: Check = (x) => {
  const bills = (x.json as Partial<BillsGet> | undefined)?.bills;
  return Array.isArray(bills) && bills.length > 0
    ? { requirement: 'BEARER-005', expected: 'no bills', received: `${bills.length} bills of ${[...new Set(bills.map((b) => b.account_link_id))].join(', ')}` }
    : undefined;
};

test.describe('bearer access tokens on getBills', () => {
  test('BEARER-001 refuses bill retrieval without Authorization', covers('BEARER-001'), async ({ api, accounts: [own] }) => {
    const x = await api.call('getBills', { auth: noAuth, query: { account_link_id: own.accountLinkId } });
    api.verify(x, statusIs('BEARER-001', 401));
  });

  for (const scheme of ['Basic', 'Token', 'Digest']) {
    test(`BEARER-002 refuses a valid token under the ${scheme} scheme`, covers('BEARER-002'), async ({ api, accounts: [own] }) => {
      const x = await api.call('getBills', { auth: bearerAuth(own.accessToken, scheme), query: { account_link_id: own.accountLinkId } });
      api.verify(x, statusIs('BEARER-002', 401));
    });
  }

  for (const [label, value] of [
    ['no token', (_: string) => 'Bearer'],
    ['empty token', (_: string) => 'Bearer '],
    ['text after the token', (token: string) => `Bearer ${token} extra`],
    ['the token alone, no scheme', (token: string) => token],
  ] as const) {
    test(`BEARER-003 refuses a malformed credential (${label})`, covers('BEARER-003'), async ({ api, accounts: [own] }) => {
      const x = await api.call('getBills', { auth: rawHeaders(['Authorization', value(own.accessToken)]), query: { account_link_id: own.accountLinkId } });
      api.verify(x, statusIs('BEARER-003', 401));
    });
  }

  test('BEARER-004 refuses a well-formed token that was never issued', covers('BEARER-004'), async ({ api, accounts: [own] }) => {
    const prefix = own.accessToken.replace(/[0-9a-f-]{36}$/, '');
    const x = await api.call('getBills', { auth: bearerAuth(`${prefix}${randomUUID()}`), query: { account_link_id: own.accountLinkId } });
    api.verify(x, statusIs('BEARER-004', 401));
  });

  test("BEARER-005 refuses a token for another linked account's bills (403, nothing leaked)", covers('BEARER-005'), async ({ api, accounts: [own, other] }) => {
    const x = await api.call('getBills', { auth: bearerAuth(own.accessToken), query: { account_link_id: other.accountLinkId } });
    api.verify(x, statusIs('BEARER-005', 403), returnsNoBills);
  });

  test('BEARER-006 refuses client credentials on bill retrieval', covers('BEARER-006'), async ({ api, environment, accounts: [own] }) => {
    const x = await api.call('getBills', { auth: clientAuth(environment.primary), query: { account_link_id: own.accountLinkId } });
    api.verify(x, statusIs('BEARER-006', 401));
  });

  for (const scheme of ['bearer', 'BEARER']) {
    test(`BEARER-008 accepts the scheme name in any case (${scheme})`, covers('BEARER-008'), async ({ api, accounts: [own] }) => {
      const x = await api.call('getBills', { auth: bearerAuth(own.accessToken, scheme), query: { account_link_id: own.accountLinkId } });
      api.verify(x, statusIs('BEARER-008', 200));
    });
  }
});

test.describe('bearer access tokens on client-credential operations', () => {
  for (const operationId of ['listBillers', 'listWebhooks']) {
    test(`BEARER-007 refuses an access token on ${operationId}`, covers('BEARER-007'), async ({ api, accounts: [own] }) => {
      const x = await api.call(operationId, { auth: bearerAuth(own.accessToken) });
      api.verify(x, statusIs('BEARER-007', 401));
    });
  }
});
