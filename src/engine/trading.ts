// Opening and closing positions against the ledger with the configured ladder and cost model. The CLI's `open`
// and `close` and the engine's ladder all go through these two functions, so there is one way to do each.
import type { CostModel } from '../domain/costs.js';
import { entryFee } from '../domain/costs.js';
import { InputError } from '../domain/errors.js';
import { isPredictionPrice } from '../domain/market.js';
import { PRICE_ONE, quantityFor, type Micros, type PriceMicros } from '../domain/money.js';

import { ladderLevels, type LadderConfig, type Position, type Side } from '../domain/position.js';
import { closeSetAside } from '../domain/set-aside.js';
import type { Wallet } from '../domain/wallet.js';
import { ArbStore } from '../ledger/arb-store.js';
import type { CloseResult, Ledger } from '../ledger/ledger.js';

export interface OpenRequest {
  readonly venue: string;
  readonly market: string;
  readonly side: Side;
  /** Cost basis in USD micros. */
  readonly size: Micros;
  readonly price: PriceMicros;
  readonly ladder: LadderConfig;
  readonly costs: CostModel;
  readonly predictionMarket: boolean;
  readonly idempotencyKey?: string;
}

export function openPosition(
  ledger: Ledger,
  request: OpenRequest,
): { status: 'opened' | 'exists'; position: Position; walletBefore: Wallet; walletAfter: Wallet } {
  if (request.predictionMarket && !isPredictionPrice(request.price)) {
    throw new InputError(`price must be below 1 on prediction market ${request.venue}`);
  }
  const quantity = quantityFor(request.size, request.price, 'down');
  if (quantity <= 0) throw new InputError('size is too small for one unit at this price');
  const fee = entryFee(request.costs, request.size);
  // Everything the close can cost is locked now, so the close can always be booked (domain/set-aside.ts).
  const setAside = closeSetAside(request.costs, {
    side: request.side,
    quantity,
    costBasis: request.size,
    entryFee: fee,
    entryFeeCharged: false,
    // A prediction market's contract pays at most $1, so nothing trades above it.
    priceCeiling: request.predictionMarket ? PRICE_ONE : null,
  });
  return ledger.openPosition({
    venue: request.venue,
    market: request.market,
    side: request.side,
    quantity,
    entryPrice: request.price,
    costBasis: request.size,
    levels: ladderLevels(request.side, request.price, request.ladder),
    entryFee: fee,
    closeReserve: setAside.closeReserve,
    liquidationPrice: setAside.liquidationPrice,
    ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
  });
}

/** The price a position would close at from a quote: longs sell at the bid, shorts buy back at the ask. */
export function markPrice(side: Side, quote: { readonly bid: PriceMicros; readonly ask: PriceMicros }): PriceMicros {
  return side === 'long' ? quote.bid : quote.ask;
}

/** What closing one leg of a hedged pair did to the other: it is now an unhedged leg under the TP/SL ladder. */
export interface BrokenHedge {
  readonly tradeId: number;
  readonly positionId: number;
}

/**
 * Closes at `price`, or at the last accepted quote for the position's market when no price is given. A leg of a
 * hedged arbitrage pair is refused unless `force`: closing it alone leaves the other leg exposed. Forced, the other
 * leg becomes an unhedged leg (its own record, under the ladder) in the same transaction as the close.
 */
export function closePositionAt(
  ledger: Ledger,
  id: number,
  options: { price: PriceMicros | null; reason: string; costs: CostModel; force?: boolean },
): CloseResult & { readonly brokenHedge?: BrokenHedge } {
  const position = ledger.requirePosition(id);
  if (position.status === 'closed') return { status: 'already_closed', position };
  const store = new ArbStore(ledger);
  const partner = position.kind === 'arb_hedged' ? store.hedgePartnerOf(position) : null;
  if (partner && options.force !== true) {
    throw new InputError(
      `position ${id} is one leg of hedged arbitrage #${partner.tradeId} with position ${partner.positionId}: closing it alone breaks the hedge and leaves position ${partner.positionId} unhedged; pass --force to close it anyway`,
    );
  }
  let price = options.price;
  if (price === null) {
    const quote = ledger.loadMarketPrices().find((row) => row.venue === position.venue && row.market === position.market);
    if (!quote) throw new InputError(`no known price for ${position.venue} ${position.market}; pass --price`);
    price = markPrice(position.side, quote);
  }
  const exitPrice = price;
  return ledger.transaction(() => {
    const result = ledger.closePosition(id, { exitPrice, reason: options.reason, costs: options.costs });
    if (!partner || result.status !== 'closed') return result;
    const other = ledger.requirePosition(partner.positionId);
    ledger.setPositionKind(other.id, 'arb_unhedged');
    store.addUnhedged(partner.tradeId, partner.legId, other.id, other.quantity);
    return { ...result, brokenHedge: { tradeId: partner.tradeId, positionId: other.id } };
  });
}
