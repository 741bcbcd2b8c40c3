// The arbbot command line: global options, one file per command group, and one place mapping errors to exit codes.
import { Command, CommanderError } from 'commander';
import { registerArbCommand } from './commands/arb-command.js';
import { registerCheckCommands } from './commands/check-commands.js';
import { registerLedgerCommands } from './commands/ledger-commands.js';
import { registerOpenCommand } from './commands/open-command.js';
import { registerPositionCommands } from './commands/position-commands.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerTradeCommands } from './commands/trade-commands.js';
import { registerVenuesCommand } from './commands/venues-command.js';
import { CommandContext } from './context.js';
import { EXIT, errorLine, exitCodeFor } from './errors.js';
import { safeLine, writeErrorReport } from './output.js';

export function buildProgram(): Command {
  const program = new Command('arbbot')
    .description('Cross-venue prediction-market arbitrage and TP/SL positions on a provable SQLite ledger')
    .version('0.1.0')
    .option('--db <path>', 'SQLite ledger file (env ARBBOT_DB, config "db", default ./arbbot.db)')
    .option('--config <path>', 'config file (default ./arbbot.config.json when present, else built-in paper defaults)')
    .option('--json', 'machine-readable JSON on stdout')
    .option('--no-color', 'no colours')
    .option('--verbose', 'more detail on stderr')
    .showHelpAfterError('(run arbbot --help for usage)')
    // Commander's messages quote what was typed (an unknown option, a bad argument): written as every other line is.
    .configureOutput({ writeErr: (text) => process.stderr.write(text.split('\n').map(safeLine).join('\n')) })
    .exitOverride();
  registerRunCommand(program);
  registerArbCommand(program);
  registerOpenCommand(program);
  registerPositionCommands(program);
  registerTradeCommands(program);
  registerLedgerCommands(program);
  registerCheckCommands(program);
  registerVenuesCommand(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  reportCrashesSafely();
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return CommandContext.exitCode;
  } catch (error) {
    // Commander already printed its own usage message.
    if (!(error instanceof CommanderError)) report(error);
    return exitCodeFor(error);
  } finally {
    CommandContext.closeAll();
  }
}

/** One line, and the stack for a bug or under --verbose: through the same scrubber and terminal filter as all output. */
function report(error: unknown): void {
  const withStack = exitCodeFor(error) === EXIT.bug || process.argv.includes('--verbose');
  writeErrorReport(errorLine(error), withStack && error instanceof Error ? (error.stack ?? null) : null);
}

/**
 * An exception nothing caught would otherwise be printed by Node itself, secrets and escape sequences included:
 * reported here instead, and the process ends as for any bug.
 */
let crashReportsInstalled = false;

function reportCrashesSafely(): void {
  if (crashReportsInstalled) return;
  crashReportsInstalled = true;
  const crash = (error: unknown) => {
    report(error);
    process.exit(EXIT.bug);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}
