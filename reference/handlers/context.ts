/** What every operation handler receives and returns. */
import type { Operation } from '../../lib/contract/spec';
import type { Caller, ClientSeed } from '../auth';
import { HttpError, type Switches } from '../http';
import type { Store } from '../store';

export interface HandlerContext {
  op: Operation;
  caller: Caller;
  /** Path and query parameters, validated and defaulted. */
  params: Record<string, unknown>;
  /** The request body, validated against the operation's request schema. */
  body: unknown;
  clients: readonly ClientSeed[];
  store: Store;
  switches: Switches;
  now: () => number;
}

export interface HandlerResult {
  status: number;
  body: object;
}

export type Handler = (ctx: HandlerContext) => HandlerResult;

/** The client a client-credential operation acts for. */
export function callerClientId(ctx: HandlerContext): string {
  if (ctx.caller.kind === 'anyone') throw new HttpError(500, 'Internal server error');
  return ctx.caller.clientId;
}

export const ok = (body: object): HandlerResult => ({ status: 200, body });
