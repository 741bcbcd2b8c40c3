// The TP/SL ladder applied to a market's open positions at one quote: tier flags and stops stored, closes booked,
// and an unhedged arbitrage leg's exit handed to the venue. A position whose close fails is marked for a person and
// left alone for the rest of the run; only an operating error stops the engine.
import type { CostModel } from '../domain/costs.js';
import type { UnhedgedState } from '../domain/arb.js';
import { OperationalError } from '../domain/errors.js';
import { complementPrice } from '../domain/market.js';
import type { PriceMicros } from '../domain/money.js';
import { closeLabel, evaluateLadder, type CloseTrigger, type LadderDecision, type LadderPosition, type Position } from '../domain/position.js';
import { transientStorageFault } from '../ledger/database.js';
import type { CloseResult, Ledger } from '../ledger/ledger.js';
import type { EngineEvent } from './events.js';
import type { MarketLadder } from './ladder-index.js';
import type { AcceptedQuote } from './price-guard.js';
import { markPrice } from './trading.js';

export interface LadderMonitorHooks {
  readonly emit: (event: EngineEvent) => void;
  /** A tier (TP1, TP2) was hit. */
  readonly tierHit: () => void;
  /** The ladder closed a position: the engine counts and reports it. */
  readonly closed: (result: Extract<CloseResult, { status: 'closed' }>, trigger: CloseTrigger) => void;
  /** The arbitrage trader, when it runs: an unhedged leg's record follows its position, and its exit is a sale at the venue. */
  readonly arb: { positionClosed(positionId: number, state: Exclude<UnhedgedState, 'open' | 'hedged'>, note: string): void } | null;
}

export class LadderMonitor {
  /**
   * Positions whose close or settlement failed in this run: marked in the ledger for a person and left out of the
   * ladder until the next start, so one position's failure neither stops the engine nor repeats on every quote.
   */
  private readonly needsAttention = new Set<number>();

  constructor(
    private readonly ledger: Ledger,
    private readonly costs: CostModel,
    private readonly hooks: LadderMonitorHooks,
  ) {}

  /** Applies the ladder to a market's positions, YES then NO; returns the unhedged legs it says to exit at their venue. */
  applyToMarket(ladder: MarketLadder, quote: AcceptedQuote): number[] {
    const exits: number[] = [];
    this.applyLadderToRows(ladder.rows, quote, exits);
    if (ladder.noRows.length > 0) {
      // NO contracts are marked from the YES quote: NO bid = 1 − YES ask, NO ask = 1 − YES bid.
      const no = { bid: complementPrice(quote.ask), ask: complementPrice(quote.bid) };
      this.applyLadderToRows(ladder.noRows, no, exits);
    }
    return exits;
  }

  /**
   * The held rows carry only the ladder's columns (hedged pairs, held to resolution, are left out); the whole row is
   * read, fresh, only for a position whose ladder moves at this price. A row can trail another process's close by up
   * to the index's check interval: the fresh row says whether the position is still one the ladder manages.
   */
  private applyLadderToRows(rows: readonly LadderPosition[], quote: { bid: PriceMicros; ask: PriceMicros }, exits: number[]): void {
    for (const row of rows) {
      const price = markPrice(row.side, quote);
      if (!ladderMoves(ladderDecision(row, price))) continue;
      if (this.needsAttention.has(row.id)) continue;
      const position = this.ledger.getPosition(row.id);
      if (!position || position.status !== 'open' || position.kind === 'arb_hedged') continue;
      try {
        if (this.applyLadder(position, price) === 'exit_at_venue') exits.push(position.id);
      } catch (error) {
        this.flagAttention(position, 'the ladder could not close it', error);
      }
    }
  }

  private applyLadder(position: Position, price: PriceMicros): 'exit_at_venue' | null {
    const decision = ladderDecision(position, price);
    if (!ladderMoves(decision)) return null;
    // An unhedged arbitrage leg's contracts are held at its venue: closing it only in the ledger would book proceeds
    // the venue never paid. Its exit is a sale at the venue instead (the arbitrage trader's unwind).
    const atVenue = position.kind === 'arb_unhedged' && this.hooks.arb !== null;
    // The tier flags, the new stop and (when triggered) the close are stored in one transaction.
    const result = this.ledger.transaction(() => {
      if (decision.events.length > 0) this.ledger.updateLadder(position.id, decision.state);
      if (!decision.close || atVenue) return null;
      const closed = this.ledger.closePosition(position.id, {
        exitPrice: decision.close.price,
        reason: closeLabel(decision.close.trigger, position),
        costs: this.costs,
      });
      if (closed.status === 'closed') this.hooks.arb?.positionClosed(position.id, 'unwound', `closed by the ladder: ${decision.close.trigger}`);
      return closed;
    });
    for (const tier of decision.events) {
      this.hooks.tierHit();
      this.hooks.emit({ kind: 'tier', position, tier: tier.kind, price: tier.price, newStop: tier.newStop });
    }
    if (result?.status === 'closed' && decision.close) {
      this.hooks.emit({ kind: 'closing', position, trigger: decision.close.trigger, price: decision.close.price });
      this.hooks.closed(result, decision.close.trigger);
    }
    return decision.close && atVenue ? 'exit_at_venue' : null;
  }


  /**
   * One position's close or settlement failed: record why on the position, tell the listener, and go on. An operating
   * error (the database unreadable, the disk full) is not one position's problem: it stops the engine.
   */
  flagAttention(position: Position, what: string, error: unknown): void {
    if (isOperatingError(error)) throw error;
    const reason = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    this.needsAttention.add(position.id);
    this.ledger.setAttention(position.id, reason);
    this.hooks.emit({ kind: 'attention', positionId: position.id, market: position.market, reason });
  }

  /** Positions marked as needing a person in this run. */
  get attentionCount(): number {
    return this.needsAttention.size;
  }

}

/** A position is its own levels and its own stored state: nothing is built per quote to evaluate it. */
function ladderDecision(position: LadderPosition, price: PriceMicros): LadderDecision {
  return evaluateLadder(position.side, position.entryPrice, position, position, price);
}

/** Errors that are about the machine, not one position: the database or the disk. They stop the engine (exit 3). */
export function isOperatingError(error: unknown): boolean {
  // A storage fault straight from SQLite (a read outside the ledger's transactions) is the machine's too.
  return error instanceof OperationalError || transientStorageFault(error) !== null;
}


function ladderMoves(decision: LadderDecision): boolean {
  return decision.events.length > 0 || decision.close !== null;
}
