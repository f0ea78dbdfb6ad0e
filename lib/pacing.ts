/** Pacers: the rate budget put in front of an ApiClient, in the main process or in a worker. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Pacer } from './client';
import { budgetKey } from './rate-budget';
import { rateLimitGroups, type GroupName } from './spec';

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, { signal });

/** `reserve` answers how long to wait before sending; `bearerOwner` is the client the suites' tokens belong to. */
export function pacerOf(reserve: (group: GroupName, key: string) => Promise<number> | number, bearerOwner: string): Pacer {
  return async (op, auth) => {
    const waitMs = await reserve(op.group, budgetKey(rateLimitGroups[op.group].scope, auth, bearerOwner));
    if (waitMs > 0) await sleep(waitMs);
  };
}
