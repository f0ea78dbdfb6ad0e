/**
 * Contract conformance of success responses. The contract checks (SCHEMA-001..004) run on
 * every exchange; this suite makes one valid request of every operation so that each
 * success schema is exercised.
 */
import { test } from '../lib/run/fixtures';
import { bearerAuth, clientAuth } from '../lib/transport/auth';
import { statusIs } from '../lib/judgement/checks';
import { linkTokenRequest, webhookUrl } from '../lib/contract/fixtures-data';
import { covers, coversWithWrites } from '../lib/contract/requirements';
import { bodyOf, type BillerList, type WebhookCreate } from '../lib/contract/types';

const CONTRACT = ['SCHEMA-001', 'SCHEMA-002', 'SCHEMA-003', 'SCHEMA-004'] as const;

test('SCHEMA-001..004 listBillers and getBiller answer per the contract', covers(...CONTRACT), async ({ api, environment }) => {
  const auth = clientAuth(environment.primary);
  const list = await api.call('listBillers', { auth, query: { limit: 5 } });
  api.require(list, statusIs('SCHEMA-001', 200));
  const first = bodyOf<BillerList>(list)?.billers[0];
  test.skip(!first, 'the target lists no billers');
  const one = await api.call('getBiller', { auth, params: { biller_id: first!.biller_id } });
  api.verify(one, statusIs('SCHEMA-001', 200));
});

test('SCHEMA-001..004 listWebhooks answers per the contract', covers(...CONTRACT), async ({ api, environment }) => {
  const x = await api.call('listWebhooks', { auth: clientAuth(environment.primary) });
  api.verify(x, statusIs('SCHEMA-001', 200));
});

test('SCHEMA-001..004 createLinkToken answers per the contract', coversWithWrites(...CONTRACT), async ({ api, environment }) => {
  const x = await api.call('createLinkToken', { auth: clientAuth(environment.primary), body: linkTokenRequest() });
  api.verify(x, statusIs('SCHEMA-002', 200));
});

test('SCHEMA-001..004 getBills answers per the contract', covers(...CONTRACT), async ({ api, accounts: [own] }) => {
  const x = await api.call('getBills', { auth: bearerAuth(own.accessToken), query: { account_link_id: own.accountLinkId } });
  api.verify(x, statusIs('SCHEMA-001', 200));
});

test('SCHEMA-001..004 sandboxCreatePublicToken answers per the contract', coversWithWrites(...CONTRACT), async ({ api, environment, accounts: [own] }) => {
  const x = await api.call('sandboxCreatePublicToken', { auth: clientAuth(environment.primary), body: { biller_id: own.billerId } });
  api.verify(x, statusIs('SCHEMA-001', 200));
});

test('SCHEMA-001..004 webhooks: create, fire, list and delete answer per the contract', coversWithWrites(...CONTRACT), async ({ api, environment }) => {
  const auth = clientAuth(environment.primary);
  const created = await api.call('createWebhook', { auth, body: { url: webhookUrl(), events: ['BILLS_UPDATED'] } });
  api.require(created, statusIs('SCHEMA-002', 201));
  const webhookId = bodyOf<WebhookCreate>(created)!.webhook.webhook_id;
  try {
    const fired = await api.call('sandboxFireWebhook', { auth, body: { webhook_id: webhookId, event_type: 'BILLS_UPDATED' } });
    api.verify(fired, statusIs('SCHEMA-001', 200));
    const listed = await api.call('listWebhooks', { auth });
    api.verify(listed, statusIs('SCHEMA-001', 200));
  } finally {
    const deleted = await api.call('deleteWebhook', { auth, params: { webhook_id: webhookId } });
    api.verify(deleted, statusIs('SCHEMA-001', 200));
  }
});
