// The checks and figures an open or a close of a position rests on, apart from the SQL that records them.
import type { CloseFigures } from '../domain/costs.js';
import { InputError, InsufficientBalanceError } from '../domain/errors.js';
import { formatUsd, micros, type Micros } from '../domain/money.js';
import type { Position, Side } from '../domain/position.js';
import type { Wallet } from '../domain/wallet.js';
import type { OpenPositionInput } from './position-types.js';

/** What a position locks: its cost basis and what its worst close can cost beyond it. */
export function setAsideOf(input: OpenPositionInput): number {
  return input.costBasis + (input.closeReserve ?? 0);
}

export function assertSetAside(input: OpenPositionInput): void {
  const reserve = input.closeReserve ?? 0;
  if (!Number.isSafeInteger(reserve) || reserve < 0) throw new InputError('a close reserve must be a non-negative amount');
  const liquidation = input.liquidationPrice ?? null;
  if (liquidation !== null && (!Number.isSafeInteger(liquidation) || liquidation <= 0)) throw new InputError('a liquidation price must be positive');
}

/** A new position needs its whole set-aside free (and the entry fee, when it is paid now); a wallet in deficit opens nothing. */
export function assertCanOpen(wallet: Wallet, input: OpenPositionInput, feeNow: number): void {
  if (wallet.deficit > 0) {
    throw new InsufficientBalanceError(
      input.venue,
      setAsideOf(input) + feeNow,
      wallet.available,
      `${input.venue} owes ${formatUsd(wallet.deficit, 4)} from a loss larger than its wallet: deposit at least that much before opening positions there`,
    );
  }
  const needed = setAsideOf(input) + feeNow;
  if (wallet.available >= needed) return;
  const parts = [`cost basis ${formatUsd(input.costBasis)}`];
  if (input.closeReserve) parts.push(`${formatUsd(input.closeReserve, 4)} set aside for its close`);
  if (feeNow > 0) parts.push(`entry fee ${formatUsd(feeNow, 4)}`);
  throw new InsufficientBalanceError(
    input.venue,
    needed,
    wallet.available,
    `insufficient available balance on ${input.venue}: opening needs ${formatUsd(needed, 4)} (${parts.join(' + ')}), available ${formatUsd(
      wallet.available,
      4,
    )}`,
  );
}

export function samePositionOrder(position: Position, input: OpenPositionInput): boolean {
  return (
    position.venue === input.venue &&
    position.market === input.market &&
    position.side === input.side &&
    position.kind === (input.kind ?? 'single') &&
    position.quantity === input.quantity &&
    position.entryPrice === input.entryPrice &&
    position.costBasis === input.costBasis
  );
}

export function withActualExit(figures: CloseFigures, side: Side, costBasis: Micros, exit: { value: Micros; fee: Micros }): CloseFigures {
  const grossPnl = micros(side === 'long' ? exit.value - costBasis : costBasis - exit.value);
  const totalCosts = micros(figures.entryFee + exit.fee);
  return {
    ...figures,
    exitValue: exit.value,
    grossPnl,
    exitFee: exit.fee,
    spreadCost: micros(0),
    slippageCost: micros(0),
    totalCosts,
    netPnl: micros(grossPnl - totalCosts),
  };
}
