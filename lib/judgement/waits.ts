/**
 * Waits with a name and a bound. Every wait a suite makes says what it waits for, and waits
 * only as long as the spec promises it takes (`x-connect`, `x-delivery`); a test's timeout is
 * derived from its waits, so that a wait always ends first and the test reports what never
 * came, against its requirement, instead of ending in Playwright's "Test timeout … exceeded".
 */

/**
 * What a test may spend besides its named waits: its requests (each bounded by the transport's
 * own timeout), browser start-up, fixtures. Playwright's default test timeout, which every
 * other suite gets in full.
 */
export const UNNAMED_ALLOWANCE_MS = 30_000;

/** The test timeout of a test whose named waits, one after the other, take at most `waitsMs`. */
export function timeoutAfterWaits(...waitsMs: number[]): number {
  return waitsMs.reduce((sum, ms) => sum + ms, 0) + UNNAMED_ALLOWANCE_MS;
}

/** `10 s`, `0.5 s`: how failure messages name a bound. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** A point in time a wait must end by. */
export interface Deadline {
  /** Milliseconds left, at least 1 (Playwright reads a timeout of 0 as "none"). */
  left(): number;
  passed(): boolean;
  /** The bound it was made with, for messages. */
  readonly ms: number;
}

export function deadlineIn(ms: number, now: () => number = Date.now): Deadline {
  const end = now() + ms;
  return {
    ms,
    left: () => Math.max(1, end - now()),
    passed: () => now() >= end,
  };
}

const POLL_MS = 50;

/** What `within` gives for work that did not finish in time. */
export const LATE = Symbol('late');

/** The work's value, or LATE once `ms` have passed (the work is left to finish or fail unheard). */
export async function within<T>(work: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), Math.max(1, ms))));
  work.catch(() => undefined); // a late failure is not heard, and must not surface as unhandled
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `probe` until it returns a value other than undefined, or the deadline passes
 * (undefined then). A probe that throws counts as "not yet"; one still running at the
 * deadline is not waited for, so the poll ends by its bound whatever the probe does.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined> | T | undefined, deadline: Deadline): Promise<T | undefined> {
  for (;;) {
    let value: T | undefined;
    try {
      const answer = await within(Promise.resolve().then(probe), deadline.left());
      value = answer === LATE ? undefined : answer;
    } catch {
      value = undefined;
    }
    if (value !== undefined) return value;
    if (deadline.passed()) return undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, deadline.left())));
  }
}
