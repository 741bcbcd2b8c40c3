// SX Bet wire shapes and their translation to the Venue port's types. Everything that knows an SX field name, path,
// contract constant or unit lives in this file (SX is moving to an "orderbook v3" API: keep the table here).
//
// Units: USDC amounts are integer strings with 6 decimals (= our micro-units; SX API reference, Unit Conversion →
// Tokens; GET /metadata names the token's address but not its decimals). Only USDC is traded: the exchange also takes
// WSX (18 decimals), whose amounts read as USDC would be 10^12 times too large, so every order and trade is filtered
// on the USDC address from GET /metadata. Odds are implied probabilities scaled
// by 10^20 ("percentageOdds"): a maker at q = po/10^20 on one outcome offers the taker the other outcome at 1 − q.
// Markets are binary: outcome one is our YES, outcome two our NO. A "contract" is $1 of payout: staking s at taker
// probability p buys s/p contracts.
import { SCALE, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import type { Page } from '../http/paginate.js';
import { errorText, Wire } from '../http/wire.js';
import type { BookLevel, OrderBook, Outcome } from '../venue.js';

export const SX = 'sx';

export const SX_PATHS = {
  metadata: '/metadata',
  orders: '/orders',
  fill: '/orders/fill/v2',
  trades: '/trades',
  markets: '/markets/find',
} as const;

/** SX Network mainnet (API reference, References → Mainnet). */
export const SX_CHAIN_ID = 4162;
export const ODDS_SCALE = 10n ** 20n;
/** 10^20-scaled odds → 10^6-scaled prices. */
const ODDS_PER_MICRO = ODDS_SCALE / BigInt(SCALE);
const SCALE_BIG = BigInt(SCALE);

export type Hex = `0x${string}`;

/** The taker fill's EIP-712 types; only `fills` carries data, the Details strings are literal "N/A" placeholders. */
export const FILL_EIP712_TYPES = {
  Details: [
    { name: 'action', type: 'string' },
    { name: 'market', type: 'string' },
    { name: 'betting', type: 'string' },
    { name: 'stake', type: 'string' },
    { name: 'worstOdds', type: 'string' },
    { name: 'worstReturning', type: 'string' },
    { name: 'fills', type: 'FillObject' },
  ],
  FillObject: [
    { name: 'stakeWei', type: 'string' },
    { name: 'marketHash', type: 'string' },
    { name: 'baseToken', type: 'string' },
    { name: 'desiredOdds', type: 'string' },
    { name: 'oddsSlippage', type: 'uint256' },
    { name: 'isTakerBettingOutcomeOne', type: 'bool' },
    { name: 'fillSalt', type: 'uint256' },
    { name: 'beneficiary', type: 'address' },
    { name: 'beneficiaryType', type: 'uint8' },
    { name: 'cashOutTarget', type: 'bytes32' },
  ],
} as const;

export const ZERO_ADDRESS: Hex = `0x${'0'.repeat(40)}`;
export const ZERO_BYTES32: Hex = `0x${'0'.repeat(64)}`;

export interface SxMetadata {
  readonly domainVersion: string;
  readonly fillHasher: Hex;
  readonly usdc: Hex;
  /** The smallest taker stake in USDC base units (`takerMinimums`); null when the metadata gives none for USDC. */
  readonly takerMinimumUsdc: bigint | null;
  /** The maker odds ladder step (`oddsLadderStepSize`) as given; null when absent. */
  readonly oddsLadderStepSize: number | null;
}

/**
 * GET /metadata → `{status, data:{domainVersion, EIP712FillHasher, addresses:{4162:{USDC}}, takerMinimums:{<token>:…},
 * oddsLadderStepSize}}`. The documented sample is of an older network (chain 416): it has no mainnet addresses.
 */
export function parseMetadata(body: unknown): SxMetadata {
  const data = successData(body, 'metadata');
  const addresses = data.object('addresses');
  if (!addresses.has(String(SX_CHAIN_ID))) addresses.fail(`no addresses for SX Network chain ${SX_CHAIN_ID}`);
  const usdc = hex(addresses.object(String(SX_CHAIN_ID)), 'USDC');
  return {
    domainVersion: data.string('domainVersion'),
    fillHasher: hex(data, 'EIP712FillHasher'),
    usdc,
    takerMinimumUsdc: data.has('takerMinimums') ? tokenAmount(data.object('takerMinimums'), usdc) : null,
    oddsLadderStepSize: data.has('oddsLadderStepSize') ? data.integer('oddsLadderStepSize') : null,
  };
}

/** The amount a token-keyed map holds for `token`; addresses compare without regard to checksum case. */
function tokenAmount(map: Wire, token: Hex): bigint | null {
  const key = Object.keys(map.value).find((address) => sameAddress(address, token));
  return key === undefined ? null : map.bigint(key);
}

export function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export interface SxMakerOrder {
  readonly orderHash: string;
  readonly totalBetSize: bigint;
  readonly fillAmount: bigint;
  readonly percentageOdds: bigint;
  readonly isMakerBettingOutcomeOne: boolean;
}

/**
 * GET /orders?marketHashes=&baseToken= → `{status:"success", data:[{orderHash, baseToken, totalBetSize, percentageOdds,
 * fillAmount, isMakerBettingOutcomeOne, …}]}`. Only orders in `usdc` are kept: the request asks for them alone, and
 * an order in another token that comes back all the same is dropped rather than read as USDC.
 */
export function parseMakerOrders(body: unknown, usdc: Hex): SxMakerOrder[] {
  const wire = Wire.of(SX, 'orders', body);
  if (wire.string('status') !== 'success') wire.fail(`status: ${wire.string('status')}`);
  return wire
    .objects('data')
    .filter((order) => sameAddress(order.string('baseToken'), usdc))
    .map((order) => {
      const percentageOdds = order.bigint('percentageOdds');
      if (percentageOdds <= 0n || percentageOdds >= ODDS_SCALE) order.fail('percentageOdds must lie strictly between 0 and 10^20');
      return {
        orderHash: order.string('orderHash'),
        totalBetSize: order.bigint('totalBetSize'),
        fillAmount: order.bigint('fillAmount'),
        percentageOdds,
        isMakerBettingOutcomeOne: order.boolean('isMakerBettingOutcomeOne'),
      };
    });
}

/** Taker odds (10^20 scale) for taking this maker order, i.e. the taker's implied probability. */
export function takerOdds(order: SxMakerOrder): bigint {
  return ODDS_SCALE - order.percentageOdds;
}

/** Contracts (= payout) bought by staking `stake` at `odds`: stake / p, rounded down against us. */
export function contractsFor(stake: bigint, odds: bigint): bigint {
  return (stake * ODDS_SCALE) / odds;
}

/** Stake needed for `contracts` at `odds`: contracts × p, rounded up so the stake never buys fewer. */
export function stakeFor(contracts: bigint, odds: bigint): bigint {
  return (contracts * odds + ODDS_SCALE - 1n) / ODDS_SCALE;
}

/** A 10^20-scaled probability as a price, rounded against us: up for what we pay, down for what we would receive. */
export function oddsToPrice(odds: bigint, rounding: 'up' | 'down'): PriceMicros {
  const price = rounding === 'up' ? (odds + ODDS_PER_MICRO - 1n) / ODDS_PER_MICRO : odds / ODDS_PER_MICRO;
  return Number(price) as PriceMicros;
}

export function priceToOdds(price: PriceMicros): bigint {
  return BigInt(price) * ODDS_PER_MICRO;
}

/** What a maker order offers a taker of `outcome`: it must be betting the other outcome. */
export function offersTo(order: SxMakerOrder, outcome: Outcome): boolean {
  return order.isMakerBettingOutcomeOne === (outcome === 'no');
}

/**
 * The book for one outcome. Asks: maker orders on the other outcome, at the taker's price 1 − q rounded up. Bids:
 * maker orders on this outcome, at q rounded down (what buying them out via the other outcome is worth). Sizes are
 * contracts of payout, remaining stake / q, rounded down. Levels that round to the same price merge.
 */
export function buildBook(orders: readonly SxMakerOrder[], venue: string, marketHash: string, outcome: Outcome, receivedMs: number): OrderBook {
  const asks = new Map<number, number>();
  const bids = new Map<number, number>();
  for (const order of orders) {
    const remaining = order.totalBetSize - order.fillAmount;
    if (remaining <= 0n) continue;
    const contracts = Number(contractsFor(remaining, order.percentageOdds));
    if (contracts === 0) continue;
    if (offersTo(order, outcome)) addLevel(asks, oddsToPrice(takerOdds(order), 'up'), contracts);
    else addLevel(bids, oddsToPrice(order.percentageOdds, 'down'), contracts);
  }
  const levels = (map: Map<number, number>): BookLevel[] => [...map].map(([price, size]) => ({ price: price as PriceMicros, size: size as QtyMicros }));
  return {
    venue,
    market: marketHash,
    outcome,
    bids: levels(bids).sort((a, b) => b.price - a.price),
    asks: levels(asks).sort((a, b) => a.price - b.price),
    timestampMs: receivedMs,
  };
}

function addLevel(levels: Map<number, number>, price: number, contracts: number): void {
  levels.set(price, (levels.get(price) ?? 0) + contracts);
}

/**
 * POST /orders/fill/v2's body. `message` is listed as required in the request table though the documented example
 * leaves it out; it is sent so that the body satisfies both (it is not part of the signed data).
 */
export interface FillBody {
  readonly market: string;
  readonly baseToken: Hex;
  readonly isTakerBettingOutcomeOne: boolean;
  readonly stakeWei: string;
  readonly desiredOdds: string;
  readonly oddsSlippage: number;
  readonly taker: Hex;
  readonly takerSig: Hex;
  readonly fillSalt: string;
  readonly message: string;
}

export interface FillResult {
  readonly fillHash: string;
  readonly isPartialFill: boolean;
  readonly totalFilled: bigint;
  /** 10^20-scaled, the taker's stake-weighted implied probability. */
  readonly averageOdds: bigint;
}

/** POST /orders/fill/v2 → `{status:"success", data:{fillHash, isPartialFill, totalFilled, averageOdds}}`. */
export function parseFillResult(body: unknown): FillResult {
  const data = successData(body, 'fill');
  const totalFilled = data.bigint('totalFilled');
  const averageOdds = totalFilled === 0n ? 0n : data.bigint('averageOdds');
  if (totalFilled > 0n && (averageOdds <= 0n || averageOdds >= ODDS_SCALE)) data.fail('averageOdds must lie strictly between 0 and 10^20');
  return { fillHash: data.string('fillHash'), isPartialFill: data.boolean('isPartialFill'), totalFilled, averageOdds };
}

/**
 * ODDS_STALE: "No orders could not be found for the desiredOdds and oddsSlippage" — nothing matched, so no bet was
 * made: the documented outcome of a FOK/IOC with nothing to take, not a failure.
 */
export function isOddsStale(message: string): boolean {
  return /\bODDS_STALE\b/.test(message);
}

/** FILL_ALREADY_SUBMITTED: a fill with this salt was accepted before, so it may have filled. */
export function isFillAlreadySubmitted(message: string): boolean {
  return /\bFILL_ALREADY_SUBMITTED\b/.test(message);
}

export type SxTradeStatus = 'PENDING' | 'SUCCESS' | 'FAILED';

export interface SxTrade {
  /** The fill's identifier: one fill that takes several maker orders is one trade entry per order, all with this hash. */
  readonly fillHash: string;
  readonly orderHash: string;
  readonly stake: bigint;
  /** The bettor's implied probability, 10^20-scaled. */
  readonly odds: bigint;
  readonly maker: boolean;
  readonly bettingOutcomeOne: boolean;
  readonly betTimeSeconds: number;
  readonly status: SxTradeStatus;
}

/** A trade entry's own identity: the fill it belongs to and the maker order it took (trades have no id of their own). */
export function tradeId(trade: SxTrade): string {
  return `${trade.fillHash}:${trade.orderHash}`;
}

/**
 * GET /trades → `{status, data:{trades:[…], nextKey, pageSize}}`, one entry per maker order a fill took. Trades in a
 * token other than `usdc` are dropped. Whether the last page still carries a nextKey is not documented: an empty page
 * ends the listing either way. PENDING is not a documented /trades status, but the realtime consolidated trades carry
 * it; it is read as a fill still settling on chain.
 */
export function parseTradesPage(body: unknown, usdc: Hex): Page<SxTrade> {
  const data = successData(body, 'trades');
  const entries = data.objects('trades');
  const items = entries
    .filter((trade) => sameAddress(trade.string('baseToken'), usdc))
    .map((trade) => {
      const status = trade.string('tradeStatus');
      if (status !== 'PENDING' && status !== 'SUCCESS' && status !== 'FAILED') trade.fail(`tradeStatus: unknown value "${status}"`);
      return {
        fillHash: trade.string('fillHash'),
        orderHash: trade.string('orderHash'),
        stake: trade.bigint('stake'),
        odds: trade.bigint('odds'),
        maker: trade.boolean('maker'),
        bettingOutcomeOne: trade.boolean('bettingOutcomeOne'),
        betTimeSeconds: trade.integer('betTime'),
        status: status as SxTradeStatus,
      };
    });
  const nextKey = data.optionalString('nextKey');
  return { items, nextCursor: entries.length === 0 || nextKey === null || nextKey === '' ? null : nextKey };
}

// ---- USDC balance: ERC-20 balanceOf over JSON-RPC (SX's REST API has no documented balance endpoint) ----

const BALANCE_OF_SELECTOR = '0x70a08231';

export function balanceOfCall(usdc: Hex, owner: Hex): unknown {
  const data = `${BALANCE_OF_SELECTOR}${owner.slice(2).toLowerCase().padStart(64, '0')}`;
  return { jsonrpc: '2.0', id: 1, method: 'eth_call', params: [{ to: usdc, data }, 'latest'] };
}

export function parseBalanceOfResult(body: unknown): Micros {
  const wire = Wire.of(SX, 'eth_call', body);
  if (wire.has('error')) wire.fail(`JSON-RPC error: ${errorText(wire.value.error)}`);
  const result = wire.string('result');
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(result)) wire.fail('result: expected a uint256 hex string');
  const balance = BigInt(result);
  if (balance > BigInt(Number.MAX_SAFE_INTEGER)) wire.fail('result: balance too large');
  return Number(balance) as Micros; // USDC has 6 decimals: its base unit is our micro-dollar
}

export function feeOnStake(stake: bigint, ratePpm: number): Micros {
  return Number((stake * BigInt(ratePpm) + SCALE_BIG - 1n) / SCALE_BIG) as Micros;
}

/**
 * SX's error answer as one line. The API reference lists error codes per endpoint (ODDS_STALE, TAKER_AMOUNT_TOO_LOW, …)
 * but not the envelope they come in, so the code is kept wherever it is: `errorCode`, or the message text itself.
 */
export function describeSxError(_status: number, body: unknown): string {
  const text = errorText(body);
  const code = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).errorCode : undefined;
  return typeof code === 'string' && code !== '' && !text.includes(code) ? `${code}: ${text}` : text;
}

function successData(body: unknown, what: string): Wire {
  const wire = Wire.of(SX, what, body);
  if (wire.string('status') !== 'success') wire.fail(`status: ${wire.string('status')}`);
  return wire.object('data');
}

function hex(wire: Wire, key: string): Hex {
  const value = wire.string(key);
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) wire.fail(`${key}: expected an address`);
  return value as Hex;
}
