/** Pacers: the rate budget put in front of an ApiClient, in the main process or in a worker. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Pacer } from '../transport/client';
import { budgetKeys, type KnownCredentials } from './rate-budget';
import { rateLimitGroups, type GroupName } from '../contract/spec';

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, { signal });

/** `reserve` answers how long to wait before sending; `known` tells which requests authenticate, and as whom. */
export function pacerOf(reserve: (group: GroupName, keys: readonly string[]) => Promise<number> | number, known: KnownCredentials): Pacer {
  return async (op, auth) => {
    const waitMs = await reserve(op.group, budgetKeys(rateLimitGroups[op.group].scope, op.auth, auth, known));
    if (waitMs > 0) await sleep(waitMs);
  };
}
