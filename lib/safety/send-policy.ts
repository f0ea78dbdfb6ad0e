/**
 * lib/safety/ — where requests may go and which may be sent: loopback addresses (loopback.ts) and
 * the read-only send policy (send-policy.ts). Pure; imports only lib/config/errors.ts and
 * lib/contract/. The reference server uses it too.
 */
/**
 * What a run may send to its target. A read-only run (production, the gate profile:
 * lib/config/profile.ts `isReadOnly`) sends only safe methods of operations the spec does not mark
 * `x-sandbox-only`. ApiClient asks before pacing and before a byte leaves, so a test that calls
 * a write by mistake is refused by the harness, whatever its tags say.
 */
import { HarnessError } from '../config/errors';
import type { Operation } from '../contract/spec';

/** RFC 9110 §9.2.1: the methods whose semantics are read-only. */
export const SAFE_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.includes(method.toUpperCase());
}

/** Why a run may not send `op`, as one sentence; undefined when it may. */
export function refusalOf(op: Operation, readOnly: boolean): string | undefined {
  if (!readOnly) return undefined;
  const reasons = [...(isSafeMethod(op.method) ? [] : ['a write']), ...(op.sandboxOnly ? ['sandbox-only (x-sandbox-only)'] : [])];
  if (reasons.length === 0) return undefined;
  return `${op.method} ${op.path} (${op.operationId}) is ${reasons.join(' and ')}: the read-only profile (production, gate) never sends it.`;
}

/** Throws the refusal as a harness error (a defect of the suite, not a verdict on the target). */
export function assertSendable(op: Operation, readOnly: boolean): void {
  const refusal = refusalOf(op, readOnly);
  if (refusal !== undefined) throw new HarnessError('refused-write', refusal);
}
