// `arbbot report`: the ledger's facts, each open position priced at its market's last accepted quote as closing it
// would be (a long sells at the bid, a short buys back at the ask; a NO position reads the YES book turned over).
import type { Config } from '../config/config.js';
import { complementPrice, splitPositionMarket } from '../domain/market.js';
import type { PriceMicros } from '../domain/money.js';
import type { Position } from '../domain/position.js';
import { buildReport, type Report } from '../domain/report.js';
import type { Ledger } from '../ledger/ledger.js';
import { ReportReads } from '../ledger/report-reads.js';

export type { DayReport, PairReport, Report, VenueReport } from '../domain/report.js';

/** The price an open position would close at now, from the last quote the engine accepted; null when it has none. */
export function exitMark(ledger: Ledger, position: Position): PriceMicros | null {
  const { market, outcome } = splitPositionMarket(position.market);
  const price = ledger.marketPrice(position.venue, market);
  if (!price) return null;
  const bid = outcome === 'no' ? complementPrice(price.ask) : price.bid;
  const ask = outcome === 'no' ? complementPrice(price.bid) : price.ask;
  return position.side === 'long' ? bid : ask;
}

export function ledgerReport(ledger: Ledger, config: Config): Report {
  const rows = new ReportReads(ledger).read();
  return buildReport({ ...rows, markOf: (position) => exitMark(ledger, position) }, config.costs);
}

/** Equity against deposits, unrealised and locked-in edge, as the report has them; no days or pairs (so realised is 0). */
export interface EquityNow {
  readonly equity: Report['equity'];
  readonly netDeposits: Report['netDeposits'];
  readonly pnl: Report['pnl'];
}

/** Reads equity now without the report's history: one reader per ledger, its queries prepared once. */
export class EquityWatch {
  private readonly reads: ReportReads;

  constructor(
    private readonly ledger: Ledger,
    private readonly config: Config,
  ) {
    this.reads = new ReportReads(ledger);
  }

  now(): EquityNow {
    const report = buildReport({ ...this.reads.readEquity(), markOf: (position) => exitMark(this.ledger, position) }, this.config.costs);
    return { equity: report.equity, netDeposits: report.netDeposits, pnl: report.pnl };
  }
}
