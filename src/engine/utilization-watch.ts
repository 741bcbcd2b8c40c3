// The utilisation warning inside the engine: after every change of locked funds, each wallet is judged by the one
// rule (domain/utilization.ts), and an event is emitted only when a wallet crosses the threshold, up or back down,
// so a wallet that stays above it is reported once, not on every trade.
import type { Ppm } from '../domain/money.js';
import { aboveUtilizationWarning, utilizationPpm } from '../domain/utilization.js';
import type { Ledger } from '../ledger/ledger.js';
import type { EngineEvent } from './events.js';

export class UtilizationWatch {
  private readonly above = new Set<string>();

  constructor(
    private readonly ledger: Ledger,
    private readonly warnPpm: Ppm,
    private readonly emit: (event: EngineEvent) => void,
  ) {}

  /** Reads the wallets (a handful of rows) and reports each crossing since the last check. */
  check(): void {
    for (const wallet of this.ledger.listWallets()) {
      const over = aboveUtilizationWarning(wallet, this.warnPpm);
      if (over === this.above.has(wallet.venue)) continue;
      if (over) this.above.add(wallet.venue);
      else this.above.delete(wallet.venue);
      this.emit({
        kind: 'utilization',
        state: over ? 'above' : 'below',
        venue: wallet.venue,
        utilizationPpm: utilizationPpm(wallet),
        warnPpm: this.warnPpm,
        locked: wallet.locked,
        total: wallet.total,
      });
    }
  }
}
