// The log of position writes an in-memory view of open positions (the engine's ladder index) follows.

/**
 * The positions this connection wrote, in order, so an in-memory view of open positions (the engine's ladder index)
 * can follow them without re-reading every market. A write that rolls back still counts: a reader then re-reads a
 * market it did not need to, never keeps a row that changed.
 */
export interface PositionWrites {
  /** How many position writes this connection has made. */
  readonly version: number;
  /**
   * The ids written after `version` (oldest first, repeats kept), or null when the log no longer reaches back that far.
   * A position opened as a leg of a hedged pair — which the ladder leaves out — is logged as its negated id, so a
   * reader can skip it without a read.
   */
  idsSince(version: number): readonly number[] | null;
}

/** How many position writes the log keeps: a reader further behind than this re-reads everything. */
export const POSITION_WRITES_KEPT_MAX = 1_024;

export class PositionWriteLog implements PositionWrites {
  version = 0;
  private readonly ids: number[] = new Array<number>(POSITION_WRITES_KEPT_MAX).fill(0);

  record(id: number): void {
    this.version += 1;
    this.ids[this.version % POSITION_WRITES_KEPT_MAX] = id;
  }

  idsSince(version: number): readonly number[] | null {
    if (version > this.version) throw new Error(`position write log: version ${version} is ahead of ${this.version}`);
    if (this.version - version > POSITION_WRITES_KEPT_MAX) return null;
    const ids: number[] = [];
    for (let v = version + 1; v <= this.version; v += 1) ids.push(this.ids[v % POSITION_WRITES_KEPT_MAX] ?? 0);
    return ids;
  }
}
