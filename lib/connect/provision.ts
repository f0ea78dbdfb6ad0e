/**
 * Provisions the Chromium the browser suites need, so that the README's two commands work on a
 * fresh machine by themselves: nothing when one is there; else Playwright's own download
 * (`playwright install chromium`, with its system libraries when we are root) where its
 * download host is reachable; else Debian's package (`apt-get install chromium`) where apt and
 * root are at hand; else one line saying what was tried and why each failed.
 */
import { spawn } from 'node:child_process';
import { chromiumMissing } from './browser';

/** One way to get a Chromium: undefined when it worked, else why not. */
export type ProvisionStep = () => Promise<string | undefined>;

export interface ProvisionSteps {
  /** Why no Chromium can be launched now, or undefined when one can. */
  missing(): string | undefined;
  playwright: ProvisionStep;
  debian: ProvisionStep;
}

export type Provisioned = { ok: true; how: string } | { ok: false; line: string };

/** Tries each way in turn until a Chromium can be launched; pure over its steps. */
export async function provisionChromium(steps: ProvisionSteps): Promise<Provisioned> {
  if (steps.missing() === undefined) return { ok: true, how: 'already installed' };
  const tried: string[] = [];
  for (const [name, step] of [['Playwright\'s download (playwright install chromium)', steps.playwright], ['Debian\'s package (apt-get install chromium)', steps.debian]] as const) {
    const failure = await step();
    const still = failure ?? steps.missing();
    if (still === undefined) return { ok: true, how: name };
    tried.push(`${name}: ${failure ?? `finished, but ${still}`}`);
  }
  return { ok: false, line: `No Chromium for the browser suites, and none could be installed. Tried ${tried.join('; ')}. Install one (apt-get install chromium, or npx playwright install chromium where its download host is reachable) and run again.` };
}

/** Runs a command to its end within `timeoutMs`; undefined on exit 0, else its last line of output. */
function command(file: string, args: readonly string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-2_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = output.trim().split('\n').filter(Boolean).at(-1)?.trim() ?? '';
      resolve(code === 0 ? undefined : signal ? `stopped after ${timeoutMs / 1000} s` : `exit ${code}${last ? ` (${last.slice(0, 160)})` : ''}`);
    });
  });
}

const INSTALL_TIMEOUT_MS = 5 * 60_000;
const isRoot = () => process.getuid?.() === 0;

/** The steps on this machine. */
export function machineSteps(): ProvisionSteps {
  // Wherever npm put it: the clone's node_modules, or beside the installed package.
  const playwrightCli = require.resolve('@playwright/test/cli');
  return {
    missing: chromiumMissing,
    playwright: () => command(process.execPath, [playwrightCli, 'install', ...(isRoot() ? ['--with-deps'] : []), 'chromium'], INSTALL_TIMEOUT_MS),
    debian: async () => {
      if (!isRoot()) return 'needs root';
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      return (await command('apt-get', ['update', '-qq'], INSTALL_TIMEOUT_MS, env)) ?? command('apt-get', ['install', '-y', '-qq', 'chromium'], INSTALL_TIMEOUT_MS, env);
    },
  };
}
