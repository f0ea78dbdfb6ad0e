/**
 * The machinery of `billerapi-conformance` (scripts/cli.ts), on commander: a subcommand is
 * defined once, with its options, and runs the same from the program and from its own script
 * file (`tsx scripts/gate.ts …` is `billerapi-conformance gate …`). Every value option is
 * spelled `--flag value` or `--flag=value`; a switch takes no value; what follows `--` is passed
 * on (to Playwright) by the subcommands that say so. A problem with the command line (an unknown
 * option or command, a missing or bad value) ends the command with one line on stderr and exit
 * 2 (ExitCode.configuration); `--help` prints the generated help and exits 0.
 */
import { Command, CommanderError, Option, type Argument } from 'commander';
import { ConfigError, ExitCode } from '../lib/config/errors';
import { redact } from '../lib/transport/redact';

const PROGRAM = 'billerapi-conformance';

/** A subcommand keeps the process running (the reference server) instead of ending with an exit code. */
export const SERVING = 'serving';
type Outcome = number | typeof SERVING;

export interface Subcommand<O extends object = object> {
  /** What follows `billerapi-conformance`. */
  name: string;
  /** The prefix of its output lines (`gate: PASS`) and of its error line. */
  label: string;
  /** Its line in the program's help. */
  summary: string;
  /** The first paragraph of its own help: what it does and its exit codes (default: the summary). */
  description?: string;
  options: () => Option[];
  arguments?: () => Argument[];
  /** How its usage shows what it passes on after `--`; without it, nothing may follow `--`. */
  passesOn?: string;
  /** Resolves with its exit code. */
  run(options: O, args: string[], passedOn: string[]): Promise<Outcome>;
  /** Its exit code when it fails otherwise than on its configuration. */
  crashExit: number;
}

/** A problem with the command line itself: its line ends with where the help is. */
class UsageError extends ConfigError {}

interface ValueConstraints<T> {
  /** Checks and converts the value; what it throws is the command's one error line. Default: the text as given. */
  parse?: (value: string, previous: T | undefined) => T;
  /** An empty value (`--out ''`, `--out=`) counts as a missing one (default: false, for lists that may be empty). */
  refuseEmpty?: boolean;
}

/** An option that takes a value; a value that is itself a flag (`--ca --allow-insecure-http`) means the value was forgotten. */
export function valueOption<T = string>(flags: string, description: string, { parse, refuseEmpty = false }: ValueConstraints<T> = {}): Option {
  const option = new Option(flags, description);
  const check = parse ?? ((value: string) => value as T);
  return option.argParser((value: string, previous: T | undefined) => {
    if (value.startsWith('--') || (refuseEmpty && value === '')) throw new UsageError(`${option.long} needs a value`);
    try {
      return check(value, previous);
    } catch (error) {
      throw error instanceof ConfigError ? error : new ConfigError(messageOf(error));
    }
  });
}

/** A value option naming a file or folder: it cannot be empty. */
export const pathOption = (flags: string, description: string): Option => valueOption(flags, description, { refuseEmpty: true });

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** An option `command` does not know; a switch given a value (`--tls=yes`) is known, and takes none. */
function unknownOptionProblem(flag: string, command: Command, didYouMean = ''): string {
  const [name, ...value] = flag.split('=');
  const isSwitch = command.options.some((o) => o.long === name && o.isBoolean());
  return value.length > 0 && isSwitch ? `${name} takes no value` : `Unknown option ${flag}${didYouMean}`;
}

/** Commander's error as the problem it names, from commander's own wording (`error: unknown option '--x'`). */
function problemOf(error: CommanderError, command: Command): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  const suggestion = /\(Did you mean (.+)\?\)/.exec(error.message)?.[1];
  const didYouMean = suggestion ? ` (did you mean ${suggestion}?)` : '';
  switch (error.code) {
    case 'commander.unknownOption':
      return unknownOptionProblem(quoted, command, didYouMean);
    case 'commander.missingMandatoryOptionValue': {
      // Commander checks required options before unknown ones, but a mistyped required option is the problem to name.
      const unknownFlag = command.args.find((arg) => arg.startsWith('-'));
      return unknownFlag ? unknownOptionProblem(unknownFlag, command) : `${quoted} is required`;
    }
    case 'commander.optionMissingArgument':
      return `${command.options.find((o) => o.flags === quoted)?.long ?? quoted} needs a value`;
    case 'commander.missingArgument':
      return `Missing argument <${quoted}>`;
    case 'commander.excessArguments':
      return `Unexpected argument ${command.args[command.registeredArguments.length]}`;
    case 'commander.unknownCommand':
      return `Unknown command ${quoted}${didYouMean}`;
    case 'commander.help': // No command, or `help` with an unknown one.
      return command.args.length > 1 ? `Unknown command ${command.args.at(-1)}` : `Missing command: one of ${command.commands.map((c) => c.name()).join(', ')}`;
    default:
      return error.message.replace(/^error: /, '').split('\n')[0];
  }
}

/** A command that throws its errors instead of printing them and exiting; help (exit 0) still prints. */
function throwing(command: Command): Command {
  return command
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .exitOverride((error) => {
      throw error.exitCode === 0 ? error : new UsageError(problemOf(error, command));
    });
}

function commandOf(sub: Subcommand): Command {
  const command = throwing(new Command(sub.name)).summary(sub.summary).description(sub.description ?? sub.summary);
  for (const option of sub.options()) command.addOption(option);
  for (const argument of sub.arguments?.() ?? []) command.addArgument(argument);
  if (sub.passesOn) command.usage(`[options] [-- ${sub.passesOn}]`);
  return command;
}

/** The command line before the first `--`, and what follows it. */
function splitAtDoubleDash(argv: readonly string[]): { own: string[]; passedOn: string[] } {
  const at = argv.indexOf('--');
  return at === -1 ? { own: [...argv], passedOn: [] } : { own: argv.slice(0, at), passedOn: argv.slice(at + 1) };
}

function refuseUnexpectedPassedOn(sub: Subcommand, passedOn: readonly string[]): void {
  if (passedOn.length > 0 && !sub.passesOn) throw new UsageError(`Unexpected argument ${passedOn[0]} after --: ${sub.name} passes nothing on`);
}

/** A usage problem as a configuration error whose message ends with where the help is; any other error as it is. */
function withHelpHint(error: unknown, sub: Subcommand | undefined): unknown {
  if (!(error instanceof UsageError)) return error;
  return new ConfigError(`${error.message}. See ${sub ? `${PROGRAM} ${sub.name}` : PROGRAM} --help.`);
}

export interface ParsedCommandLine<O> {
  options: O;
  args: string[];
  passedOn: string[];
}

/** `argv` as `sub` reads it, without running it; a problem throws the ConfigError of its one line. */
export function parseCommandLine<O extends object>(sub: Subcommand<O>, argv: readonly string[]): ParsedCommandLine<O> {
  const { own, passedOn } = splitAtDoubleDash(argv);
  const command = commandOf(sub);
  try {
    refuseUnexpectedPassedOn(sub, passedOn);
    command.parse(own, { from: 'user' });
  } catch (error) {
    throw withHelpHint(error, sub);
  }
  return { options: command.opts() as O, args: command.processedArgs as string[], passedOn };
}

/**
 * Runs `argv` (`<subcommand> [options]`) as the program made of `subcommands`; resolves with the
 * exit code, after the one error line when there is one. Never rejects.
 */
export async function runProgram(subcommands: readonly Subcommand[], argv: readonly string[]): Promise<Outcome> {
  const { own, passedOn } = splitAtDoubleDash(argv);
  const chosen = subcommands.find((s) => s.name === own[0]);
  let outcome: Outcome = ExitCode.conformant;
  let acting = false;
  const program = throwing(new Command(PROGRAM)).description('The BillerAPI conformance suite: run it, gate a release, certify an implementation, serve the reference.');
  for (const sub of subcommands) {
    program.addCommand(commandOf(sub).action(async (...params: unknown[]) => {
      const command = params.at(-1) as Command;
      refuseUnexpectedPassedOn(sub, passedOn);
      acting = true;
      outcome = await sub.run(command.opts(), command.processedArgs as string[], passedOn);
    }));
  }
  try {
    await program.parseAsync(own, { from: 'user' });
    return outcome;
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return ExitCode.conformant;
    const shown = withHelpHint(error, chosen);
    console.error(`${chosen?.label ?? PROGRAM}: ${redact(messageOf(shown).split('\n')[0])}`);
    const crashed = acting && !(shown instanceof ConfigError);
    return crashed && chosen ? chosen.crashExit : ExitCode.configuration;
  }
}

/** Ends the process with the outcome's exit code, unless it keeps serving. */
export function exitWith(outcome: Promise<Outcome>): void {
  void outcome.then((code) => {
    if (code !== SERVING) process.exit(code);
  });
}

/** A subcommand's own script file run directly: `tsx scripts/gate.ts …` is `billerapi-conformance gate …`. */
export function runAsScript(sub: Subcommand): void {
  exitWith(runProgram([sub], [sub.name, ...process.argv.slice(2)]));
}
