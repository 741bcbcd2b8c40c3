// The shapes arbitrage records are read and written in.
import type { Selectable } from 'kysely';
import type { ArbDirection } from '../domain/arb.js';
import type { Outcome } from '../domain/market.js';
import type { ArbLegsTable, ArbTradesTable, UnhedgedLegsTable } from './schema.js';

export type ArbTrade = Selectable<ArbTradesTable>;
export type ArbLeg = Selectable<ArbLegsTable>;
export type UnhedgedLeg = Selectable<UnhedgedLegsTable>;

export interface NewLeg {
  readonly leg: ArbLeg['leg'];
  readonly venue: string;
  readonly market: string;
  readonly outcome: Outcome;
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly limitPrice: number;
  readonly clientOrderId: string;
}

export interface NewTrade {
  readonly pair: string;
  readonly direction: ArbDirection;
  readonly contracts: number;
  readonly expectedNetEdge: number;
  readonly legs: readonly NewLeg[];
}

/** A leg of an armed trade as its order was sent: the row as armed, and the order's own quantity and limit price. */
export interface FiredLeg {
  readonly leg: ArbLeg;
  readonly quantity: number;
  readonly limitPrice: number;
}

