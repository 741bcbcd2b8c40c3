// `arbbot venues check [name]`: connectivity and credentials for each configured venue, with its balance next to the
// ledger's. Exit 0 when every venue answered; otherwise the first failure's exit code (2 credentials, 3 unreachable).
import type { Command } from 'commander';
import { InputError, VenueUnavailableError } from '../../domain/errors.js';
import { formatMicros, formatUsd } from '../../domain/money.js';
import { CommandContext } from '../context.js';
import { EXIT, exitCodeFor } from '../errors.js';

const CHECK_TIMEOUT_MS = 15_000;

interface VenueCheck {
  venue: string;
  type: string;
  ok: boolean;
  venueBalanceMicros: number | null;
  ledgerTotalMicros: number | null;
  error: string | null;
  exitCode: number;
}

const money = (value: number | null) => (value === null ? null : formatMicros(value));

export function registerVenuesCommand(program: Command): void {
  const venues = program.command('venues').description('configured venues');
  venues
    .command('check')
    .description('verify connectivity and credentials and print balances')
    .argument('[name]', 'only this venue')
    .action(async (name: string | undefined, _options: unknown, command: Command) => {
      const ctx = CommandContext.from(command);
      const config = ctx.config;
      if (name !== undefined && !config.venues.has(name)) throw new InputError(`unknown venue "${name}"`);
      const ledger = ctx.openLedger();
      const set = await ctx.openVenues();
      const checks: VenueCheck[] = [];
      try {
        for (const [venueName, venue] of set.venues) {
          if (name !== undefined && venueName !== name) continue;
          const type = config.venues.get(venueName)?.type ?? 'paper';
          const ledgerTotal = ledger.getWallet(venueName)?.total ?? null;
          try {
            const balance = await withTimeout(venue.getBalance(), CHECK_TIMEOUT_MS, `${venueName}: no answer within ${CHECK_TIMEOUT_MS} ms`);
            checks.push({ venue: venueName, type, ok: true, venueBalanceMicros: balance.total, ledgerTotalMicros: ledgerTotal, error: null, exitCode: 0 });
          } catch (error) {
            checks.push({ venue: venueName, type, ok: false, venueBalanceMicros: null, ledgerTotalMicros: ledgerTotal, error: (error as Error).message, exitCode: checkExitCode(error) });
          }
        }
      } finally {
        await set.close();
      }
      if (ctx.out.json) {
        ctx.out.printJson({
          venues: checks.map(({ venueBalanceMicros, ledgerTotalMicros, ...rest }) => ({ ...rest, venueBalance: money(venueBalanceMicros), ledgerTotal: money(ledgerTotalMicros) })),
        });
      }
      else {
        ctx.out.table(
          ['venue', 'type', 'status', 'venue balance', 'ledger total'],
          checks.map((c) => [c.venue, c.type, c.ok ? ctx.out.role.success('ok') : ctx.out.role.error(c.error ?? 'failed'), c.venueBalanceMicros === null ? '-' : formatUsd(c.venueBalanceMicros), c.ledgerTotalMicros === null ? '-' : formatUsd(c.ledgerTotalMicros)]),
        );
      }
      process.exitCode = checks.find((c) => !c.ok)?.exitCode ?? 0;
    });
}

/** 2 for credentials or a refusal (cli/errors.ts maps venue refusals to 2), 3 for anything else. */
function checkExitCode(error: unknown): number {
  const exitCode = exitCodeFor(error);
  return exitCode === EXIT.bug ? EXIT.operational : exitCode;
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new VenueUnavailableError(message)), timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}
