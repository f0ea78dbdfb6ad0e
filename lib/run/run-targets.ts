/**
 * The targets of one Playwright run. A conformance run has one (`run`); the project's own fault
 * and variation matrix (tests/matrix/) has one per case, each an embedded reference with its
 * own faults and variations, named by its projects' `metadata.target`. The global setup makes a
 * run context per target; each worker asks the coordinator for its project's.
 */
export const DEFAULT_TARGET = 'run';

/** What a project of the matrix says about its target. */
export interface TargetSwitches {
  key: string;
  faults: string[];
  variations: string[];
  /**
   * Record judgements without failing Playwright's tests: the matrix reads outcomes only, and
   * Playwright replaces its worker after every failed test, which a faulted case has by design.
   */
  recordOnly?: boolean;
}

interface ProjectLike {
  metadata?: { target?: TargetSwitches } | Record<string, unknown>;
}

/** The target a project's tests run against: its own, or the run's. */
export function targetOf(project: ProjectLike): TargetSwitches | undefined {
  const target = (project.metadata as { target?: TargetSwitches } | undefined)?.target;
  return target && typeof target.key === 'string' ? target : undefined;
}

export function targetKeyOf(project: ProjectLike): string {
  return targetOf(project)?.key ?? DEFAULT_TARGET;
}

/** The distinct targets of the projects, in order; undefined switches for the run's own (from the environment). */
export function targetsOf(projects: readonly ProjectLike[]): Map<string, TargetSwitches | undefined> {
  const targets = new Map<string, TargetSwitches | undefined>();
  for (const project of projects) targets.set(targetKeyOf(project), targetOf(project));
  return targets;
}

/** The project of a target's stateful sequences (playwright.config.ts): where its counterexamples are recorded. */
export const statefulProjectName = (project: string): string => `${project}-stateful`;
