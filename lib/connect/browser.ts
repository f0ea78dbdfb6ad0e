/**
 * Which Chromium the browser suites launch: Debian's (/usr/bin/chromium, `apt-get install
 * chromium`), since Playwright cannot download its own here, or Playwright's own where a user
 * has installed it (`npx playwright install chromium`).
 */
import { existsSync } from 'node:fs';
import { chromium, type LaunchOptions } from '@playwright/test';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const HEADLESS_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function chromiumLaunchOptions(): LaunchOptions {
  return existsSync(DEBIAN_CHROMIUM)
    ? { executablePath: DEBIAN_CHROMIUM, headless: true, args: HEADLESS_FLAGS }
    : { headless: true, args: HEADLESS_FLAGS };
}

/** Whether some Chromium can be launched; the reason when not. */
export function chromiumMissing(): string | undefined {
  if (existsSync(DEBIAN_CHROMIUM)) return undefined;
  return existsSync(chromium.executablePath()) ? undefined : `no Chromium: install Debian's (apt-get install chromium) or Playwright's (npx playwright install chromium)`;
}
