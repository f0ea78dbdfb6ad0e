/** The reference's in-memory state: what reset() clears. */
import type { components } from '../schemas/openapi';

export type Webhook = components['schemas']['Webhook'];

export interface AccountLink {
  linkId: string;
  clientId: string;
  billerId: string;
  testUsername: string;
}

export interface PublicToken {
  clientId: string;
  billerId: string;
  testUsername: string;
  expiresAt: number;
  used: boolean;
}

export interface LinkToken {
  clientId: string;
  expiresAt: number;
}

export interface AccessToken {
  clientId: string;
  linkId: string;
}

export interface StoredWebhook {
  clientId: string;
  webhook: Webhook;
  secret: string;
  /** Milliseconds clock at registration. */
  registeredAt: number;
}

export interface DeletedWebhook extends StoredWebhook {
  /** Milliseconds clock at deletion. */
  deletedAt: number;
}

export interface Store {
  links: Map<string, AccountLink>;
  linkTokens: Map<string, LinkToken>;
  publicTokens: Map<string, PublicToken>;
  accessTokens: Map<string, AccessToken>;
  webhooks: Map<string, StoredWebhook>;
  /** Deleted webhooks: what faults and the listing-lag variation still know of them. */
  deletedWebhooks: Map<string, DeletedWebhook>;
  reset(): void;
}

export function createStore(): Store {
  const store: Store = {
    links: new Map(),
    linkTokens: new Map(),
    publicTokens: new Map(),
    accessTokens: new Map(),
    webhooks: new Map(),
    deletedWebhooks: new Map(),
    reset() {
      store.links.clear();
      store.linkTokens.clear();
      store.publicTokens.clear();
      store.accessTokens.clear();
      store.webhooks.clear();
      store.deletedWebhooks.clear();
    },
  };
  return store;
}
