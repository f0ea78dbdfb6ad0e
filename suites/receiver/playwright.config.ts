/**
 * The webhook receiver certification (scripts/receiver.ts runs it): the RECV-* checks against a
 * partner's receiver, whose URL and secret the command hands over in BILLERAPI_RECEIVER_URL and
 * BILLERAPI_WEBHOOK_SECRET. Reports go to reports/receiver/ (or BILLERAPI_REPORTS_DIR), in the
 * shape of a conformance run's: results.json for the verdict module, and Playwright's HTML.
 */
import { join, resolve } from 'node:path';
import { defineConfig } from '@playwright/test';
import { userRoot } from '../../lib/config/env';
import { ANSWER_TIMEOUT_MS, RECEIVER_REPORTS_DIR, receiverChecks } from '../../lib/integrations/receiver';

const reports = resolve(userRoot(), process.env.BILLERAPI_REPORTS_DIR || RECEIVER_REPORTS_DIR);

export default defineConfig({
  testDir: __dirname,
  testMatch: 'receiver.spec.ts',
  forbidOnly: true,
  retries: 0,
  // Every delivery of the longest check unanswered (each refused case comes after its control), and a margin.
  timeout: Math.max(...receiverChecks.map((c) => c.cases.length)) * 2 * ANSWER_TIMEOUT_MS + 10_000,
  // One worker, the checks in order: a partner's receiver sees one delivery at a time. (A failed
  // check costs a worker restart, about a second: more workers buy little on a small machine.)
  workers: 1,
  fullyParallel: false,
  outputDir: join(reports, 'test-results'),
  reporter: [
    ['list'],
    ['html', { outputFolder: join(reports, 'html'), open: 'never' }],
    ['json', { outputFile: join(reports, 'results.json') }],
  ],
  use: { trace: 'off' },
});
