// Configuration: a JSON file validated with zod (unknown keys rejected, errors name the key and the file), resolved
// into typed, integer-scaled settings. With no file, built-in paper defaults make the bot work with zero set-up.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CostModel } from '../domain/costs.js';
import { InputError } from '../domain/errors.js';
import { MoneyFormatError, parseMicros, parsePct, parsePrice, parseQty, type Micros, type Ppm, type PriceMicros, type QtyMicros } from '../domain/money.js';
import type { LadderConfig } from '../domain/position.js';
import type { RiskLimits } from '../domain/risk.js';

export class ConfigError extends InputError {
  override readonly name = 'ConfigError';
}

const synchronousModes = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;
export const VENUE_TYPES = ['paper', 'kalshi', 'polymarket', 'sx'] as const;
export type VenueType = (typeof VENUE_TYPES)[number];

type Zod = typeof import('zod').z;

/**
 * The config file's schema. zod is loaded (its CommonJS build, the faster to load) only when there is a file to
 * validate, so the zero-config path and every command's start-up do not pay for it.
 */
function buildSchemas(z: Zod) {
  // zod's own union message is a bare "Invalid input"; say what a money or percentage field accepts.
  const decimal = z.union([z.string(), z.number()], { error: 'expected a decimal number, as a string ("25.50") or a JSON number' });

  const paperMarketSchema = z.strictObject({
    bid: decimal.optional(),
    ask: decimal.optional(),
    price: decimal.optional(),
    /** Contracts available at the quoted price on each side of the paper book. */
    depth: decimal.optional(),
  });

  const venueSchema = z.strictObject({
    type: z.enum(VENUE_TYPES).default('paper'),
    startingBalance: decimal.optional(),
    /** Prices must lie strictly between 0 and 1 (probabilities). Kalshi, Polymarket and SX always are. */
    predictionMarket: z.boolean().optional(),
    /** Initial paper books, by market id. */
    markets: z.record(z.string(), paperMarketSchema).optional(),
    /** Live venues: API base URL (a demo environment or a local server can be used). */
    baseUrl: z.url().optional(),
    /** Live venues: websocket URL for streamed quotes (Polymarket). */
    wsUrl: z.url().optional(),
    /** Live venues: a JSON file holding the credentials; otherwise environment variables are read. Never in this config. */
    credentialsFile: z.string().min(1).optional(),
    requestTimeoutMs: z.int().positive().max(120_000).optional(),
    rateLimit: z.strictObject({ readsPerSecond: z.number().positive().optional(), writesPerSecond: z.number().positive().optional() }).optional(),
    /** Fee overrides: Polymarket rate/exponent, Kalshi multiplier, SX rate. */
    fees: z
      .strictObject({ takerRate: decimal.optional(), exponent: z.int().min(0).max(4).optional(), multiplier: decimal.optional() })
      .optional(),
    /** Once the day's (UTC) realised net PnL on this venue has lost this much, no new position opens on it until midnight. */
    maxDailyLossUsd: decimal.optional(),
  });

  const pairLegSchema = z.strictObject({
    venue: z.string().min(1),
    /** The venue's market id: Kalshi ticker, Polymarket market (see README), SX market hash, or a paper market. */
    market: z.string().min(1),
    /** Which of this venue's outcomes is the pair's YES (a market may be phrased the other way round). */
    yesIs: z.enum(['yes', 'no']).optional(),
    /** The venue's minimum order, in contracts. */
    minContracts: decimal.optional(),
  });

  const pairSchema = z.strictObject({
    a: pairLegSchema,
    b: pairLegSchema,
    /** Net edge after fees, in basis points of the capital used, below which an opportunity is not taken. */
    minEdgeBps: z.int().min(0).max(10_000).optional(),
    /** Most USD (both legs together) one arbitrage may use. */
    maxSize: decimal.optional(),
    /** A person confirmed both markets are the same event with the same resolution rules; unconfirmed pairs are only listed. */
    confirmed: z.boolean().optional(),
  });

  const arbitrageSchema = z.strictObject({
    enabled: z.boolean().optional(),
    inFlightPerPairMax: z.int().positive().max(16).optional(),
    orderTimeoutMs: z.int().positive().max(120_000).optional(),
    timeInForce: z.enum(['fok', 'ioc']).optional(),
    /**
     * Hold each confirmed pair's next arbitrage armed: its funds reserved and its client order ids stored ahead, so an
     * opportunity's orders leave without waiting for the disk (see the README). Off: every arbitrage commits first.
     */
    armAhead: z.boolean().optional(),
    /** What to do with a leg whose hedge did not fill: try to hedge, else unwind, else hold under TP/SL. */
    unhedged: z
      .strictObject({
        action: z.enum(['hedge', 'unwind', 'hold']).optional(),
        /** The hedge may cost up to this much more than a break-even hedge, in basis points of $1. */
        hedgeMaxLossBps: z.int().min(0).max(5_000).optional(),
      })
      .optional(),
    /** Warn when a wallet's locked / total exceeds this percentage. */
    utilizationWarnPct: decimal.optional(),
  });

  const riskSchema = z.strictObject({
    /** Once the day's (UTC) realised net PnL of all venues together has lost this much, nothing new opens until midnight. */
    maxDailyLossUsd: decimal.optional(),
    /** The most positions open at once, arbitrage legs included. */
    maxOpenPositions: z.int().positive().max(1_000_000).optional(),
    /** The most cost basis one position may have; arbitrage sizes each leg within it. */
    maxPositionUsd: decimal.optional(),
  });

  const fileSchema = z.strictObject({
    $schema: z.string().optional(),
    db: z.string().min(1).optional(),
    synchronous: z.enum(synchronousModes).optional(),
    busyTimeoutMs: z.int().positive().max(600_000).optional(),
    venues: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'venue names are lower-case letters, digits, - and _'), venueSchema).optional(),
    tpsl: z
      .strictObject({ tp1Pct: decimal.optional(), tp2Pct: decimal.optional(), tp3Pct: decimal.optional(), slPct: decimal.optional() })
      .optional(),
    costs: z
      .strictObject({ feePct: decimal.optional(), spreadPct: decimal.optional(), slippagePct: decimal.optional() })
      .optional(),
    priceGuard: z
      .strictObject({
        maxJumpPct: decimal.optional(),
        /** With no fresh quote for this long, trading pauses (network loss). */
        staleAfterMs: z.int().positive().optional(),
      })
      .optional(),
    log: z.strictObject({ file: z.string().min(1).optional() }).optional(),
    pairs: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'pair names are letters, digits, ., - and _'), pairSchema).optional(),
    arbitrage: arbitrageSchema.optional(),
    risk: riskSchema.optional(),
  });
  return { fileSchema, paperMarketSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | null = null;

function loadSchemas(): Schemas {
  schemas ??= buildSchemas((createRequire(import.meta.url)('zod') as typeof import('zod')).z);
  return schemas;
}

export type ConfigFile = import('zod').z.infer<Schemas['fileSchema']>;
type PaperMarketFile = import('zod').z.infer<Schemas['paperMarketSchema']>;

export interface PaperMarketConfig {
  readonly bid: PriceMicros;
  readonly ask: PriceMicros;
  readonly depth: QtyMicros | null;
}

export interface LiveVenueSettings {
  readonly baseUrl: string | null;
  readonly wsUrl: string | null;
  readonly credentialsFile: string | null;
  readonly requestTimeoutMs: number | null;
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
  readonly yesIs: 'yes' | 'no';
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
  readonly venues: ReadonlyMap<string, VenueConfig>;
  readonly tpsl: LadderConfig;
  readonly costs: CostModel;
  readonly priceGuard: { readonly maxJumpPpm: Ppm; readonly staleAfterMs: number };
  readonly logFile: string | null;
  readonly pairs: ReadonlyMap<string, PairConfig>;
  readonly arbitrage: ArbitrageConfig;
  readonly risk: RiskLimits;
}

export const DEFAULT_CONFIG_PATH = './arbbot.config.json';

/** Built-in defaults: the seed's figures (TP 3/6/10%, SL 5%, fee 0.26%, spread 0.1%, slippage 0.05%). */
export const DEFAULTS = {
  synchronous: 'FULL',
  busyTimeoutMs: 10_000,
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

function resolveConfig(file: ConfigFile, source: string | null): Config {
  const where = source ?? 'built-in config';
  const at = <T>(key: string, parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      if (error instanceof MoneyFormatError || error instanceof RangeError) {
        throw new ConfigError(`config ${where}: ${key}: ${error.message.replace(/^[^:]*: /, '')}`);
      }
      throw error;
    }
  };
  const tpslFile = { ...DEFAULTS.tpsl, ...file.tpsl };
  const costsFile = { ...DEFAULTS.costs, ...file.costs };
  const pct = (key: string, value: string | number, allowZero: boolean): Ppm =>
    at(key, () => parsePct(value, { label: key, allowZero }));
  const tpsl: LadderConfig = {
    tp1Ppm: pct('tpsl.tp1Pct', tpslFile.tp1Pct, false),
    tp2Ppm: pct('tpsl.tp2Pct', tpslFile.tp2Pct, false),
    tp3Ppm: pct('tpsl.tp3Pct', tpslFile.tp3Pct, false),
    slPpm: pct('tpsl.slPct', tpslFile.slPct, false),
  };
  if (!(tpsl.tp1Ppm < tpsl.tp2Ppm && tpsl.tp2Ppm < tpsl.tp3Ppm)) throw new ConfigError(`config ${where}: tpsl: tp1Pct < tp2Pct < tp3Pct required`);
  if (tpsl.slPpm >= 1_000_000) throw new ConfigError(`config ${where}: tpsl.slPct: must be below 100`);
  const costs: CostModel = {
    feePpm: pct('costs.feePct', costsFile.feePct, true),
    spreadPpm: pct('costs.spreadPct', costsFile.spreadPct, true),
    slippagePpm: pct('costs.slippagePct', costsFile.slippagePct, true),
  };
  const venuesFile = file.venues ?? DEFAULTS.venues;
  const venues = new Map<string, VenueConfig>();
  for (const [name, venue] of Object.entries(venuesFile)) {
    const type = venue.type ?? 'paper';
    const predictionMarket = type !== 'paper' || (venue.predictionMarket ?? false);
    if (type !== 'paper' && venue.predictionMarket === false) {
      throw new ConfigError(`config ${where}: venues.${name}.predictionMarket: ${type} is always a prediction market`);
    }
    const markets = new Map<string, PaperMarketConfig>();
    const marketsFile: Record<string, PaperMarketFile> = 'markets' in venue ? (venue.markets ?? {}) : {};
    for (const [market, quote] of Object.entries(marketsFile)) {
      markets.set(market, at(`venues.${name}.markets.${market}`, () => paperMarket(quote)));
    }
    venues.set(name, {
      name,
      type,
      predictionMarket,
      markets,
      live: {
        baseUrl: venue.baseUrl ?? null,
        wsUrl: venue.wsUrl ?? null,
        credentialsFile: venue.credentialsFile ?? null,
        requestTimeoutMs: venue.requestTimeoutMs ?? null,
        readsPerSecond: venue.rateLimit?.readsPerSecond ?? null,
        writesPerSecond: venue.rateLimit?.writesPerSecond ?? null,
        fees: {
          takerRate: venue.fees?.takerRate === undefined ? null : String(venue.fees.takerRate),
          exponent: venue.fees?.exponent ?? null,
          multiplier: venue.fees?.multiplier === undefined ? null : String(venue.fees.multiplier),
        },
      },
      startingBalance: at(`venues.${name}.startingBalance`, () =>
        parseMicros(venue.startingBalance ?? '0', { label: 'startingBalance', allowZero: true }),
      ),
    });
  }
  const guard = { ...DEFAULTS.priceGuard, ...file.priceGuard };
  return {
    source,
    db: file.db ?? null,
    synchronous: file.synchronous ?? DEFAULTS.synchronous,
    busyTimeoutMs: file.busyTimeoutMs ?? DEFAULTS.busyTimeoutMs,
    venues,
    tpsl,
    costs,
    priceGuard: { maxJumpPpm: pct('priceGuard.maxJumpPct', guard.maxJumpPct, false), staleAfterMs: guard.staleAfterMs },
    logFile: file.log?.file ?? null,
    pairs: resolvePairs(file.pairs ?? (file.venues ? {} : DEFAULTS.pairs), venues, at),
    arbitrage: {
      enabled: file.arbitrage?.enabled ?? true,
      inFlightPerPairMax: file.arbitrage?.inFlightPerPairMax ?? 1,
      orderTimeoutMs: file.arbitrage?.orderTimeoutMs ?? 5_000,
      timeInForce: file.arbitrage?.timeInForce ?? 'fok',
      armAhead: file.arbitrage?.armAhead ?? true,
      unhedgedAction: file.arbitrage?.unhedged?.action ?? 'hedge',
      hedgeMaxLossBps: file.arbitrage?.unhedged?.hedgeMaxLossBps ?? 200,
      utilizationWarnPpm: pct('arbitrage.utilizationWarnPct', file.arbitrage?.utilizationWarnPct ?? '80', false),
    },
    risk: resolveRisk(file, venuesFile, at),
  };
}

/** The risk limits: each USD figure a positive decimal, each absent one no limit. */
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
