// The arbbot command line: global options, one file per command group, and one place mapping errors to exit codes.
import { Command, CommanderError } from 'commander';
import { registerArbCommand } from './commands/arb-command.js';
import { registerArchiveCommand } from './commands/archive-command.js';
import { registerCheckCommands } from './commands/check-commands.js';
import { registerLedgerCommands } from './commands/ledger-commands.js';
import { registerNotifyCommand } from './commands/notify-command.js';
import { registerOpenCommand } from './commands/open-command.js';
import { registerPairsCommand } from './commands/pairs-command.js';
import { registerPositionCommands } from './commands/position-commands.js';
import { registerReportCommand } from './commands/report-command.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerStatusCommand } from './commands/status-command.js';
import { registerTradeCommands } from './commands/trade-commands.js';
import { registerVenuesCommand } from './commands/venues-command.js';
import { CommandContext } from './context.js';
import { addExamples } from './help-examples.js';
import { assertOptionsOnce } from './parse.js';
import { EXIT, errorLine, errorName, exitCodeFor, withLedgerFile } from './errors.js';
import { safeJson, safeLine, writeErrorReport } from './output.js';

/** Builds the program; what commander writes to stderr (its usage errors) goes to `writeErr`, to be reported as ours are. */
export function buildProgram(writeErr: (text: string) => void = (text) => process.stderr.write(text)): Command {
  const program = new Command('arbbot')
    .description('Cross-venue prediction-market arbitrage and TP/SL positions on a provable SQLite ledger')
    .version('0.1.0')
    .option('--db <path>', 'SQLite ledger file (env ARBBOT_DB, config "db", default ./arbbot.db)')
    .option('--config <path>', 'config file (default ./arbbot.config.json when present, else built-in paper defaults)')
    .option('--json', 'machine-readable JSON on stdout')
    .option('--no-color', 'no colours')
    .option('--verbose', 'more detail on stderr')
    .showHelpAfterError('(run arbbot --help for usage)')
    .configureOutput({ writeErr })
    .exitOverride();
  registerRunCommand(program);
  registerArbCommand(program);
  registerOpenCommand(program);
  registerPositionCommands(program);
  registerReportCommand(program);
  registerTradeCommands(program);
  registerLedgerCommands(program);
  registerCheckCommands(program);
  registerStatusCommand(program);
  registerArchiveCommand(program);
  registerVenuesCommand(program);
  registerPairsCommand(program);
  registerNotifyCommand(program);
  for (const command of program.commands) command.exitOverride().showHelpAfterError(`(run arbbot ${command.name()} --help for usage)`);
  addExamples(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const json = wantsJson(argv);
  reportCrashesSafely(json);
  stopQuietlyWhenTheReaderGoes();
  const usage: string[] = [];
  const program = buildProgram((text) => usage.push(text));
  program.hook('preAction', (root, command) => assertOptionsOnce(argv.slice(2), [...root.options, ...command.options]));
  try {
    await program.parseAsync(argv as string[]);
    return CommandContext.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      reportUsage(error, usage.join(''), json);
      return exitCodeFor(error);
    }
    const named = withLedgerFile(error, CommandContext.ledgerFile);
    report(named, json);
    return exitCodeFor(named);
  } finally {
    CommandContext.closeAll();
  }
}

/** --json anywhere among the options (before a `--`): errors are then JSON too, even those found while parsing. */
function wantsJson(argv: readonly string[]): boolean {
  const options = argv.slice(2);
  const end = options.indexOf('--');
  return (end === -1 ? options : options.slice(0, end)).includes('--json');
}

/**
 * One line, and the stack for a bug or under --verbose, through the same scrubber and terminal filter as all output;
 * with --json, one JSON object on stderr: {"error":{"code","exitCode","message"}} (and "stack" where the line has one).
 */
function report(error: unknown, json: boolean): void {
  const exitCode = exitCodeFor(error);
  const withStack = exitCode === EXIT.bug || process.argv.includes('--verbose');
  const stack = withStack && error instanceof Error ? (error.stack ?? null) : null;
  if (json) writeJsonError(exitCode, errorLine(error).replace(/^arbbot: /, ''), stack);
  else writeErrorReport(errorLine(error), stack);
}

/**
 * Commander's usage errors in our one-line style ("arbbot: unknown option '--x' (run arbbot open --help for usage)").
 * Help asked for by an error (arbbot with no command) is printed as commander wrote it: it is the answer.
 */
function reportUsage(error: CommanderError, written: string, json: boolean): void {
  if (error.exitCode === 0) return;
  const exitCode = exitCodeFor(error);
  if (error.code === 'commander.help') {
    if (json) writeJsonError(exitCode, 'a command is needed (arbbot --help lists them)', null);
    else process.stderr.write(written.split('\n').map((line) => safeLine(line)).join('\n'));
    return;
  }
  const lines = written.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  const message = (lines[0] ?? error.message).replace(/^error: /, '');
  if (json) writeJsonError(exitCode, message, null);
  else process.stderr.write(`${safeLine(['arbbot:', message, ...lines.slice(1)].join(' '))}\n`);
}

function writeJsonError(exitCode: number, message: string, stack: string | null): void {
  const error = { code: errorName(exitCode), exitCode, message, ...(stack === null ? {} : { stack }) };
  process.stderr.write(`${safeJson({ error })}\n`);
}

/**
 * A reader that goes away (`arbbot positions | head`) is not an error: the command stops without a word, like any
 * Unix tool on SIGPIPE. The engine is stopped as Ctrl-C stops it, between two events, so its books close cleanly.
 */
let pipeWatchInstalled = false;

function stopQuietlyWhenTheReaderGoes(): void {
  if (pipeWatchInstalled) return;
  pipeWatchInstalled = true;
  let closing = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
      if (closing) return;
      closing = true;
      if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM');
      else process.exit(EXIT.ok);
    });
  }
}

/**
 * An exception nothing caught would otherwise be printed by Node itself, secrets and escape sequences included:
 * reported here instead, and the process ends as for any bug.
 */
let crashReportsInstalled = false;

function reportCrashesSafely(json: boolean): void {
  if (crashReportsInstalled) return;
  crashReportsInstalled = true;
  const crash = (error: unknown) => {
    report(error, json);
    process.exit(EXIT.bug);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}
