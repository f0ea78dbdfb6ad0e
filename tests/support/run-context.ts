/** A run context as the global setup makes one, for tests of the harness outside a conformance run. */
import type { RunMeta } from '../../lib/judgement/outcomes';
import { groupsFromSpec } from '../../lib/contract/rate-limits';
import type { RunContext } from '../../lib/run/run-context';
import { rateLimitSpec } from '../../lib/contract/spec';

export function testRunContext(meta: Partial<RunMeta> = {}, windowSeconds?: number): RunContext {
  return {
    meta: {
      environment: 'local',
      baseUrl: 'http://127.0.0.1:9',
      embeddedReference: false,
      profile: 'conformance',
      readOnly: false,
      faults: [],
      variations: [],
      startedAt: '2026-12-01T00:00:00.000Z',
      ...meta,
    },
    groups: groupsFromSpec(rateLimitSpec, windowSeconds),
    linked: { error: 'no accounts in this test' },
  };
}
