// What the Polymarket exchanges accept as a signed order: the EIP-712 struct and domains, the contracts per protocol,
// and the amount precisions the CLOB enforces. Sources: Polymarket clob-client-v2 1.1.0 (src/config.ts,
// src/order-utils/model/ctfExchangeV2TypedData.ts, src/order-builder/helpers/roundingConfig.ts), its protocol.ts
// (position ids) and the CLOB's own refusal text for market orders ("invalid amounts, the market buy orders maker
// amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals").
import { SCALE, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import type { OrderSide } from '../venue.js';

export type Hex = `0x${string}`;

export const POLYGON_CHAIN_ID = 137;
export const ORDER_DOMAIN_NAME = 'Polymarket CTF Exchange';
/** CTF token markets settle on the CTF Exchange V2 (neg-risk markets on their own one), domain version "2". */
export const CTF_EXCHANGE_V2 = '0xE111180000d2663C0091e4f400237545B87B996B';
export const NEG_RISK_CTF_EXCHANGE_V2 = '0xe2222d279d744050d28e00520010520000310F59';
/** Polymarket Protocol V2 markets trade position ids on ExchangeV3, domain version "3", neg-risk or not. */
export const EXCHANGE_V3 = '0xe3333700cA9d93003F00f0F71f8515005F6c00Aa';
export const ZERO_BYTES32 = `0x${'0'.repeat(64)}` as const;

/** The signed struct (the same for domain versions "2" and "3"): no taker, nonce or feeRateBps. */
export const ORDER_EIP712_TYPES = {
  Order: [
    { name: 'salt', type: 'uint256' },
    { name: 'maker', type: 'address' },
    { name: 'signer', type: 'address' },
    { name: 'tokenId', type: 'uint256' },
    { name: 'makerAmount', type: 'uint256' },
    { name: 'takerAmount', type: 'uint256' },
    { name: 'side', type: 'uint8' },
    { name: 'signatureType', type: 'uint8' },
    { name: 'timestamp', type: 'uint256' },
    { name: 'metadata', type: 'bytes32' },
    { name: 'builder', type: 'bytes32' },
  ],
} as const;

export interface UnsignedOrder {
  readonly salt: bigint;
  readonly maker: Hex;
  readonly signer: Hex;
  readonly tokenId: bigint;
  readonly makerAmount: bigint;
  readonly takerAmount: bigint;
  /** 0 = BUY, 1 = SELL. */
  readonly side: 0 | 1;
  readonly signatureType: number;
  /** Creation time in milliseconds. */
  readonly timestamp: bigint;
  readonly metadata: Hex;
  readonly builder: Hex;
}

export interface OrderDomain {
  readonly name: string;
  readonly version: '2' | '3';
  readonly chainId: number;
  readonly verifyingContract: Hex;
}

/** How a market's outcomes are identified on chain, which decides the exchange its orders are signed for. */
export type AssetProtocol = 'ctf' | 'positions';

// A Protocol V2 position id keeps these 64 bits zero; a CTF token id is a hash, so it almost never does.
const POSITION_RESERVED_BITS = ((1n << 64n) - 1n) << 40n;
const UINT256_MAX = (1n << 256n) - 1n;

/** Which protocol an asset id (a decimal uint256) belongs to, as clob-client-v2's isV2PositionId decides it. */
export function assetProtocol(assetId: string): AssetProtocol {
  const value = BigInt(assetId);
  return value <= UINT256_MAX && (value & POSITION_RESERVED_BITS) === 0n ? 'positions' : 'ctf';
}

export function orderDomain(protocol: AssetProtocol, negRisk: boolean, chainId: number = POLYGON_CHAIN_ID): OrderDomain {
  if (protocol === 'positions') return { name: ORDER_DOMAIN_NAME, version: '3', chainId, verifyingContract: EXCHANGE_V3 };
  return { name: ORDER_DOMAIN_NAME, version: '2', chainId, verifyingContract: negRisk ? NEG_RISK_CTF_EXCHANGE_V2 : CTF_EXCHANGE_V2 };
}

/**
 * BUY: the maker gives collateral (quantity × price) and takes outcome tokens (quantity); SELL the reverse.
 * Both amounts are micro-units; quantities carry at most 2 decimals and prices sit on the tick, so the product is exact.
 */
export function orderAmounts(side: OrderSide, quantity: QtyMicros, limitPrice: PriceMicros): { makerAmount: bigint; takerAmount: bigint } {
  const shares = BigInt(quantity);
  const collateral = (shares * BigInt(limitPrice)) / BigInt(SCALE);
  return side === 'buy' ? { makerAmount: collateral, takerAmount: shares } : { makerAmount: shares, takerAmount: collateral };
}

export type PolymarketOrderType = 'FOK' | 'FAK' | 'GTC';

/** Sizes (shares) carry at most 2 decimals: clob-client-v2's rounding config has `size: 2` at every tick. */
export const SIZE_DECIMALS = 2;
/** Market orders (FOK, FAK): the CLOB takes the maker amount to 2 decimals and the taker amount to 4, at any tick. */
const MARKET_MAKER_DECIMALS = 2;
const MARKET_TAKER_DECIMALS = 4;
const MICRO_DECIMALS = 6;

/** The decimals a price on this tick has: 10_000 (0.01) → 2, 2_500 (0.0025) → 4. */
export function tickDecimals(tickSize: PriceMicros): number {
  let decimals = MICRO_DECIMALS;
  for (let value: number = tickSize; decimals > 0 && value % 10 === 0; value /= 10) decimals -= 1;
  return decimals;
}

/**
 * The most decimals the CLOB accepts in an order's maker and taker amounts. Limit orders: the cash side to the tick's
 * decimals + 2 (clob-client-v2 ROUNDING_CONFIG `amount`), the share side to 2. Market orders: 2 and 4, whatever the side.
 */
export function amountDecimals(orderType: PolymarketOrderType, side: OrderSide, tickSize: PriceMicros): { maker: number; taker: number } {
  if (orderType !== 'GTC') return { maker: MARKET_MAKER_DECIMALS, taker: MARKET_TAKER_DECIMALS };
  const cash = tickDecimals(tickSize) + SIZE_DECIMALS;
  return side === 'buy' ? { maker: cash, taker: SIZE_DECIMALS } : { maker: SIZE_DECIMALS, taker: cash };
}

/** Whether a micro-unit amount has at most `decimals` decimals. */
export function hasDecimalsAtMost(amount: bigint, decimals: number): boolean {
  return amount % 10n ** BigInt(MICRO_DECIMALS - Math.min(decimals, MICRO_DECIMALS)) === 0n;
}

const CASH_UNIT_MICROS = 10 ** (MICRO_DECIMALS - MARKET_MAKER_DECIMALS);
const SIZE_UNIT_MICROS = 10 ** (MICRO_DECIMALS - SIZE_DECIMALS);
const STEP_MODULUS = (CASH_UNIT_MICROS * SCALE) / SIZE_UNIT_MICROS;

/**
 * The step a market (FOK/FAK) buy's quantity must be a multiple of at `limitPrice`: its cash amount, quantity ×
 * price, must have at most 2 decimals, and its quantity at most 2. At 0.531 that is 10 contracts, at 0.5313 100.
 */
export function marketBuyQuantityStep(limitPrice: PriceMicros): QtyMicros {
  // quantity = SIZE_UNIT × k, and quantity × price / SCALE a multiple of CASH_UNIT ⇔ k × price ≡ 0 (mod MODULUS).
  return (SIZE_UNIT_MICROS * (STEP_MODULUS / gcd(limitPrice, STEP_MODULUS))) as QtyMicros;
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
