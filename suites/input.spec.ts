/** Input validation and unknown resources: 400 and 404 with the error body, never 2xx or 5xx. */
import { test } from '../lib/run/fixtures';
import { clientAuth } from '../lib/transport/auth';
import { statusIs } from '../lib/judgement/checks';
import { webhookUrl } from '../lib/contract/fixtures-data';
import { limitBounds } from '../lib/contract/listing';
import { covers, coversWithWrites } from '../lib/contract/requirements';

// Just outside the spec's bounds of limit, then values of the wrong type.
for (const limit of new Set([String(limitBounds.minimum - 1), String(limitBounds.maximum + 1), '-1', '1.5', 'ten', ''])) {
  test(`INPUT-001 refuses limit=${JSON.stringify(limit)}`, covers('INPUT-001'), async ({ api, environment }) => {
    const x = await api.call('listBillers', { auth: clientAuth(environment.primary), query: { limit } });
    api.verify(x, statusIs('INPUT-001', 400));
  });
}

for (const [label, query] of [
  ['an unknown category', { category: 'not_a_category' }],
  ['a country that is not ISO 3166 alpha-2', { country: 'usa' }],
  ['a cursor that was never issued', { cursor: '%%%not-a-cursor%%%' }],
] as const) {
  test(`INPUT-001 refuses ${label}`, covers('INPUT-001'), async ({ api, environment }) => {
    const x = await api.call('listBillers', { auth: clientAuth(environment.primary), query });
    api.verify(x, statusIs('INPUT-001', 400));
  });
}

for (const [operationId, body] of [
  ['createLinkToken', {}],
  ['createWebhook', { events: ['BILLS_UPDATED'] }],
  ['sandboxCreatePublicToken', {}],
  ['createWebhook', { url: webhookUrl(), events: 'BILLS_UPDATED' }],
] as const) {
  test(`INPUT-002 refuses ${operationId} with ${JSON.stringify(body)}`, coversWithWrites('INPUT-002'), async ({ api, environment }) => {
    const x = await api.call(operationId, { auth: clientAuth(environment.primary), body });
    api.verify(x, statusIs('INPUT-002', 400));
  });
}

test('RES-001 answers 404 for an unknown biller_id', covers('RES-001'), async ({ api, environment }) => {
  const x = await api.call('getBiller', { auth: clientAuth(environment.primary), params: { biller_id: 'bil_conformance_unknown' } });
  api.verify(x, statusIs('RES-001', 404));
});
