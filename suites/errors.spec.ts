/**
 * The one error shape: every error the suites provoke is checked by the contract checks
 * (ERR-001..004); this suite provokes one error of each documented kind on each operation.
 */
import { test } from '../lib/run/fixtures';
import { clientAuth, noAuth } from '../lib/transport/auth';
import { statusIs } from '../lib/judgement/checks';
import { covers, coversWithWrites } from '../lib/contract/requirements';
import { operations, parameterSchema } from '../lib/contract/spec';

const ERROR_FORMAT = ['ERR-001', 'ERR-002', 'ERR-003', 'ERR-004'] as const;

/** Placeholder path parameters: authentication fails before they are looked at. */
const placeholderParams = { biller_id: 'bil_placeholder', webhook_id: 'wh_placeholder' };

// The exchange is left out: it costs Authentication quota (a few a minute per IP), spent on LINK-*.
const unauthenticated = operations.filter((op) => op.group !== 'authentication');

for (const op of unauthenticated) {
  const details = op.method === 'GET' ? covers(...ERROR_FORMAT) : coversWithWrites(...ERROR_FORMAT);
  test(`ERR-001..004 the 401 of ${op.operationId} has the error shape`, details, async ({ api }) => {
    const x = await api.call(op.operationId, { auth: noAuth, params: placeholderParams });
    api.verify(x, statusIs('ERR-001', 401));
  });
}

/** One past the spec's maximum page size: refused whatever the catalogue. */
const tooLargeLimit = (parameterSchema('listBillers', 'limit').maximum as number) + 1;

test(`ERR-001..004 the 400 of an invalid limit (${tooLargeLimit}) has the error shape`, covers(...ERROR_FORMAT), async ({ api, environment }) => {
  const x = await api.call('listBillers', { auth: clientAuth(environment.primary), query: { limit: tooLargeLimit } });
  api.verify(x, statusIs('ERR-001', 400));
});

test('ERR-001..004 the 404 of an unknown biller has the error shape', covers(...ERROR_FORMAT), async ({ api, environment }) => {
  const x = await api.call('getBiller', { auth: clientAuth(environment.primary), params: { biller_id: 'bil_conformance_unknown' } });
  api.verify(x, statusIs('ERR-001', 404));
});
