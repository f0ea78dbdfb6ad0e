/** Exit codes of every command of the suite, and the errors that are not verdicts on the target. */
export const ExitCode = {
  conformant: 0,
  nonConformant: 1,
  /** Bad configuration, an unreachable target, or a target that does not answer as an API: not a verdict on the implementation. */
  configuration: 2,
  /** No MUST failed, but a MUST that applies was not judged (skipped, no client for it, excluded by the profile). */
  incomplete: 3,
  /** No MUST failed, but the suite itself erred (an unplanned 429, a refused write, a test that stopped without a judgement). */
  runError: 4,
} as const;

/** A problem with how the suite was invoked or where it points; reported on one line, exit 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** What went wrong in the suite rather than in the target. */
export type HarnessErrorKind = 'unplanned-429' | 'refused-write' | 'no-judgement';

/**
 * A defect of the suite, not of the target: never a pass, never a verdict. Thrown where it is
 * found; the fixtures record it as a harness outcome of the test.
 */
export class HarnessError extends Error {
  override name = 'HarnessError';
  constructor(readonly kind: HarnessErrorKind, message: string) {
    super(message);
  }
}
