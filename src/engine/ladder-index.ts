// The ladder index: the open positions the TP/SL ladder manages, per venue and quoted market, held in memory with the
// band of quotes inside which none of them moves. Most quotes land inside that band; they then cost two map lookups
// and four comparisons instead of a ledger read. A quote outside it goes through the rows one by one, against the
// ledger.
//
// Staying correct: the ledger logs every position this connection writes (PositionWrites), and the index drops the
// market of each written position before its next answer; writes by other connections (another process running
// `arbbot open` or `close`) show in SQLite's data_version, which is checked at most every
// FOREIGN_WRITES_CHECK_INTERVAL_MS of wall time, and drop everything.
import { closingStop, nextTakeProfit, type LadderPosition } from '../domain/position.js';
import type { PositionWrites } from '../ledger/ledger.js';
import { complementPrice, positionMarket } from '../domain/market.js';

/**
 * How often (wall time) data_version is read. A read costs one to a few microseconds (it looks at the WAL index),
 * more than a whole quote's budget, so it is not read per quote; once a millisecond it costs at most half a percent
 * of a core. What the interval leaves is a bounded delay, kept this short because a user (or a script) who runs
 * `arbbot open` and then sends the next quote expects that quote to manage the position — a process exits and a line
 * travels through a pipe in more than a millisecond (test/e2e/concurrency.test.ts does exactly this with a TP3 gap).
 * The delay is harmless the other way round: a position closed elsewhere may still be evaluated for that long, but
 * the engine re-reads a position before acting on it and skips it unless it is still open (and the ledger's close is
 * a no-op on a closed position anyway).
 */
export const FOREIGN_WRITES_CHECK_INTERVAL_MS = 1;

/** Markets held at most; past this (a feed naming ever new markets) the index starts over rather than grow. */
export const MARKETS_CACHED_MAX = 100_000;

/** What the index reads: the ledger, narrowed to the calls it makes. */
export interface LadderSource {
  readonly positionWrites: PositionWrites;
  readonly inTransaction: boolean;
  dataVersion(): number;
  listLadderPositionsForMarket(venue: string, market: string): LadderPosition[];
  getPosition(id: number): { readonly venue: string; readonly market: string; readonly status: string; readonly kind: string } | undefined;
}

/** The ladder positions of one quoted market, and the quotes that move none of them. */
export interface MarketLadder {
  readonly venue: string;
  readonly market: string;
  /** Positions under the quoted market itself, marked on the quote. */
  readonly rows: readonly LadderPosition[];
  /** Positions under `<market>:no` (prediction venues only), marked on the NO quote derived from it. */
  readonly noRows: readonly LadderPosition[];
  /** No position moves while bidMin ≤ bid ≤ bidMax and askMin ≤ ask ≤ askMax (±Infinity: no bound). */
  readonly bidMin: number;
  readonly bidMax: number;
  readonly askMin: number;
  readonly askMax: number;
}

/** Whether a quote moves no position of this market: inside the band, the ladder need not look at a single row. */
export function isQuiet(ladder: MarketLadder, bid: number, ask: number): boolean {
  return bid >= ladder.bidMin && bid <= ladder.bidMax && ask >= ladder.askMin && ask <= ladder.askMax;
}

/**
 * The mark prices (inclusive) at which evaluateLadder leaves this position alone: above its stop and below the next
 * take-profit level its stored state tests (mirrored for a short). Without a tier event the state stays as stored,
 * so these are exactly the levels evaluateLadder compares; test/engine/ladder-index.test.ts checks the two agree.
 */
export function quietBand(row: LadderPosition): { readonly min: number; readonly max: number } {
  const target = nextTakeProfit(row, row);
  const stop = closingStop(row.side, row.stopPrice, row.liquidationPrice).price;
  return row.side === 'long' ? { min: stop + 1, max: target - 1 } : { min: target + 1, max: stop - 1 };
}

/** The quote band of a market: the intersection of its positions' bands, each moved onto the side it is marked on. */
export function marketLadder(venue: string, market: string, rows: readonly LadderPosition[], noRows: readonly LadderPosition[]): MarketLadder {
  let bidMin = -Infinity;
  let bidMax = Infinity;
  let askMin = -Infinity;
  let askMax = Infinity;
  for (const row of rows) {
    const band = quietBand(row);
    // A long is marked on the bid, a short on the ask.
    if (row.side === 'long') {
      bidMin = Math.max(bidMin, band.min);
      bidMax = Math.min(bidMax, band.max);
    } else {
      askMin = Math.max(askMin, band.min);
      askMax = Math.min(askMax, band.max);
    }
  }
  for (const row of noRows) {
    const band = quietBand(row);
    // A NO long is marked on 1 − ask, a NO short on 1 − bid: min ≤ 1 − ask ≤ max ⇔ 1 − max ≤ ask ≤ 1 − min.
    if (row.side === 'long') {
      askMin = Math.max(askMin, complementPrice(band.max));
      askMax = Math.min(askMax, complementPrice(band.min));
    } else {
      bidMin = Math.max(bidMin, complementPrice(band.max));
      bidMax = Math.min(bidMax, complementPrice(band.min));
    }
  }
  return { venue, market, rows, noRows, bidMin, bidMax, askMin, askMax };
}

const NO_ROWS: readonly LadderPosition[] = [];
const NO_SUFFIX = positionMarket('', 'no');

export class LadderIndex {
  private readonly byVenue = new Map<string, Map<string, MarketLadder>>();
  /** Which held market each held position is in, to drop just that market when the position is written. */
  private readonly holders = new Map<number, MarketLadder>();
  private marketsHeld = 0;
  private writesSeen: number;
  private dataVersionSeen: number;
  private foreignCheckedAtMs = -Infinity;

  constructor(
    private readonly source: LadderSource,
    /** Venues whose markets have NO positions (`<market>:no`) marked from the YES quote: prediction markets. */
    private readonly hasNoMarkets: (venue: string) => boolean,
  ) {
    this.writesSeen = source.positionWrites.version;
    this.dataVersionSeen = source.dataVersion();
  }

  /** The ladder of a quoted market, read from the ledger when not held (or when its positions were written since). */
  forQuote(venue: string, market: string): MarketLadder {
    if (this.source.positionWrites.version !== this.writesSeen) this.followOwnWrites();
    return this.byVenue.get(venue)?.get(market) ?? this.load(venue, market);
  }

  /**
   * Called with the wall clock on every feed event: reads data_version when the interval has passed. True when
   * another connection has committed since the last check (the engine's other in-memory figures follow it too).
   */
  checkForeignWrites(nowMs: number): boolean {
    if (nowMs - this.foreignCheckedAtMs < FOREIGN_WRITES_CHECK_INTERVAL_MS) return false;
    this.foreignCheckedAtMs = nowMs;
    const version = this.source.dataVersion();
    if (version === this.dataVersionSeen) return false;
    // Another connection committed something; which positions it touched is unknown, so every market is re-read.
    this.dataVersionSeen = version;
    this.clear();
    return true;
  }

  /** Markets held now (for tests and diagnostics). */
  get size(): number {
    return this.marketsHeld;
  }

  private followOwnWrites(): void {
    const ids = this.source.positionWrites.idsSince(this.writesSeen);
    this.writesSeen = this.source.positionWrites.version;
    if (ids === null) return this.clear();
    for (const id of ids) {
      if (this.marketsHeld === 0) return;
      // Negative: opened as a leg of a hedged pair, which no ladder holds (and which every arbitrage settles into).
      if (id < 0) continue;
      const where = this.positionMarketOf(id);
      if (!where) continue;
      // A NO position is held in the entry of its YES market; dropping both names covers either.
      this.drop(where.venue, where.market);
      if (where.market.endsWith(NO_SUFFIX)) this.drop(where.venue, where.market.slice(0, -NO_SUFFIX.length));
    }
  }

  /**
   * Where a written position lives, when the write can change a held market's ladder: from the entry holding it, else
   * from the ledger — unless the position is not one the ladder manages (closed, or a leg of a hedged pair, which is
   * what every arbitrage settles into): a market is not re-read for a position its ladder would leave out anyway.
   */
  private positionMarketOf(id: number): { readonly venue: string; readonly market: string } | undefined {
    const holder = this.holders.get(id);
    if (!holder) {
      const position = this.source.getPosition(id);
      return position && position.status === 'open' && position.kind !== 'arb_hedged' ? position : undefined;
    }
    const yes = holder.rows.some((row) => row.id === id);
    return { venue: holder.venue, market: yes ? holder.market : positionMarket(holder.market, 'no') };
  }

  private load(venue: string, market: string): MarketLadder {
    const rows = this.source.listLadderPositionsForMarket(venue, market);
    const noRows = this.hasNoMarkets(venue) ? this.source.listLadderPositionsForMarket(venue, positionMarket(market, 'no')) : NO_ROWS;
    const ladder = marketLadder(venue, market, rows, noRows);
    // Inside a transaction the rows may be uncommitted; if it rolls back, no further write would tell the index.
    if (this.source.inTransaction) return ladder;
    if (this.marketsHeld >= MARKETS_CACHED_MAX) this.clear();
    let markets = this.byVenue.get(venue);
    if (!markets) {
      markets = new Map();
      this.byVenue.set(venue, markets);
    }
    markets.set(market, ladder);
    this.marketsHeld += 1;
    for (const row of rows) this.holders.set(row.id, ladder);
    for (const row of noRows) this.holders.set(row.id, ladder);
    return ladder;
  }

  private drop(venue: string, market: string): void {
    const markets = this.byVenue.get(venue);
    const ladder = markets?.get(market);
    if (!markets || !ladder) return;
    markets.delete(market);
    this.marketsHeld -= 1;
    // A position can be in two entries (a market quoted under its `:no` name too): keep the other entry's claim.
    for (const row of ladder.rows) if (this.holders.get(row.id) === ladder) this.holders.delete(row.id);
    for (const row of ladder.noRows) if (this.holders.get(row.id) === ladder) this.holders.delete(row.id);
  }

  private clear(): void {
    this.byVenue.clear();
    this.holders.clear();
    this.marketsHeld = 0;
  }
}
