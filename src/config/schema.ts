// The config file's schema, validated with zod: unknown keys rejected, decimal strings (or numbers) for amounts.
import { createRequire } from 'node:module';

export const synchronousModes = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;
/** What `run` does when the ledger cannot be written (locked past busyTimeoutMs, disk full, an I/O error). */
export const storageFaultActions = ['pause', 'exit'] as const;
export const VENUE_TYPES = ['paper', 'kalshi', 'polymarket', 'sx'] as const;
export type VenueType = (typeof VENUE_TYPES)[number];

type Zod = typeof import('zod').z;

/**
 * The config file's schema. zod is loaded (its CommonJS build, the faster to load) only when there is a file to
 * validate, so the zero-config path and every command's start-up do not pay for it.
 */
// eslint-disable-next-line max-lines-per-function -- a declared table: the config file's schema, key by key
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
    /** Live venues: websocket URL for streamed books (Kalshi, Polymarket); the venue's own with its default baseUrl. */
    wsUrl: z.url().optional(),
    /** Live venues: false keeps polling the books over HTTP even where a stream is known. */
    stream: z.boolean().optional(),
    /** Live venues: no frame from the stream for this long and it is dropped, its books broken, and it reconnects. */
    streamStaleAfterMs: z.int().min(100).max(600_000).optional(),
    /** Live venues: a JSON file holding the credentials; otherwise environment variables are read. Never in this config. */
    credentialsFile: z.string().min(1).optional(),
    requestTimeoutMs: z.int().positive().max(120_000).optional(),
    /** Live venues: the most of one reply read, in bytes; a longer reply is cut off and the request fails. */
    replyBytesMax: z.int().min(1024).max(256 * 1024 * 1024).optional(),
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
    maxOpenPositions: z.int().positive().max(100_000).optional(),
    /** The most cost basis one position may have; arbitrage sizes each leg within it. */
    maxPositionUsd: decimal.optional(),
  });

  /** The name of an environment variable that holds a secret: the secret itself never sits in the config. */
  const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name: letters, digits and _');
  const notifySchema = z.strictObject({
    /** A JSON POST of every alert to this URL. */
    webhook: z.strictObject({ url: z.url() }).optional(),
    /** Telegram's sendMessage, the bot token and chat id read from these environment variables. */
    telegram: z.strictObject({ tokenEnv: envName, chatIdEnv: envName, apiBaseUrl: z.url().optional() }).optional(),
    /** A Discord webhook: its URL (which carries the webhook's token) here or, better, in an environment variable. */
    discord: z.strictObject({ url: z.url().optional(), urlEnv: envName.optional() }).optional(),
    /** A venue paused for longer than this is alerted about (once per pause). */
    pauseAlertAfterS: z.int().positive().max(7 * 24 * 3600).optional(),
    /** Alerts waiting for each channel; one more is dropped (and counted). */
    queueLengthMax: z.int().positive().max(10_000).optional(),
    /** Tries per alert and channel before it is dropped. */
    attemptsMax: z.int().min(1).max(10).optional(),
    /** The wait before the first retry; each further retry waits twice as long. */
    retryBackoffMs: z.int().min(1).max(60_000).optional(),
    timeoutMs: z.int().positive().max(60_000).optional(),
  });

  const fileSchema = z.strictObject({
    $schema: z.string().optional(),
    db: z.string().min(1).optional(),
    synchronous: z.enum(synchronousModes).optional(),
    busyTimeoutMs: z.int().positive().max(600_000).optional(),
    onStorageFault: z.enum(storageFaultActions).optional(),
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
    log: z
      .strictObject({
        file: z.string().min(1).optional(),
        /** The log file is rotated when a line would take it past this size. */
        maxBytes: z.int().min(1024).max(1024 * 1024 * 1024).optional(),
        /** Rotated files kept beside it (file.1 newest … file.N oldest); older ones are deleted. */
        keep: z.int().min(1).max(100).optional(),
      })
      .optional(),
    pairs: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'pair names are letters, digits, ., - and _'), pairSchema).optional(),
    arbitrage: arbitrageSchema.optional(),
    risk: riskSchema.optional(),
    notify: notifySchema.optional(),
  });
  return { fileSchema, paperMarketSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | null = null;

export function loadSchemas(): Schemas {
  schemas ??= buildSchemas((createRequire(import.meta.url)('zod') as typeof import('zod')).z);
  return schemas;
}

export type ConfigFile = import('zod').z.infer<Schemas['fileSchema']>;
export type PaperMarketFile = import('zod').z.infer<Schemas['paperMarketSchema']>;

