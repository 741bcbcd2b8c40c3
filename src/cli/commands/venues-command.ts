// `arbbot venues check [name]`: connectivity and credentials for each configured venue, with its balance next to the
// ledger's, and each configured pair's markets as the venues describe them (so a person confirming a pair reads what
// each venue says, not what the config says). Exit 0 when every venue answered; otherwise the first failure's exit
// code (2 credentials or an unknown market, 3 unreachable).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError, VenueUnavailableError } from '../../domain/errors.js';
import { formatMicros, formatMicrosTrim, formatUsd } from '../../domain/money.js';
import type { PairConfig } from '../../config/config.js';
import type { Outcome } from '../../domain/market.js';
import type { MarketDescription, Venue } from '../../venues/venue.js';
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

interface LegCheck {
  readonly leg: 'a' | 'b';
  readonly venue: string;
  readonly market: string;
  readonly yesIs: Outcome;
  readonly description: MarketDescription | null;
  readonly error: string | null;
  readonly exitCode: number;
}

interface PairCheck {
  readonly pair: string;
  readonly confirmed: boolean;
  readonly legs: readonly LegCheck[];
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
      // A check of the venues, which a person runs before any ledger exists too: the ledger's totals are shown when
      // there is one, read only; none is created, nor the paper venue's books.
      const ledger = existsSync(ctx.dbPath) ? ctx.openLedgerToRead() : null;
      const set = await ctx.openVenues({ readonly: true });
      const checks: VenueCheck[] = [];
      let pairs: PairCheck[] = [];
      try {
        for (const [venueName, venue] of set.venues) {
          if (name !== undefined && venueName !== name) continue;
          const type = config.venues.get(venueName)?.type ?? 'paper';
          const ledgerTotal = ledger?.getWallet(venueName)?.total ?? null;
          try {
            const balance = await withTimeout(venue.getBalance(), CHECK_TIMEOUT_MS, `${venueName}: no answer within ${CHECK_TIMEOUT_MS} ms`);
            checks.push({ venue: venueName, type, ok: true, venueBalanceMicros: balance.total, ledgerTotalMicros: ledgerTotal, error: null, exitCode: 0 });
          } catch (error) {
            checks.push({ venue: venueName, type, ok: false, venueBalanceMicros: null, ledgerTotalMicros: ledgerTotal, error: (error as Error).message, exitCode: checkExitCode(error) });
          }
        }
        const answered = new Set(checks.filter((c) => c.ok).map((c) => c.venue));
        pairs = await describePairs([...config.pairs.values()].filter((pair) => answered.has(pair.a.venue) && answered.has(pair.b.venue)), set.venues);
      } finally {
        await set.close();
      }
      if (ctx.out.json) {
        ctx.out.printJson({
          venues: checks.map(({ venueBalanceMicros, ledgerTotalMicros, ...rest }) => ({ ...rest, venueBalance: money(venueBalanceMicros), ledgerTotal: money(ledgerTotalMicros) })),
          pairs: pairs.map((pair) => ({ ...pair, legs: pair.legs.map(legJson) })),
        });
      }
      else {
        ctx.out.table(
          ['venue', 'type', 'status', 'venue balance', 'ledger total'],
          checks.map((c) => [c.venue, c.type, c.ok ? ctx.out.role.success('ok') : ctx.out.role.error(c.error ?? 'failed'), c.venueBalanceMicros === null ? '-' : formatUsd(c.venueBalanceMicros), c.ledgerTotalMicros === null ? '-' : formatUsd(c.ledgerTotalMicros)]),
        );
        if (ledger === null) ctx.out.line(ctx.out.role.muted(`no ledger at ${ctx.dbPath}: no ledger totals to compare`));
        for (const pair of pairs) {
          ctx.out.line(`pair ${pair.pair}${pair.confirmed ? '' : ctx.out.role.warn(' (not confirmed)')}`);
          for (const leg of pair.legs) ctx.out.line(leg.error ? ctx.out.role.error(`  ${legHead(leg)}: ${leg.error}`) : `  ${legHead(leg)}: ${describeText(leg.description)}`);
        }
      }
      const failed = [...checks.filter((c) => !c.ok), ...pairs.flatMap((pair) => pair.legs.filter((leg) => leg.error !== null))];
      ctx.exitWith(failed[0]?.exitCode ?? EXIT.ok);
    });
}

/** Each leg's market as its venue describes it; a venue that cannot describe markets says so rather than guess. */
async function describePairs(pairs: readonly PairConfig[], venues: ReadonlyMap<string, Venue>): Promise<PairCheck[]> {
  const checks: PairCheck[] = [];
  for (const pair of pairs) {
    const legs: LegCheck[] = [];
    for (const [leg, spec] of [['a', pair.a], ['b', pair.b]] as const) {
      const base = { leg, venue: spec.venue, market: spec.market, yesIs: spec.yesIs };
      const venue = venues.get(spec.venue);
      // A venue whose adapter cannot describe markets is not a failed check: there is just nothing to show.
      if (!venue?.describeMarket) {
        legs.push({ ...base, description: null, error: null, exitCode: 0 });
        continue;
      }
      try {
        const description = await withTimeout(venue.describeMarket(spec.market), CHECK_TIMEOUT_MS, `${spec.venue}: no answer within ${CHECK_TIMEOUT_MS} ms`);
        legs.push({ ...base, description, error: null, exitCode: 0 });
      } catch (error) {
        legs.push({ ...base, description: null, error: (error as Error).message, exitCode: checkExitCode(error) });
      }
    }
    checks.push({ pair: pair.name, confirmed: pair.confirmed, legs });
  }
  return checks;
}

function legHead(leg: LegCheck): string {
  return `${leg.leg} ${leg.venue} ${leg.market}${leg.yesIs === 'no' ? ' (its NO is the pair\'s YES)' : ''}`;
}

/** "“Fed above 4.00%?”, closes 2026-12-10T19:00:00Z, tick $0.01, min 1 contract(s), neg-risk". */
function describeText(description: MarketDescription | null): string {
  if (!description) return 'the venue gives no description of its markets';
  const parts = [
    description.title === null ? 'no title given' : `“${description.title}”`,
    description.closeTime === null ? 'no close time given' : `closes ${description.closeTime}`,
    description.tickSize === null ? 'tick not given' : `tick $${formatMicrosTrim(description.tickSize)}`,
    description.minSize === null ? 'minimum not given' : `min ${formatMicrosTrim(description.minSize, 0)} contract(s)`,
    ...description.notes,
  ];
  return parts.join(', ');
}

function legJson(leg: LegCheck): Record<string, unknown> {
  const { exitCode: _exitCode, description, ...rest } = leg;
  return {
    ...rest,
    description: description && {
      ...description,
      tickSize: money(description.tickSize),
      minSize: money(description.minSize),
    },
  };
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
