// Configuration: a JSON file validated with zod (unknown keys rejected, errors name the key and the file), resolved
// into typed, integer-scaled settings. With no file, built-in paper defaults make the bot work with zero set-up.
import { existsSync, readFileSync } from 'node:fs';
import { loadSchemas, type ConfigFile, type PaperMarketFile, type storageFaultActions, type synchronousModes, type VenueType } from './schema.js';
import type { CostModel } from '../domain/costs.js';
import { InputError } from '../domain/errors.js';
import { MoneyFormatError, parseMicros, parsePct, parsePrice, parseQty, PPM_ALL, type Micros, type Ppm, type PriceMicros, type QtyMicros } from '../domain/money.js';
import type { LadderConfig } from '../domain/position.js';
import type { RiskLimits } from '../domain/risk.js';
import type { Outcome } from '../domain/market.js';
import { judgeEndpoint } from '../security/endpoints.js';
import { resolveNotify, type NotifyConfig } from './notify.js';

export class ConfigError extends InputError {
  override readonly name = 'ConfigError';
}

export { VENUE_TYPES, type ConfigFile, type VenueType } from './schema.js';
export type { NotifyChannelConfig, NotifyConfig } from './notify.js';

export interface PaperMarketConfig {
  readonly bid: PriceMicros;
  readonly ask: PriceMicros;
  readonly depth: QtyMicros | null;
}

export interface LiveVenueSettings {
  readonly baseUrl: string | null;
  readonly wsUrl: string | null;
  /** False: poll the books over HTTP even where a stream is known. */
  readonly stream: boolean;
  /** No frame (message, ping or pong) from a stream for this long: it is dropped and reconnected; null: the default. */
  readonly streamStaleAfterMs: number | null;
  readonly credentialsFile: string | null;
  readonly requestTimeoutMs: number | null;
  /** The most of one reply read, in bytes; null: the adapters' default. */
  readonly replyBytesMax: number | null;
  readonly readsPerSecond: number | null;
  readonly writesPerSecond: number | null;
  /** Decimal strings as written in the config; each adapter parses the ones it uses. */
  readonly fees: { readonly takerRate: string | null; readonly exponent: number | null; readonly multiplier: string | null };
}

export interface VenueConfig {
  readonly name: string;
  readonly type: VenueType;
  readonly startingBalance: Micros;
  readonly predictionMarket: boolean;
  readonly markets: ReadonlyMap<string, PaperMarketConfig>;
  readonly live: LiveVenueSettings;
}

export interface PairLegConfig {
  readonly venue: string;
  readonly market: string;
  readonly yesIs: Outcome;
  readonly minContracts: QtyMicros;
}

export interface PairConfig {
  readonly name: string;
  readonly a: PairLegConfig;
  readonly b: PairLegConfig;
  readonly minEdgeBps: number;
  readonly maxSizeMicros: Micros;
  readonly confirmed: boolean;
}

export interface ArbitrageConfig {
  readonly enabled: boolean;
  readonly inFlightPerPairMax: number;
  readonly orderTimeoutMs: number;
  readonly timeInForce: 'fok' | 'ioc';
  readonly armAhead: boolean;
  readonly unhedgedAction: 'hedge' | 'unwind' | 'hold';
  readonly hedgeMaxLossBps: number;
  readonly utilizationWarnPpm: Ppm;
}

export interface Config {
  /** The file it came from, or null for the built-in defaults. */
  readonly source: string | null;
  readonly db: string | null;
  readonly synchronous: (typeof synchronousModes)[number];
  readonly busyTimeoutMs: number;
  /** `pause`: the engine waits a storage fault out and resumes; `exit`: it stops with exit 3. */
  readonly onStorageFault: (typeof storageFaultActions)[number];
  readonly venues: ReadonlyMap<string, VenueConfig>;
  readonly tpsl: LadderConfig;
  readonly costs: CostModel;
  readonly priceGuard: { readonly maxJumpPpm: Ppm; readonly staleAfterMs: number };
  /** The JSON-lines event log (none when file is null), rotated by size. */
  readonly log: LogConfig;
  readonly pairs: ReadonlyMap<string, PairConfig>;
  readonly arbitrage: ArbitrageConfig;
  readonly risk: RiskLimits;
  /** Where alerts go (no channels: none are sent). */
  readonly notify: NotifyConfig;
}

export interface LogConfig {
  readonly file: string | null;
  readonly maxBytes: number;
  readonly keep: number;
}

export const DEFAULT_CONFIG_PATH = './arbbot.config.json';

/** Built-in defaults: TP 3/6/10%, SL 5%, fee 0.26%, spread 0.1%, slippage 0.05% (the figures the worked examples use). */
export const DEFAULTS = {
  synchronous: 'FULL',
  busyTimeoutMs: 10_000,
  onStorageFault: 'pause',
  // 10 MiB a file and five old ones: at most 60 MiB of events on disk, however long the engine runs.
  log: { maxBytes: 10 * 1024 * 1024, keep: 5 },
  venues: {
    paper: { type: 'paper', startingBalance: '1000' },
    // Two paper prediction markets quoting the same event, so the zero-config demo shows arbitrage.
    'paper-kalshi': { type: 'paper', predictionMarket: true, startingBalance: '500', markets: { 'FED-DEC': { bid: '0.45', ask: '0.46' } } },
    'paper-poly': { type: 'paper', predictionMarket: true, startingBalance: '500', markets: { 'fed-dec': { bid: '0.45', ask: '0.46' } } },
  },
  pairs: {
    'fed-dec': { a: { venue: 'paper-kalshi', market: 'FED-DEC' }, b: { venue: 'paper-poly', market: 'fed-dec' }, maxSize: '50', minEdgeBps: 50, confirmed: true },
  },
  tpsl: { tp1Pct: '3', tp2Pct: '6', tp3Pct: '10', slPct: '5' },
  costs: { feePct: '0.26', spreadPct: '0.1', slippagePct: '0.05' },
  priceGuard: { maxJumpPct: '50', staleAfterMs: 30_000 },
} as const;

/**
 * Loads the config: an explicit path must exist; the default path is used when present; otherwise the built-in
 * paper defaults apply.
 */
export function loadConfig(explicitPath: string | undefined): Config {
  if (explicitPath !== undefined) return parseConfigFile(explicitPath);
  if (existsSync(DEFAULT_CONFIG_PATH)) return parseConfigFile(DEFAULT_CONFIG_PATH);
  return resolveConfig({}, null);
}

export function parseConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config ${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseConfigObject(json, path);
}

export function parseConfigObject(json: unknown, source: string | null): Config {
  const parsed = loadSchemas().fileSchema.safeParse(json);
  const where = source ?? 'built-in config';
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue ? [...issue.path, ...(issue.code === 'unrecognized_keys' ? [issue.keys.join(', ')] : [])].join('.') : '';
    // A bad record key (a venue name) carries the useful message one level down; zod's own is "Invalid key in record".
    const message =
      issue?.code === 'unrecognized_keys'
        ? 'unknown key'
        : issue?.code === 'invalid_key'
          ? `invalid name: ${issue.issues[0]?.message ?? issue.message}`
          : (issue?.message ?? 'invalid');
    throw new ConfigError(`config ${where}: ${key || '(root)'}: ${message}`);
  }
  return resolveConfig(parsed.data, source);
}

/** Runs one parse and names the config key in what it throws. */
type At = <T>(key: string, parse: () => T) => T;

function resolveConfig(file: ConfigFile, source: string | null): Config {
  const where = source ?? 'built-in config';
  const at: At = (key, parse) => {
    try {
      return parse();
    } catch (error) {
      if (error instanceof MoneyFormatError || error instanceof RangeError) {
        throw new ConfigError(`config ${where}: ${key}: ${error.message.replace(/^[^:]*: /, '')}`);
      }
      throw error;
    }
  };
  const pct = (key: string, value: string | number, allowZero: boolean): Ppm => at(key, () => parsePct(value, { label: key, allowZero }));
  const venuesFile = file.venues ?? DEFAULTS.venues;
  const venues = new Map<string, VenueConfig>();
  for (const [name, venue] of Object.entries(venuesFile)) venues.set(name, resolveVenue(name, venue, where, at));
  const guard = { ...DEFAULTS.priceGuard, ...file.priceGuard };
  return {
    source,
    db: file.db ?? null,
    synchronous: file.synchronous ?? DEFAULTS.synchronous,
    busyTimeoutMs: file.busyTimeoutMs ?? DEFAULTS.busyTimeoutMs,
    onStorageFault: file.onStorageFault ?? DEFAULTS.onStorageFault,
    venues,
    tpsl: resolveLadder(file, where, pct),
    costs: resolveCosts(file, pct),
    priceGuard: { maxJumpPpm: pct('priceGuard.maxJumpPct', guard.maxJumpPct, false), staleAfterMs: guard.staleAfterMs },
    log: { file: file.log?.file ?? null, maxBytes: file.log?.maxBytes ?? DEFAULTS.log.maxBytes, keep: file.log?.keep ?? DEFAULTS.log.keep },
    pairs: resolvePairs(file.pairs ?? (file.venues ? {} : DEFAULTS.pairs), venues, at),
    arbitrage: resolveArbitrage(file, pct),
    risk: resolveRisk(file, venuesFile, at),
    notify: resolveNotify(file.notify, (key, message) => {
      throw new ConfigError(`config ${where}: ${key}: ${message}`);
    }),
  };
}

type Pct = (key: string, value: string | number, allowZero: boolean) => Ppm;

function resolveLadder(file: ConfigFile, where: string, pct: Pct): LadderConfig {
  const tpslFile = { ...DEFAULTS.tpsl, ...file.tpsl };
  const tpsl: LadderConfig = {
    tp1Ppm: pct('tpsl.tp1Pct', tpslFile.tp1Pct, false),
    tp2Ppm: pct('tpsl.tp2Pct', tpslFile.tp2Pct, false),
    tp3Ppm: pct('tpsl.tp3Pct', tpslFile.tp3Pct, false),
    slPpm: pct('tpsl.slPct', tpslFile.slPct, false),
  };
  if (!(tpsl.tp1Ppm < tpsl.tp2Ppm && tpsl.tp2Ppm < tpsl.tp3Ppm)) throw new ConfigError(`config ${where}: tpsl: tp1Pct < tp2Pct < tp3Pct required`);
  if (tpsl.slPpm >= PPM_ALL) throw new ConfigError(`config ${where}: tpsl.slPct: must be below 100`);
  return tpsl;
}

function resolveCosts(file: ConfigFile, pct: Pct): CostModel {
  const costsFile = { ...DEFAULTS.costs, ...file.costs };
  return {
    feePpm: pct('costs.feePct', costsFile.feePct, true),
    spreadPpm: pct('costs.spreadPct', costsFile.spreadPct, true),
    slippagePpm: pct('costs.slippagePct', costsFile.slippagePct, true),
  };
}

type VenueFile = NonNullable<ConfigFile['venues']>[string];

function resolveVenue(name: string, venue: VenueFile, where: string, at: At): VenueConfig {
  const type = venue.type ?? 'paper';
  const predictionMarket = type !== 'paper' || (venue.predictionMarket ?? false);
  if (type !== 'paper' && venue.predictionMarket === false) {
    throw new ConfigError(`config ${where}: venues.${name}.predictionMarket: ${type} is always a prediction market`);
  }
  // Refused here, before anything is written, rather than when the venue is first used (security/endpoints.ts).
  for (const [key, secure] of [['baseUrl', 'https:'], ['wsUrl', 'wss:']] as const) {
    const url = venue[key];
    const verdict = url === undefined ? null : judgeEndpoint(url, secure);
    if (verdict && !verdict.ok) throw new ConfigError(`config ${where}: venues.${name}.${key}: ${verdict.refusal}`);
  }
  const markets = new Map<string, PaperMarketConfig>();
  const marketsFile: Record<string, PaperMarketFile> = 'markets' in venue ? (venue.markets ?? {}) : {};
  for (const [market, quote] of Object.entries(marketsFile)) markets.set(market, at(`venues.${name}.markets.${market}`, () => paperMarket(quote)));
  return {
    name,
    type,
    predictionMarket,
    markets,
    live: {
      baseUrl: venue.baseUrl ?? null,
      wsUrl: venue.wsUrl ?? null,
      stream: venue.stream ?? true,
      streamStaleAfterMs: venue.streamStaleAfterMs ?? null,
      credentialsFile: venue.credentialsFile ?? null,
      requestTimeoutMs: venue.requestTimeoutMs ?? null,
      replyBytesMax: venue.replyBytesMax ?? null,
      readsPerSecond: venue.rateLimit?.readsPerSecond ?? null,
      writesPerSecond: venue.rateLimit?.writesPerSecond ?? null,
      fees: {
        takerRate: venue.fees?.takerRate === undefined ? null : String(venue.fees.takerRate),
        exponent: venue.fees?.exponent ?? null,
        multiplier: venue.fees?.multiplier === undefined ? null : String(venue.fees.multiplier),
      },
    },
    startingBalance: at(`venues.${name}.startingBalance`, () => parseMicros(venue.startingBalance ?? '0', { label: 'startingBalance', allowZero: true })),
  };
}

function resolveArbitrage(file: ConfigFile, pct: Pct): ArbitrageConfig {
  const arbitrage = file.arbitrage;
  return {
    enabled: arbitrage?.enabled ?? true,
    inFlightPerPairMax: arbitrage?.inFlightPerPairMax ?? 1,
    orderTimeoutMs: arbitrage?.orderTimeoutMs ?? 5_000,
    timeInForce: arbitrage?.timeInForce ?? 'fok',
    armAhead: arbitrage?.armAhead ?? true,
    unhedgedAction: arbitrage?.unhedged?.action ?? 'hedge',
    hedgeMaxLossBps: arbitrage?.unhedged?.hedgeMaxLossBps ?? 200,
    utilizationWarnPpm: pct('arbitrage.utilizationWarnPct', arbitrage?.utilizationWarnPct ?? '80', false),
  };
}

function resolveRisk(
  file: ConfigFile,
  venuesFile: NonNullable<ConfigFile['venues']> | typeof DEFAULTS.venues,
  at: <T>(key: string, parse: () => T) => T,
): RiskLimits {
  const usd = (key: string, value: string | number | undefined): Micros | null =>
    value === undefined ? null : at(key, () => parseMicros(value, { label: key }));
  const venueMaxDailyLossMicros = new Map<string, Micros>();
  for (const [name, venue] of Object.entries(venuesFile)) {
    const limit = usd(`venues.${name}.maxDailyLossUsd`, 'maxDailyLossUsd' in venue ? venue.maxDailyLossUsd : undefined);
    if (limit !== null) venueMaxDailyLossMicros.set(name, limit);
  }
  return {
    maxDailyLossMicros: usd('risk.maxDailyLossUsd', file.risk?.maxDailyLossUsd),
    venueMaxDailyLossMicros,
    maxOpenPositions: file.risk?.maxOpenPositions ?? null,
    maxPositionMicros: usd('risk.maxPositionUsd', file.risk?.maxPositionUsd),
  };
}

function resolvePairs(
  pairsFile: NonNullable<ConfigFile['pairs']>,
  venues: ReadonlyMap<string, VenueConfig>,
  at: <T>(key: string, parse: () => T) => T,
): Map<string, PairConfig> {
  const pairs = new Map<string, PairConfig>();
  for (const [name, pair] of Object.entries(pairsFile)) {
    const leg = (side: 'a' | 'b'): PairLegConfig => {
      const spec = pair[side];
      const venue = venues.get(spec.venue);
      if (!venue) at(`pairs.${name}.${side}.venue`, () => { throw new MoneyFormatError(`unknown venue "${spec.venue}"`); });
      if (venue && !venue.predictionMarket) {
        at(`pairs.${name}.${side}.venue`, () => { throw new MoneyFormatError(`${spec.venue} is not a prediction market`); });
      }
      return {
        venue: spec.venue,
        market: spec.market,
        yesIs: spec.yesIs ?? 'yes',
        minContracts: at(`pairs.${name}.${side}.minContracts`, () => parseQty(spec.minContracts ?? '1', { label: 'minContracts' })),
      };
    };
    const a = leg('a');
    const b = leg('b');
    if (a.venue === b.venue) at(`pairs.${name}`, () => { throw new MoneyFormatError('both legs are on the same venue'); });
    pairs.set(name, {
      name,
      a,
      b,
      minEdgeBps: pair.minEdgeBps ?? 50,
      maxSizeMicros: at(`pairs.${name}.maxSize`, () => parseMicros(pair.maxSize ?? '100', { label: 'maxSize' })),
      confirmed: pair.confirmed ?? false,
    });
  }
  return pairs;
}

function paperMarket(quote: PaperMarketFile): PaperMarketConfig {
  if (quote.price !== undefined && (quote.bid !== undefined || quote.ask !== undefined)) {
    throw new MoneyFormatError('give either price or bid/ask, not both');
  }
  const bidText = quote.price ?? quote.bid;
  const askText = quote.price ?? quote.ask;
  if (bidText === undefined || askText === undefined) throw new MoneyFormatError('needs price, or both bid and ask');
  const bid = parsePrice(bidText, { label: 'bid' });
  const ask = parsePrice(askText, { label: 'ask' });
  if (bid > ask) throw new MoneyFormatError('bid is above ask');
  return { bid, ask, depth: quote.depth === undefined ? null : parseQty(quote.depth, { label: 'depth' }) };
}

/** --db, then ARBBOT_DB, then config `db`, then ./arbbot.db. */
export function resolveDbPath(flag: string | undefined, config: Config): string {
  // An empty ARBBOT_DB means unset (as `ARBBOT_DB= arbbot …` and most tools treat it), not "a file named ''".
  const fromEnv = process.env.ARBBOT_DB === '' ? undefined : process.env.ARBBOT_DB;
  return flag ?? fromEnv ?? config.db ?? './arbbot.db';
}
