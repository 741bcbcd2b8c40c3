// A venue a reconcile could not bring into line (a balance that differs from the ledger's, an order whose outcome is
// still unknown) takes no new trading until a later reconcile finds it consistent: deciding on books that disagree with
// the venue could spend money that is not there. While any venue is held the engine reconciles again every
// recheckAfterMs (wall time), so a mismatch cleared by hand (`arbbot reconcile`, a deposit) frees it without a restart.
import type { ReconcileReport } from './reconcile.js';

/** How often (wall time) the engine reconciles again while a venue is held. */
export const MISMATCH_RECHECK_MS = 30_000;

export class MismatchHold {
  private readonly held = new Map<string, number>();
  private recheckAtMs = Infinity;

  constructor(private readonly recheckAfterMs: number = MISMATCH_RECHECK_MS) {}

  isHeld(venue: string): boolean {
    return this.held.size > 0 && this.held.has(venue);
  }

  /** The held venues, each with how many entries the last reconcile left unresolved on it. */
  heldVenues(): ReadonlyMap<string, number> {
    return this.held;
  }

  /** `nowMs` is asked only while a venue is held: this runs on every quote. */
  recheckDue(nowMs: () => number): boolean {
    return this.held.size > 0 && nowMs() >= this.recheckAtMs;
  }

  /**
   * What a reconcile found: every venue it left an entry unresolved on is held, every other one released. Returns the
   * venues newly held and those released.
   */
  update(report: ReconcileReport, nowMs: number): { readonly held: readonly string[]; readonly released: readonly string[] } {
    const unresolved = new Map<string, number>();
    for (const entry of report.unresolved) if (entry.venue !== null) unresolved.set(entry.venue, (unresolved.get(entry.venue) ?? 0) + 1);
    const held = [...unresolved.keys()].filter((venue) => !this.held.has(venue));
    const released = [...this.held.keys()].filter((venue) => !unresolved.has(venue));
    this.held.clear();
    for (const [venue, count] of unresolved) this.held.set(venue, count);
    this.recheckAtMs = this.held.size > 0 ? nowMs + this.recheckAfterMs : Infinity;
    return { held, released };
  }
}
