/** Client credentials: X-Client-ID and X-Client-Secret, together, in headers only. */
import { test } from '../lib/run/fixtures';
import { CLIENT_ID_HEADER, CLIENT_SECRET_HEADER, noAuth, rawHeaders } from '../lib/transport/auth';
import { statusIs } from '../lib/judgement/checks';
import { covers } from '../lib/contract/requirements';
import { keyPrefixes } from '../lib/contract/spec';

/** Read-only client-credential operations, one per rate-limit group that has one. */
const operationsUnderTest = ['listBillers', 'listWebhooks'] as const;

/** The same secret with the other environment's key prefix. */
function withOtherEnvironmentPrefix(secret: string): string {
  const { sandbox, production } = keyPrefixes;
  if (secret.startsWith(sandbox)) return production + secret.slice(sandbox.length);
  if (secret.startsWith(production)) return sandbox + secret.slice(production.length);
  return production + secret;
}

/** One character changed, at the end, where a prefix comparison would not look. */
function nearMiss(secret: string): string {
  const last = secret.at(-1) === 'x' ? 'y' : 'x';
  return secret.slice(0, -1) + last;
}

for (const operationId of operationsUnderTest) {
  test.describe(`client credentials on ${operationId}`, () => {
    test('AUTH-001 refuses a request without X-Client-Secret', covers('AUTH-001'), async ({ api, environment }) => {
      const x = await api.call(operationId, { auth: rawHeaders([CLIENT_ID_HEADER, environment.primary.id]) });
      api.verify(x, statusIs('AUTH-001', 401));
    });

    test('AUTH-002 refuses a valid secret without X-Client-ID', covers('AUTH-002'), async ({ api, environment }) => {
      const x = await api.call(operationId, { auth: rawHeaders([CLIENT_SECRET_HEADER, environment.primary.secret]) });
      api.verify(x, statusIs('AUTH-002', 401));
    });

    test('AUTH-003 refuses a request with no credentials', covers('AUTH-003'), async ({ api }) => {
      const x = await api.call(operationId, { auth: noAuth });
      api.verify(x, statusIs('AUTH-003', 401));
    });

    test('AUTH-004 refuses a known client ID with a wrong secret', covers('AUTH-004'), async ({ api, environment }) => {
      const { id, secret } = environment.primary;
      const x = await api.call(operationId, { auth: { kind: 'client', id, secret: nearMiss(secret) } });
      api.verify(x, statusIs('AUTH-004', 401));
    });

    test('AUTH-005 refuses an unknown client ID (with a valid secret)', covers('AUTH-005'), async ({ api, environment }) => {
      const x = await api.call(operationId, { auth: { kind: 'client', id: `${environment.primary.id}-unknown`, secret: environment.primary.secret } });
      api.verify(x, statusIs('AUTH-005', 401));
    });

    test("AUTH-006 refuses a secret with the other environment's prefix", covers('AUTH-006'), async ({ api, environment }) => {
      const { id, secret } = environment.primary;
      const x = await api.call(operationId, { auth: { kind: 'client', id, secret: withOtherEnvironmentPrefix(secret) } });
      api.verify(x, statusIs('AUTH-006', 401));
    });

    test('AUTH-007 refuses an empty secret (known client ID)', covers('AUTH-007'), async ({ api, environment }) => {
      const x = await api.call(operationId, { auth: { kind: 'client', id: environment.primary.id, secret: '' } });
      api.verify(x, statusIs('AUTH-007', 401));
    });

    test('AUTH-007 refuses an empty client ID (valid secret)', covers('AUTH-007'), async ({ api, environment }) => {
      const x = await api.call(operationId, { auth: { kind: 'client', id: '', secret: environment.primary.secret } });
      api.verify(x, statusIs('AUTH-007', 401));
    });

    for (const [idHeader, secretHeader] of [
      ['x-client-id', 'x-client-secret'],
      ['X-CLIENT-ID', 'X-CLIENT-SECRET'],
      ['x-Client-Id', 'X-client-SECRET'],
    ]) {
      test(`AUTH-008 accepts credentials in any header-name case (${idHeader} / ${secretHeader})`, covers('AUTH-008'), async ({ api, environment }) => {
        const { id, secret } = environment.primary;
        const x = await api.call(operationId, { auth: { kind: 'client', id, secret, idHeader, secretHeader } });
        api.verify(x, statusIs('AUTH-008', 200));
      });
    }

    for (const [idParam, secretParam] of [
      ['client_id', 'client_secret'],
      [CLIENT_ID_HEADER, CLIENT_SECRET_HEADER],
    ]) {
      test(`AUTH-009 refuses credentials in the query string (${idParam}, ${secretParam})`, covers('AUTH-009'), async ({ api, environment }) => {
        const query = { [idParam]: environment.primary.id, [secretParam]: environment.primary.secret };
        const x = await api.call(operationId, { auth: noAuth, query });
        api.verify(x, statusIs('AUTH-009', 401));
      });
    }
  });
}
