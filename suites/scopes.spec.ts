/** Scopes: valid credentials without an operation's scope get 403, "Insufficient permissions". */
import { test } from '../lib/run/fixtures';
import { clientAuth } from '../lib/transport/auth';
import { statusIs } from '../lib/judgement/checks';
import { webhookUrl, linkTokenRequest } from '../lib/contract/fixtures-data';
import { coversWithWrites, covers } from '../lib/contract/requirements';

/** Operations the restricted client (billers:read only) may not call, with a valid request each. */
const outOfScope = [
  { operationId: 'listWebhooks', options: {} },
  { operationId: 'createLinkToken', options: { body: linkTokenRequest() } },
  { operationId: 'createWebhook', options: { body: { url: webhookUrl() } } },
  { operationId: 'deleteWebhook', options: { params: { webhook_id: 'wh_conformance' } } },
  { operationId: 'sandboxCreatePublicToken', options: { body: { biller_id: 'bil_conformance' } } },
] as const;

for (const { operationId, options } of outOfScope) {
  const details = operationId === 'listWebhooks' ? covers('SCOPE-001') : coversWithWrites('SCOPE-001');
  test(`SCOPE-001 refuses ${operationId} to a client without its scope`, details, async ({ api, environment }) => {
    test.skip(!environment.restricted, 'needs BILLERAPI_RESTRICTED_CLIENT_ID / _SECRET (a client with only billers:read)');
    const x = await api.call(operationId, { auth: clientAuth(environment.restricted!), ...options });
    api.verify(x, statusIs('SCOPE-001', 403));
  });
}
