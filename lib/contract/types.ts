/** Body types generated from the spec (schemas/openapi.d.ts), under short names. */
import type { components } from '../../schemas/openapi';
import type { Exchange } from '../transport/client';

type Schemas = components['schemas'];
export type Biller = Schemas['Biller'];
export type BillerList = Schemas['BillerListResponse'];
export type Bill = Schemas['Bill'];
export type BillsGet = Schemas['BillsGetResponse'];
export type LinkTokenCreate = Schemas['LinkTokenCreateResponse'];
export type PublicTokenExchange = Schemas['PublicTokenExchangeResponse'];
export type WebhookCreate = Schemas['WebhookCreateResponse'];

/** The parsed body of a success response, typed; undefined for anything else. */
export function bodyOf<T>(x: Exchange): T | undefined {
  return x.response.status < 300 && x.json && typeof x.json === 'object' ? (x.json as T) : undefined;
}
