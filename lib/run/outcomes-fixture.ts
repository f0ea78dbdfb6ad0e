/**
 * The fixture every suite records its judgements with, whatever it judges (the API suites, the
 * webhook receiver suite): `outcomes` records each judgement of a test as data
 * (lib/judgement/outcomes.ts) and attaches it when the test ends, for the verdict module.
 */
import { test as base } from '@playwright/test';
import { OUTCOMES_ATTACHMENT, OUTCOMES_CONTENT_TYPE, OutcomeRecorder, plainFirstLine, type TestStatus } from '../judgement/outcomes';
import { redact } from '../transport/redact';
import { requirementIdsIn } from '../contract/requirements';

/** First lines of a test's errors, as Playwright holds them. */
const errorLines = (errors: readonly { message?: string }[]) => errors.map((e) => redact(plainFirstLine(e.message)));

export const test = base.extend<{ outcomes: OutcomeRecorder }>({
  /** Every test records its outcomes, whether or not it judges anything. */
  outcomes: [
    async ({}, use, testInfo) => {
      const recorder = new OutcomeRecorder();
      await use(recorder);
      const recorded = recorder.close({
        cites: requirementIdsIn(testInfo.tags.join(' ')),
        status: testInfo.status as TestStatus,
        errors: errorLines(testInfo.errors),
        skipReason: testInfo.annotations.find((a) => a.type === 'skip')?.description,
      });
      await testInfo.attach(OUTCOMES_ATTACHMENT, { body: JSON.stringify(recorded), contentType: OUTCOMES_CONTENT_TYPE });
    },
    { auto: true },
  ],
});
