/**
 * Outcomes: every judgement a test makes, recorded as data at the moment it is made (a check
 * passing or failing, a SHOULD warning, a skip with its reason, a harness error), carried from
 * the workers to the commands as one JSON attachment per test in Playwright's report. The
 * verdict module (lib/judgement/verdict.ts) judges a run from these records and nothing else: no command
 * reads a failure message to learn which requirement broke.
 */
import type { HarnessErrorKind } from '../config/errors';
import type { RequirementId } from '../contract/requirements';

export type OutcomeResult = 'pass' | 'fail' | 'warn' | 'skip' | 'error';

export interface Outcome {
  result: OutcomeResult;
  /** The requirement judged; absent on a harness error that judged nothing. */
  requirement?: RequirementId;
  /** What a person reads: the formatted failure, the skip reason, the error. Redacted. */
  message: string;
  expected?: string;
  received?: string;
  /** The exchange the judgement is about, redacted. */
  exchange?: string;
  /** On an `error`: what the suite did wrong. */
  harness?: HarnessErrorKind;
}

/** Answers a test received: how many, and those that no API gives (a 404 page, HTML), by signature. */
export interface AnswerTally {
  total: number;
  nonApi: Record<string, number>;
}

/** The attachment a test's outcome recorder writes. */
export interface RecordedTest {
  outcomes: Outcome[];
  answers: AnswerTally;
}

export const OUTCOMES_ATTACHMENT = 'billerapi-outcomes.json';
export const OUTCOMES_CONTENT_TYPE = 'application/vnd.billerapi.outcomes+json';

/** Playwright's final status of a test. */
export type TestStatus = 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';

export interface TestRecord {
  title: string;
  file: string;
  /** The Playwright project that ran it. */
  project?: string;
  /** The requirements the test cites (its tags). */
  cites: RequirementId[];
  status: TestStatus;
  outcomes: Outcome[];
  answers: AnswerTally;
  /** Redacted request/response logs. */
  evidence: string[];
}

export const runProfiles = ['conformance', 'gate', 'certify'] as const;
export type RunProfile = (typeof runProfiles)[number];

/** What the run was, written by the global setup: the target it actually hit, not the one a command guessed. */
export interface RunMeta {
  environment: string;
  /** The base URL every request went to (the embedded reference's own, when local). */
  baseUrl: string;
  /** Whether the target was the reference the run started itself. */
  embeddedReference: boolean;
  profile: RunProfile;
  readOnly: boolean;
  /** Faults of an embedded reference. */
  faults: string[];
  /** Variations of an embedded reference. */
  variations: string[];
  /** The conditions the observing sandbox of a client certification injected (lib/integrations/sandbox.ts). */
  scenario?: string;
  startedAt: string;
}

export interface RunRecord {
  meta: RunMeta | undefined;
  tests: TestRecord[];
  /** Errors outside any test (the global setup), first line each. */
  runErrors: string[];
  startedAt?: string;
  durationMs?: number;
}

export const emptyTally = (): AnswerTally => ({ total: 0, nonApi: {} });

const ANSI = /\u001b\[[0-9;]*m/g;

/** Text without terminal colours (Playwright's messages, a tool's coloured output). */
export const withoutColours = (text: string): string => text.replace(ANSI, '');

/** The first line of an error message as Playwright holds it, without terminal colours. */
export const plainFirstLine = (text: unknown): string => withoutColours(String(text ?? '')).split('\n')[0];

/** Statuses and content types a BillerAPI answer never has with a non-JSON body: a wrong path, a proxy, a login page. */
const NON_API_STATUSES = new Set([404, 405, 501, 502, 503, 504]);

/** The answer's signature when it is not one an API gives (`404 text/plain`), else undefined. */
export function nonApiSignature(status: number, contentType: string | undefined, bodyIsJson: boolean): string | undefined {
  if (bodyIsJson) return undefined;
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase() || 'no content type';
  if (media === 'text/html' || NON_API_STATUSES.has(status) || (status >= 300 && status < 400)) return `${status} ${media}`;
  return undefined;
}

export interface ClosingInput {
  cites: readonly RequirementId[];
  status: TestStatus;
  recorded: readonly Outcome[];
  /** Errors Playwright holds for the test, first line each (soft check failures included). */
  errors: readonly string[];
  /** How many of those errors are soft check failures the recorder itself raised. */
  softFailures: number;
  /** Whether the body stopped on a judgement the recorder holds (a precondition, a harness error). */
  stoppedOnRecord: boolean;
  skipReason?: string;
}

/**
 * The outcomes a test's end adds: a pass for each cited requirement the completed test did not
 * fail or warn; a skip for each cited requirement of a skipped test; a `no-judgement` error when
 * the test stopped for a reason nothing recorded (a timeout, an exception). A test that stopped
 * early passes nothing: its requirements stay unjudged unless another test judges them.
 */
export function closingOutcomes(input: ClosingInput): Outcome[] {
  const judged = (id: RequirementId) => input.recorded.some((o) => o.requirement === id && o.result !== 'pass');
  if (input.status === 'skipped') {
    const message = input.skipReason ?? 'skipped';
    return input.cites.filter((id) => !judged(id)).map((requirement) => ({ result: 'skip', requirement, message }));
  }
  const completed = !input.stoppedOnRecord && (input.status === 'passed' || (input.status === 'failed' && input.errors.length <= input.softFailures));
  if (completed) return input.cites.filter((id) => !judged(id)).map((requirement) => ({ result: 'pass', requirement, message: 'no check of the test found a violation' }));
  if (input.stoppedOnRecord) return [];
  const cause = input.errors.slice(input.softFailures)[0] ?? (input.status === 'timedOut' ? 'the test timed out' : `the test ended ${input.status}`);
  return [{ result: 'error', harness: 'no-judgement', message: `The test stopped before judging ${input.cites.join(', ') || 'anything'}: ${cause}` }];
}

/** One test's judgements as they are made; the fixtures attach them when the test ends. */
export class OutcomeRecorder {
  readonly outcomes: Outcome[] = [];
  readonly answers: AnswerTally = emptyTally();
  /** Soft check failures raised in Playwright for this test (each one of its errors). */
  softFailures = 0;
  /** Set when the test stops on something recorded here (a failed precondition, a harness error). */
  stoppedOnRecord = false;

  record(outcome: Outcome): void {
    this.outcomes.push(outcome);
  }

  /** Counts an answer, by its non-API signature when it has one. */
  answer(status: number, contentType: string | undefined, bodyIsJson: boolean): void {
    this.answers.total += 1;
    const signature = nonApiSignature(status, contentType, bodyIsJson);
    if (signature) this.answers.nonApi[signature] = (this.answers.nonApi[signature] ?? 0) + 1;
  }

  /** What the attachment holds once the test has ended. */
  close(input: Omit<ClosingInput, 'recorded' | 'softFailures' | 'stoppedOnRecord'>): RecordedTest {
    const closing = closingOutcomes({ ...input, recorded: this.outcomes, softFailures: this.softFailures, stoppedOnRecord: this.stoppedOnRecord });
    return { outcomes: [...this.outcomes, ...closing], answers: this.answers };
  }
}
