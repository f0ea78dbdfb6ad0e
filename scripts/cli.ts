/**
 * `billerapi-conformance <command> [options]`, the suite's one command line (bin/ runs it
 * through tsx; `npm run conformance`, `gate`, … are aliases of its subcommands). Each
 * subcommand is defined in its own file with its options; `--help` describes them all.
 */
import { benchCommand } from './bench';
import { browserCommand } from './browser';
import { certifyCommand } from './certify';
import { keygenCommand } from './certify-keygen';
import { verifyCommand } from './certify-verify';
import { conformanceCommand } from './conformance';
import { gateCommand } from './gate';
import { landingPageCommand } from './landing-page';
import { observeCommand } from './observe';
import { receiverCommand } from './receiver';
import { referenceCommand } from './reference';
import { selfTestCommand } from './self-test';
import { exitWith, runProgram, type Subcommand } from './subcommand';

/** Every subcommand, in the order `--help` lists them. */
export const subcommands: readonly Subcommand[] = [
  conformanceCommand,
  gateCommand,
  certifyCommand,
  verifyCommand,
  keygenCommand,
  selfTestCommand,
  benchCommand,
  referenceCommand,
  landingPageCommand,
  browserCommand,
  receiverCommand,
  observeCommand,
];

/** Runs the command line `argv` and exits with its code (unless it keeps serving). */
export function main(argv: readonly string[] = process.argv.slice(2)): void {
  exitWith(runProgram(subcommands, argv));
}

if (require.main === module) main();
