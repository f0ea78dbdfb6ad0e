/** Exit codes of every command of the suite. */
export const ExitCode = {
  conformant: 0,
  nonConformant: 1,
  /** Bad configuration or an unreachable target: not a verdict on the implementation. */
  configuration: 2,
} as const;

/** A problem with how the suite was invoked or where it points; reported on one line, exit 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
