/**
 * The HTML report as a person sees it: opened in a real Chromium (Debian's), it lists every
 * test of the run with its requirement tags.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test, expect, chromium } from '@playwright/test';
import { runConformance } from './support/run';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const HEADLESS_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

test('reports/<env>/html/index.html renders every test with its requirement IDs in Chromium', { tag: '@runs' }, async () => {
  test.skip(!existsSync(DEBIAN_CHROMIUM) && !process.env.CI, 'Debian chromium is not installed (apt-get install chromium); CI installs it');
  const run = await runConformance(['--grep', '@AUTH-00[1-4]']);
  expect(run.code).toBe(0);
  const expected = run.result!.record.tests.length;
  expect(expected).toBeGreaterThan(4);

  const browser = await chromium.launch({ executablePath: DEBIAN_CHROMIUM, args: HEADLESS_FLAGS });
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(run.reportsDir, 'html', 'index.html')).href);
    const rows = page.locator('.test-file-test');
    await expect(rows).toHaveCount(expected);
    for (const id of ['AUTH-001', 'AUTH-002', 'AUTH-003', 'AUTH-004']) {
      await expect(rows.filter({ hasText: id }).first()).toBeVisible();
      await expect(page.getByText(id, { exact: true }).first()).toBeVisible();
    }
  } finally {
    await browser.close();
  }
});
