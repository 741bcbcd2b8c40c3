// What every command gets: its parsed global options, the output, the config, and the ledger opened with the
// configured pragmas. Input is validated before the ledger is opened, so bad input never touches the database.
import type { Command } from 'commander';
import { loadConfig, resolveDbPath, type Config } from '../config/config.js';
import { InputError } from '../domain/errors.js';
import type { QuoteClock, QuotedPrice } from '../engine/quotes.js';
import { openLedger, openLedgerToCheck, openLedgerToRead } from '../app/ledger-access.js';
import type { Ledger } from '../ledger/ledger.js';
import { createVenues, type VenueSet, type VenueSetOptions } from '../venues/registry.js';
import type { Venue } from '../venues/venue.js';
import { Output } from './output.js';

export interface GlobalOptions {
  readonly db?: string;
  readonly config?: string;
  readonly json?: boolean;
  readonly color?: boolean;
  readonly verbose?: boolean;
}

export class CommandContext {
  readonly out: Output;
  private configCache: Config | null = null;
  /** Every ledger opened by any command, closed once the command is done (main's finally). */
  private static readonly opened: Ledger[] = [];

  constructor(readonly options: GlobalOptions) {
    this.out = new Output({ json: options.json === true, color: options.color !== false, verbose: options.verbose === true });
  }

  static from(command: Command): CommandContext {
    return new CommandContext(command.optsWithGlobals<GlobalOptions>());
  }

  get config(): Config {
    this.configCache ??= loadConfig(this.options.config);
    return this.configCache;
  }

  get dbPath(): string {
    return resolveDbPath(this.options.db, this.config);
  }

  /**
   * Opens the ledger and creates the wallet of any configured venue seen for the first time (starting balance as a
   * deposit). `now`: the ledger's clock when it is not the wall clock (a replay's feed time).
   */
  openLedger(options: { now?: () => Date } = {}): Ledger {
    const config = this.config;
    const ledger = openLedger(config, this.dbPath, options);
    return this.opening(ledger, `synchronous=${config.synchronous}`);
  }

  /**
   * Opens the ledger for a command that only reads: it must exist (exit 2 naming the path when it does not), and
   * nothing is created or written, so it is read on a read-only file or filesystem too.
   */
  openLedgerToRead(): Ledger {
    return this.opening(openLedgerToRead(this.config, this.dbPath), 'read only');
  }

  /** Opens the ledger for wallet-check: like a reader, but it records its checkpoint where it may write. */
  openLedgerToCheck(): Ledger {
    return this.opening(openLedgerToCheck(this.config, this.dbPath), 'to check');
  }

  private opening(ledger: Ledger, how: string): Ledger {
    CommandContext.opened.push(ledger);
    CommandContext.ledgerFile = this.dbPath;
    this.out.debug(`ledger ${this.dbPath} (${how}, config ${this.config.source ?? 'built-in defaults'})`);
    return ledger;
  }

  /** The ledger file the command opened, which a storage error SQLite reports without a file is about. */
  static ledgerFile: string | null = null;

  /** The configured venues; live adapters log through --verbose and warn on stderr, through Output's scrubber. */
  openVenues(options: Omit<VenueSetOptions, 'live'> = {}): Promise<VenueSet> {
    return createVenues(this.config, this.dbPath, { ...options, live: { log: (line) => this.out.debug(line), warn: (line) => this.out.warn(line) } });
  }

  /**
   * A quote read from `venue` with the venues opened for this alone: a paper venue's books are read fresh from its
   * state file, as a running engine last wrote them. Older than priceGuard.staleAfterMs on the wall clock: refused.
   */
  async quoteFrom(venue: string, read: (venue: Venue, clock: QuoteClock) => Promise<QuotedPrice>): Promise<QuotedPrice> {
    const venues = await this.openVenues();
    try {
      const found = venues.venues.get(venue);
      if (!found) throw new InputError(`unknown venue "${venue}"`);
      return await read(found, { nowMs: Date.now(), staleAfterMs: this.config.priceGuard.staleAfterMs });
    } finally {
      await venues.close();
    }
  }

  /** What the command reports as its exit code (0 unless it says otherwise); main returns it. */
  private static exitCodeSet = 0;

  /**
   * The exit code of a command that finished without throwing: a check that found a problem, a venue that failed its
   * check. A thrown error is mapped to its code by main instead.
   */
  exitWith(code: number): void {
    CommandContext.exitCodeSet = code;
  }

  static get exitCode(): number {
    return CommandContext.exitCodeSet;
  }

  static closeAll(): void {
    for (const ledger of CommandContext.opened.splice(0)) ledger.close();
  }
}
