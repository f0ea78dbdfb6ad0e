/** Starts Stoplight Prism (mock or validating proxy) on a free loopback port, as one child process. */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { assertTaggedRuns, repoRoot } from './run';

const prismCli = join(repoRoot, 'node_modules/@stoplight/prism-cli/dist/index.js');
export const specPath = 'specs/billerapi.openapi.yaml';
const START_TIMEOUT_MS = 30_000;

export interface StartedPrism {
  url: string;
  /** Everything Prism has written so far (its log: requests, forwards, `Violation:` lines). */
  log(): string;
  stop(): Promise<void>;
}

/** A port the OS has just handed out on 127.0.0.1 (Prism has no `-p 0` that reports back). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * `prism mock <spec>` or `prism proxy <spec> <upstream>` (without `--errors`), started through
 * its JS entry so that the one PID we hold is the server; resolves once it accepts connections.
 */
export async function startPrism(args: ['mock'] | ['proxy', string]): Promise<StartedPrism> {
  assertTaggedRuns('Prism');
  const port = await freePort();
  const [command, ...rest] = args;
  const child = spawn(process.execPath, [prismCli, command, specPath, ...rest, '-p', String(port), '-h', '127.0.0.1'], {
    cwd: repoRoot,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prism ${command} exited ${child.exitCode}: ${out}`);
      if (Date.now() > deadline) throw new Error(`prism ${command} did not listen on ${url} within ${START_TIMEOUT_MS / 1000} s: ${out}`);
      // Any HTTP answer means it listens; a refused connection means not yet.
      const listening = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(() => true, () => false);
      if (listening) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, log: () => out, stop };
}
