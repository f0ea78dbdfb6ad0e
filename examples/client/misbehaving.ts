/**
 * Misbehaving clients: examples/client/client.ts with one mistake each, naming the CLIENT
 * requirements it breaks (all of them, in the `all` scenario: the client certification must
 * fail exactly those, tests/client-certification.spec.ts). The client side of reference/faults.ts:
 * tests/catalogue.spec.ts asks that every CLIENT requirement be broken by one of them.
 */
import type { RequirementId } from '../../schemas/requirements';
import type { Behaviour } from './client';

export interface MisbehavingClient {
  breaks: readonly RequirementId[];
  description: string;
  behaviour: Partial<Behaviour>;
}

export const misbehavingClients = {
  'forgets-client-id': {
    breaks: ['CLIENT-001'],
    description: 'registers webhooks with X-Client-Secret alone',
    behaviour: { forgetClientIdOn: '/webhooks' },
  },
  'secret-in-query': {
    breaks: ['CLIENT-002'],
    description: 'also sends the secret as ?client_secret=, where every proxy and access log records it',
    behaviour: { secretInQuery: true },
  },
  'live-secret-in-sandbox': {
    breaks: ['CLIENT-003'],
    description: 'sends the production secret (bb_live_) when it fetches one biller',
    behaviour: { liveSecretOn: '/billers/' },
  },
  'ignores-retry-after': {
    breaks: ['CLIENT-004'],
    description: 'retries a 429 at once instead of waiting the Retry-After period',
    behaviour: { retryAfter: 'ignore' },
  },
  'retries-500-immediately': {
    breaks: ['CLIENT-005'],
    description: 'retries a 500 without waiting',
    behaviour: { backoffMs: () => 0 },
  },
  'retries-forever': {
    breaks: ['CLIENT-006'],
    description: 'backs off exponentially but never gives up on a 500',
    behaviour: { maxRetries: Number.POSITIVE_INFINITY },
  },
  'token-for-another-link': {
    breaks: ['CLIENT-007'],
    description: 'fetches each linked account\'s bills with the other account\'s access token',
    behaviour: { swapTokens: true },
  },
  'retries-403': {
    breaks: ['CLIENT-008'],
    description: 'retries a 403 (a missing scope) as if it were a 500',
    behaviour: { retryForbidden: true },
  },
} satisfies Record<string, MisbehavingClient>;

export type MisbehavingClientName = keyof typeof misbehavingClients;
export const misbehavingClientNames = Object.keys(misbehavingClients) as MisbehavingClientName[];
