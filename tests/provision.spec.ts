/** lib/connect/provision.ts: the browser the suites need, provisioned on a fresh machine, or one line saying why not. */
import { test, expect } from '@playwright/test';
import { provisionChromium, type ProvisionSteps } from '../lib/connect/provision';

/** A machine whose Chromium appears once the step named `installs` has run; each step answers as `answers` says. */
function machine(installs: 'playwright' | 'debian' | 'none', answers: Partial<Record<'playwright' | 'debian', string>> = {}, present = false) {
  let installed = present;
  const ran: string[] = [];
  const step = (name: 'playwright' | 'debian') => async () => {
    ran.push(name);
    if (answers[name] !== undefined) return answers[name];
    if (installs === name) installed = true;
    return undefined;
  };
  const steps: ProvisionSteps = { missing: () => (installed ? undefined : 'no Chromium'), playwright: step('playwright'), debian: step('debian') };
  return { steps, ran };
}

test('a machine with Chromium: nothing is installed', async () => {
  const { steps, ran } = machine('none', {}, true);
  expect(await provisionChromium(steps)).toEqual({ ok: true, how: 'already installed' });
  expect(ran).toEqual([]);
});

test('Playwright\'s download host reachable: its download, and apt is not touched', async () => {
  const { steps, ran } = machine('playwright');
  expect(await provisionChromium(steps)).toEqual({ ok: true, how: 'Playwright\'s download (playwright install chromium)' });
  expect(ran).toEqual(['playwright']);
});

test('no download host (as on our machines): Debian\'s package', async () => {
  const { steps, ran } = machine('debian', { playwright: 'exit 1 (Error: getaddrinfo ENOTFOUND cdn.playwright.dev)' });
  expect(await provisionChromium(steps)).toEqual({ ok: true, how: 'Debian\'s package (apt-get install chromium)' });
  expect(ran).toEqual(['playwright', 'debian']);
});

test('neither: one line naming what was tried and why each failed', async () => {
  const { steps } = machine('none', { playwright: 'exit 1 (ENOTFOUND)', debian: 'needs root' });
  expect(await provisionChromium(steps)).toEqual({
    ok: false,
    line: 'No Chromium for the browser suites, and none could be installed. Tried Playwright\'s download (playwright install chromium): exit 1 (ENOTFOUND); Debian\'s package (apt-get install chromium): needs root. Install one (apt-get install chromium, or npx playwright install chromium where its download host is reachable) and run again.',
  });
});

test('a step that exits 0 without leaving a Chromium counts as failed, and says so', async () => {
  const { steps } = machine('none');
  const result = await provisionChromium(steps);
  expect(result.ok).toBe(false);
  expect(result.ok ? '' : result.line).toContain('Playwright\'s download (playwright install chromium): finished, but no Chromium');
});
