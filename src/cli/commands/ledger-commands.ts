// Balances, history, deposit and withdraw: paper funding and manual records of real transfers.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError, OperationalError } from '../../domain/errors.js';
import { formatMicros, formatPpmPct, formatUsd, parseMicros } from '../../domain/money.js';
import { aboveUtilizationWarning, utilizationPpm } from '../../domain/utilization.js';
import { CommandContext } from '../context.js';
import { parseLimit } from '../parse.js';
import { walletJson, walletUtilizationJson } from '../present.js';

export function registerLedgerCommands(program: Command): void {
  registerInit(program);
  registerBalances(program);
  registerHistory(program);
  registerFunding(program);
}

function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a new ledger at the --db path, with a wallet per configured venue; refused where any file exists')
    .action((_options: unknown, command: Command) => {
      const ctx = CommandContext.from(command);
      // A ledger is created only where nothing is: an existing file, even an empty one, may be a ledger that lost its
      // contents, and a new ledger over it would hide that.
      if (existsSync(ctx.dbPath)) throw new InputError(`${ctx.dbPath} already exists; init creates a ledger only where there is no file`);
      const ledger = ctx.openLedger();
      const { ledgerId, createdAt } = ledger.identity();
      const wallets = ledger.listWallets();
      if (ctx.out.json) return ctx.out.printJson({ db: ctx.dbPath, ledgerId, createdAt, wallets: wallets.map(walletJson) });
      ctx.out.line(ctx.out.role.success(`✓ Ledger ${ledgerId} created at ${ctx.dbPath}`));
      for (const w of wallets) ctx.out.line(`  ${w.venue}: ${formatUsd(w.total)}`);
    });
}

function registerBalances(program: Command): void {
  program
    .command('balances')
    .description('show every wallet: total, available, locked, and utilisation (locked / total)')
    .action((_options: unknown, command: Command) => {
      const ctx = CommandContext.from(command);
      const ledger = ctx.openLedgerToRead();
      const wallets = ledger.listWallets();
      const warnPpm = ctx.config.arbitrage.utilizationWarnPpm;
      if (ctx.out.json) {
        return ctx.out.printJson({ utilizationWarnAbove: formatPpmPct(warnPpm, false), wallets: wallets.map((w) => walletUtilizationJson(w, warnPpm)) });
      }
      // The owed column appears only when a wallet owes something: most books never do, and then it is noise.
      const owing = wallets.some((w) => w.deficit > 0);
      ctx.out.table(
        ['venue', 'total', 'available', 'locked', ...(owing ? ['deficit (owed)'] : []), 'utilisation'],
        wallets.map((w) => {
          const utilization = formatPpmPct(utilizationPpm(w), false);
          const cell = aboveUtilizationWarning(w, warnPpm) ? ctx.out.role.warn(`${utilization} ⚠ above ${formatPpmPct(warnPpm, false)}`) : utilization;
          const owed = owing ? [w.deficit > 0 ? ctx.out.role.error(formatUsd(w.deficit, 4)) : formatUsd(0)] : [];
          return [w.venue, formatUsd(w.total), formatUsd(w.available), formatUsd(w.locked), ...owed, cell];
        }),
      );
      for (const w of wallets.filter((wallet) => wallet.deficit > 0)) {
        ctx.out.line(ctx.out.role.error(`✗ ${w.venue} owes ${formatUsd(w.deficit, 4)}: no new positions there until a deposit repays it`));
      }
    });
}

function registerHistory(program: Command): void {
  program
    .command('history')
    .description('wallet transactions, newest first')
    .argument('[venue]', 'only this venue')
    .option('--limit <n>', 'how many rows', '50')
    .action((venue: string | undefined, options: { limit: string }, command: Command) => {
      const ctx = CommandContext.from(command);
      const limit = parseLimit(options.limit);
      const ledger = ctx.openLedgerToRead();
      if (venue !== undefined) ledger.requireWallet(venue);
      const rows = ledger.listTransactions(venue ?? null, limit);
      if (ctx.out.json) {
        return ctx.out.printJson({
          transactions: rows.map((row) => ({
            id: row.id,
            venue: row.venue,
            type: row.type,
            amount: formatMicros(row.amount),
            lockedDelta: formatMicros(row.lockedDelta),
            balanceBefore: formatMicros(row.balanceBefore),
            balanceAfter: formatMicros(row.balanceAfter),
            lockedBefore: formatMicros(row.lockedBefore),
            lockedAfter: formatMicros(row.lockedAfter),
            deficitDelta: formatMicros(row.deficitDelta),
            positionId: row.positionId,
            reservationId: row.reservationId,
            orderRef: row.orderRef,
            description: row.description,
            createdAt: row.createdAt,
          })),
        });
      }
      ctx.out.table(
        ['id', 'venue', 'type', 'total Δ', 'locked Δ', 'balance', 'description'],
        rows.map((row) => [
          row.id,
          row.venue,
          row.type,
          formatUsd(row.amount, 4),
          formatUsd(row.lockedDelta, 4),
          `${formatUsd(row.balanceBefore)} → ${formatUsd(row.balanceAfter)}`,
          row.description,
        ]),
      );
    });
}

function registerFunding(program: Command): void {
  for (const kind of ['deposit', 'withdraw'] as const) {
    program
      .command(kind)
      .description(kind === 'deposit' ? 'add funds to a wallet (paper funding or a record of a real transfer)' : 'take funds out of a wallet')
      .argument('<venue>', 'wallet venue')
      .argument('<amount>', 'USD, e.g. 25 or 25.50')
      .option('--note <text>', 'description to record')
      .option('--key <idempotencyKey>', 'idempotency key: replaying it changes nothing')
      .action(async (venue: string, amountText: string, options: { note?: string; key?: string }, command: Command) => {
        const ctx = CommandContext.from(command);
        const amount = parseMicros(amountText, { label: 'amount' });
        const ledger = ctx.openLedger();
        // Every configured venue has a wallet by now (openLedger), so an unknown name is a typo: refuse it rather than
        // open a stray wallet that would sit in the books for ever (wallets and their transactions are never deleted).
        const before = ledger.requireWallet(venue);
        const paper = ctx.config.venues.get(venue)?.type === 'paper';
        // A paper venue keeps its own cash in another file, written after the ledger commits. Every paper funding has
        // a key (the person's, or one made here), so a retry after that write failed books nothing twice in either.
        const key = options.key ?? (paper ? `${kind}-${randomUUID()}` : undefined);
        const extra = { ...(options.note ? { description: options.note } : {}), ...(key ? { idempotencyKey: key } : {}) };
        const replayed = options.key !== undefined && ledger.hasTransactionKey(options.key);
        const after = kind === 'deposit' ? ledger.deposit(venue, amount, extra) : ledger.withdraw(venue, amount, extra);
        if (paper && key !== undefined) await mirrorToPaper(ctx, { kind, venue, key, amount: kind === 'deposit' ? amount : -amount, transactionId: ledger.transactionIdByKey(key) });
        if (ctx.out.json) return ctx.out.printJson({ replayed, wallet: walletJson(after) });
        if (replayed) return ctx.out.line(ctx.out.role.warn(`Key ${options.key ?? ''} was already recorded; nothing changed`));
        ctx.out.line(
          ctx.out.role.success(`✓ ${kind === 'deposit' ? 'Deposited' : 'Withdrew'} ${formatUsd(amount)} ${kind === 'deposit' ? 'to' : 'from'} ${venue}`),
        );
        const repaid = before.deficit - after.deficit;
        const repayment = repaid > 0 ? ` (${formatUsd(repaid, 4)} of it repaid the deficit${after.deficit > 0 ? `; ${formatUsd(after.deficit, 4)} still owed` : ''})` : '';
        ctx.out.line(`Wallet updated: Available: ${formatUsd(before.available)} → ${formatUsd(after.available)}, Total: ${formatUsd(after.total)}${repayment}`);
      });
  }
}

/**
 * Applies a recorded paper funding to the paper venue's cash, once (by the ledger transaction's id). When that write
 * fails the ledger has already committed: the command says so (exit 3) and names the key that completes it.
 */
async function mirrorToPaper(
  ctx: CommandContext,
  funding: { kind: string; venue: string; key: string; amount: number; transactionId: number | null },
): Promise<void> {
  if (funding.transactionId === null) throw new Error(`${funding.kind} under key ${funding.key} is not in the ledger after it was booked`);
  try {
    const venues = await ctx.openVenues();
    try {
      venues.paperState?.applyFunding(funding.venue, funding.transactionId, funding.amount);
    } finally {
      await venues.close();
    }
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new OperationalError(
      `${funding.kind} #${funding.transactionId} is recorded in the ledger, but the paper venue's book could not be saved (${cause}); ` +
        `run it again with --key ${funding.key} to complete it (the ledger will not book it twice)`,
    );
  }
}
