// An imitation of SX Bet's REST API (and the chain's JSON-RPC balanceOf), answerable to SX's API reference (the
// sx-bet-api-docs repository; its examples are in sx-docs.ts): every answer carries exactly the fields of the
// documented example for its endpoint, in the `{status, data}` envelope, with integer strings for token amounts and
// 10^20-scaled odds. No endpoint asks for an API key (API Key: the key is for the websocket only). Addresses compare
// case for case, since the reference says lowercase addresses find nothing.
//
// Where the reference is silent, the imitation chooses, and says so at each place:
//  - error answers: the reference lists error codes per endpoint but neither the HTTP status nor the envelope; the
//    imitation answers 400 with `{status:"failure", errorCode}`;
//  - POST /orders/fill/v2 matches at once (SX matches after a betting delay of 0.5 s pre-game, seconds in play; a test
//    moves the book in that window with beforeNextFill);
//  - the fill body's `market` is read as the market hash, as the JavaScript example sends it: the request table calls
//    it a user-facing string that can be "N/A", but no other field of the body names the market;
//  - oddsSlippage is read as a tolerance on decimal odds, as the example's comment has it (0.83 at 5% → "worst decimal
//    odds ~1.14", i.e. taker odds up to 0.83 / 0.95); the adapter always sends 0;
//  - a fill's fillHash is also the fillHash of each trade it makes (one trade entry per maker order taken, for the
//    taker and for the maker), which is how Trades → "Get active trades" and "Get consolidated trades" read together;
//  - a taker short of funds is refused with INSUFFICIENT_BALANCE (no such fill error is documented);
//  - /trades pages: nextKey is an opaque key, absent on the last page; trades not yet settled carry no settlement
//    fields (the example shows only settled ones);
//  - /markets/find leaves out a well-formed hash it does not know and refuses a malformed one (BAD_MARKET_HASHES).
import { keccak256, recoverTypedDataAddress, toHex } from 'viem';
import { ImitationServer, type ImitationRequest, type Reply } from './imitation.js';
import { MAINNET } from './sx-docs.js';

const ODDS = 10n ** 20n;
export const SX_USDC = MAINNET.usdc;
export const SX_WSX = MAINNET.wsx;
/** Mainnet's fill hasher is not printed in the reference (the Metadata sample is of an older chain): any address serves. */
export const SX_FILL_HASHER = '0x845a2Da2D70fEDe8474b1C8518200798c60aC364';
const DOMAIN_VERSION = '6.0';
/** The Metadata sample's USDC taker minimum (5 USDC). */
export const SX_TAKER_MINIMUM_USDC = 5_000_000n;
const EXECUTOR = '0x52adf738AAD93c31f798a30b2C74D658e1E9a562';
/** Deprecated order expiry, "always 2209006800" (Orders → Get active orders). */
const ORDER_EXPIRY = 2209006800;

const FILL_TYPES = {
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

type Hex = `0x${string}`;

export interface SxMakerOrderSpec {
  readonly orderHash: string;
  readonly marketHash: string;
  /** In the base token's units (USDC: 6 decimals, WSX: 18). */
  readonly totalBetSize: bigint;
  /** Maker's implied probability × 10^20. */
  readonly percentageOdds: bigint;
  readonly isMakerBettingOutcomeOne: boolean;
  /** USDC unless given. */
  readonly baseToken?: string;
}

/** A market as Markets → "Get specific markets" gives it. */
export interface SxMarketSpec {
  readonly marketHash: string;
  readonly outcomeOneName: string;
  readonly outcomeTwoName: string;
  readonly outcomeVoidName: string;
  readonly teamOneName: string;
  readonly teamTwoName: string;
  readonly type: number;
  readonly gameTime: number;
  readonly line?: number;
  readonly sportLabel: string;
  readonly leagueLabel: string;
  readonly liveEnabled: boolean;
}

export interface SxImitationOptions {
  readonly taker: Hex;
  readonly orders: readonly SxMakerOrderSpec[];
  readonly balanceMicros: bigint;
  readonly markets?: readonly SxMarketSpec[];
  readonly tradesPageSize?: number;
  readonly takerMinimumUsdc?: bigint;
}

interface MakerOrder extends SxMakerOrderSpec {
  readonly baseToken: string;
  fillAmount: bigint;
}

interface Trade {
  readonly key: string;
  readonly fillHash: string;
  readonly orderHash: string;
  readonly marketHash: string;
  readonly baseToken: string;
  readonly bettor: string;
  readonly maker: boolean;
  readonly stake: bigint;
  readonly odds: bigint;
  readonly bettingOutcomeOne: boolean;
  readonly betTime: number;
}

const MAKER = '0x63a4491dC73245E181c47BAe0ae9d6627E56dE55';

export class SxImitation {
  readonly trades: Trade[] = [];
  readonly fills = new Map<string, Record<string, unknown>>();
  balanceMicros: bigint;
  server!: ImitationServer;
  private readonly orders: MakerOrder[];
  private nextTrade = 1;
  private pendingChange: (() => void) | null = null;

  private constructor(private readonly options: SxImitationOptions) {
    this.balanceMicros = options.balanceMicros;
    this.orders = options.orders.map((order) => ({ ...order, baseToken: order.baseToken ?? SX_USDC, fillAmount: 0n }));
  }

  static async start(options: SxImitationOptions): Promise<SxImitation> {
    const imitation = new SxImitation(options);
    imitation.server = await ImitationServer.start((request) => imitation.handle(request), (_status, message) => ({ status: 'failure', message }));
    return imitation;
  }

  /** Runs once when the next fill arrives, before it is matched: the book moving during SX's betting delay. */
  beforeNextFill(change: () => void): void {
    this.pendingChange = change;
  }

  /** A maker cancels: the order leaves the book. */
  cancel(orderHash: string): void {
    const index = this.orders.findIndex((order) => order.orderHash === orderHash);
    if (index >= 0) this.orders.splice(index, 1);
  }

  /** A maker posts an order. */
  post(order: SxMakerOrderSpec): void {
    this.orders.push({ ...order, baseToken: order.baseToken ?? SX_USDC, fillAmount: 0n });
  }

  get rpcUrl(): string {
    return `${this.server.url}/rpc`;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(request: ImitationRequest): Promise<Reply> {
    const route = `${request.method} ${request.pathname}`;
    if (route === 'POST /rpc') return this.rpc(request);
    if (route === 'GET /metadata') return this.metadata();
    if (route === 'GET /orders') return this.listOrders(request.query);
    if (route === 'POST /orders/fill/v2') return this.fill(request);
    if (route === 'GET /trades') return this.listTrades(request.query);
    if (route === 'GET /markets/find') return this.findMarkets(request.query);
    return failure(404, 'NOT_FOUND');
  }

  /** Metadata → "Get metadata": the sample's fields, with mainnet's chain and token addresses (References → Mainnet). */
  private metadata(): Reply {
    const minimum = (this.options.takerMinimumUsdc ?? SX_TAKER_MINIMUM_USDC).toString();
    return success({
      executorAddress: EXECUTOR,
      oracleFees: { [SX_USDC]: '0', [SX_WSX]: '0' },
      sportXAffiliate: { address: '0x0000000000000000000000000000000000000000', amount: '0' },
      makerOrderMinimums: { [SX_USDC]: '10000000', [SX_WSX]: '30000000000000000000' },
      takerMinimums: { [SX_USDC]: minimum, [SX_WSX]: '30000000000000000000' },
      addresses: { [String(MAINNET.chainId)]: { USDC: SX_USDC, WSX: SX_WSX } },
      totalVolume: 214120305.80276245,
      domainVersion: DOMAIN_VERSION,
      EIP712FillHasher: SX_FILL_HASHER,
      TokenTransferProxy: '0x38aef22152BC8965bf0af7Cf53586e4b0C4E9936',
      bridgeFee: 1,
      // Orders → "Post a new order": "Currently, that is set to intervals of 0.125%" (the sample's 25 is older).
      oddsLadderStepSize: 125,
    });
  }

  /** Orders → "Get active orders": one of marketHashes or maker is required; baseToken and maker filter. */
  private listOrders(query: URLSearchParams): Reply {
    const markets = query.get('marketHashes')?.split(',') ?? null;
    const maker = query.get('maker');
    if (markets === null && maker === null) return failure(400, 'MISSING_MARKET_HASHES_OR_MAKER'); // the code is not documented
    const baseToken = query.get('baseToken');
    const data = this.orders
      .filter((order) => (markets === null || markets.includes(order.marketHash)) && (maker === null || maker === MAKER))
      .filter((order) => (baseToken === null || order.baseToken === baseToken) && order.fillAmount < order.totalBetSize)
      .map((order) => ({
        fillAmount: order.fillAmount.toString(),
        orderHash: order.orderHash,
        marketHash: order.marketHash,
        maker: MAKER,
        totalBetSize: order.totalBetSize.toString(),
        percentageOdds: order.percentageOdds.toString(),
        expiry: ORDER_EXPIRY,
        apiExpiry: 2_000_000_000,
        baseToken: order.baseToken,
        executor: EXECUTOR,
        salt: BigInt(keccak256(toHex(order.orderHash))).toString(),
        isMakerBettingOutcomeOne: order.isMakerBettingOutcomeOne,
        signature: `0x${'00'.repeat(65)}`,
        createdAt: '2026-01-01T00:00:00.000Z',
      }));
    return success(data);
  }

  /** Orders → "Filling orders", with its documented error codes. */
  private async fill(request: ImitationRequest): Promise<Reply> {
    const parsed = parseFill(request.json() as Record<string, unknown> | null);
    if (!parsed) return failure(400, 'BAD_REQUEST'); // the code is not documented
    if (parsed.desiredOdds >= ODDS) return failure(400, 'INVALID_ODDS');
    if (parsed.oddsSlippage < 0n || parsed.oddsSlippage > 100n) return failure(400, 'INVALID_ODDS_SLIPPAGE');
    const signer = await recoverTypedDataAddress({ ...typedFill(parsed), signature: parsed.takerSig }).catch(() => null);
    if (!signer || signer !== parsed.taker || signer !== this.options.taker) return failure(400, 'TAKER_SIGNATURE_MISMATCH');
    const fillHash = keccak256(toHex(`${parsed.taker}:${parsed.fillSalt}`));
    if (this.fills.has(fillHash)) return failure(400, 'FILL_ALREADY_SUBMITTED');
    if (parsed.baseToken === SX_USDC && parsed.stakeWei < (this.options.takerMinimumUsdc ?? SX_TAKER_MINIMUM_USDC)) return failure(400, 'TAKER_AMOUNT_TOO_LOW');
    if (parsed.stakeWei > this.balanceMicros) return failure(400, 'INSUFFICIENT_BALANCE');
    const change = this.pendingChange;
    this.pendingChange = null;
    change?.();
    const data = this.match(parsed, fillHash);
    if (!data) return failure(400, 'ODDS_STALE');
    this.fills.set(fillHash, data);
    if (this.server.takeFault(request.method, request.pathname, ['drop-after-accept'])) return 'drop';
    return success(data);
  }

  /** Best taker odds first, while within desiredOdds and the slippage; each maker order taken is a trade. */
  private match(fill: ParsedFill, fillHash: string): Record<string, unknown> | null {
    const worst = fill.oddsSlippage === 100n ? ODDS : (fill.desiredOdds * 100n) / (100n - fill.oddsSlippage);
    const offers = this.orders
      .filter((order) => order.marketHash === fill.market && order.baseToken === fill.baseToken && order.isMakerBettingOutcomeOne !== fill.isTakerBettingOutcomeOne && ODDS - order.percentageOdds <= worst)
      .sort((a, b) => (a.percentageOdds > b.percentageOdds ? -1 : 1));
    let left = fill.stakeWei;
    let payout = 0n;
    const betTime = Math.floor(Date.now() / 1000);
    for (const order of offers) {
      if (left === 0n) break;
      const takerOdds = ODDS - order.percentageOdds;
      const capacity = ((order.totalBetSize - order.fillAmount) * takerOdds) / order.percentageOdds;
      const stake = capacity < left ? capacity : left;
      if (stake === 0n) continue;
      const before = order.fillAmount;
      order.fillAmount += (stake * order.percentageOdds + takerOdds - 1n) / takerOdds;
      if (order.fillAmount > order.totalBetSize) order.fillAmount = order.totalBetSize;
      left -= stake;
      payout += (stake * ODDS) / takerOdds;
      const common = { fillHash, orderHash: order.orderHash, marketHash: fill.market, baseToken: order.baseToken, betTime };
      this.trades.push({ ...common, key: this.tradeKey(), bettor: fill.taker, maker: false, stake, odds: takerOdds, bettingOutcomeOne: fill.isTakerBettingOutcomeOne });
      this.trades.push({ ...common, key: this.tradeKey(), bettor: MAKER, maker: true, stake: order.fillAmount - before, odds: order.percentageOdds, bettingOutcomeOne: order.isMakerBettingOutcomeOne });
    }
    const totalFilled = fill.stakeWei - left;
    if (totalFilled === 0n) return null;
    this.balanceMicros -= totalFilled;
    return { fillHash, isPartialFill: left > 0n, totalFilled: totalFilled.toString(), averageOdds: ((totalFilled * ODDS) / payout).toString() };
  }

  private tradeKey(): string {
    return (this.nextTrade++).toString(16).padStart(24, '0');
  }

  /** Trades → "Get active trades": bettor, marketHashes, baseToken and maker filter; paged by nextKey. */
  private listTrades(query: URLSearchParams): Reply {
    const bettor = query.get('bettor');
    const markets = query.get('marketHashes')?.split(',');
    const baseToken = query.get('baseToken');
    const makerOnly = query.get('maker') === 'true';
    const matching = this.trades.filter(
      (trade) => (!bettor || trade.bettor === bettor) && (!markets || markets.includes(trade.marketHash)) && (!baseToken || trade.baseToken === baseToken) && (!makerOnly || trade.maker),
    );
    const pageSize = Math.min(Number(query.get('pageSize') ?? '100'), this.options.tradesPageSize ?? 100);
    const key = query.get('paginationKey');
    const start = key ? matching.findIndex((trade) => trade.key === key) + 1 : 0;
    const page = matching.slice(start, start + pageSize);
    const more = start + pageSize < matching.length;
    const trades = page.map((trade) => ({
      baseToken: trade.baseToken,
      bettor: trade.bettor,
      stake: trade.stake.toString(),
      odds: trade.odds.toString(),
      orderHash: trade.orderHash,
      marketHash: trade.marketHash,
      maker: trade.maker,
      betTime: trade.betTime,
      settled: false,
      bettingOutcomeOne: trade.bettingOutcomeOne,
      fillHash: trade.fillHash,
      tradeStatus: 'SUCCESS',
      valid: true,
      marketHasRefunds: false,
    }));
    return success({ trades, ...(more ? { nextKey: page.at(-1)!.key } : {}), pageSize });
  }

  /** Markets → "Get specific markets": at most 30 hashes. */
  private findMarkets(query: URLSearchParams): Reply {
    const hashes = query.get('marketHashes')?.split(',') ?? [];
    if (hashes.length === 0 || hashes.length > 30 || hashes.some((hash) => !/^0x[0-9a-f]{64}$/.test(hash))) return failure(400, 'BAD_MARKET_HASHES');
    const data = (this.options.markets ?? [])
      .filter((market) => hashes.includes(market.marketHash))
      .map((market) => ({
        status: 'ACTIVE',
        marketHash: market.marketHash,
        outcomeOneName: market.outcomeOneName,
        outcomeTwoName: market.outcomeTwoName,
        outcomeVoidName: market.outcomeVoidName,
        teamOneName: market.teamOneName,
        teamTwoName: market.teamTwoName,
        type: market.type,
        gameTime: market.gameTime,
        ...(market.line === undefined ? {} : { line: market.line }),
        sportXEventId: 'L7032829',
        liveEnabled: market.liveEnabled,
        sportLabel: market.sportLabel,
        sportId: 6,
        leagueId: 1070,
        leagueLabel: market.leagueLabel,
        group1: market.leagueLabel,
      }));
    return success(data);
  }

  /** eth_call of USDC balanceOf(address). */
  private rpc(request: ImitationRequest): Reply {
    const call = request.json() as { id?: unknown; method?: unknown; params?: Array<{ to?: string; data?: string }> } | null;
    const target = call?.params?.[0];
    if (call?.method !== 'eth_call' || target?.to?.toLowerCase() !== SX_USDC.toLowerCase() || !target.data?.startsWith('0x70a08231')) {
      return { status: 200, body: { jsonrpc: '2.0', id: call?.id ?? null, error: { code: -32601, message: 'unsupported call' } } };
    }
    const owner = `0x${target.data.slice(-40)}`.toLowerCase();
    const balance = owner === this.options.taker.toLowerCase() ? this.balanceMicros : 0n;
    return { status: 200, body: { jsonrpc: '2.0', id: call.id, result: `0x${balance.toString(16).padStart(64, '0')}` } };
  }
}

interface ParsedFill {
  readonly market: string;
  readonly baseToken: string;
  readonly isTakerBettingOutcomeOne: boolean;
  readonly stakeWei: bigint;
  readonly desiredOdds: bigint;
  readonly oddsSlippage: bigint;
  readonly taker: Hex;
  readonly takerSig: Hex;
  readonly fillSalt: bigint;
}

/**
 * The request payload table's required fields. `message` is listed there as required but the documented example
 * leaves it out, so the imitation takes the body with or without it.
 */
function parseFill(body: Record<string, unknown> | null): ParsedFill | null {
  if (!body) return null;
  const digits = (key: string) => (typeof body[key] === 'string' && /^\d+$/.test(body[key] as string) ? BigInt(body[key] as string) : null);
  const stakeWei = digits('stakeWei');
  const desiredOdds = digits('desiredOdds');
  const fillSalt = digits('fillSalt');
  if (stakeWei === null || desiredOdds === null || fillSalt === null || typeof body.isTakerBettingOutcomeOne !== 'boolean') return null;
  if (typeof body.market !== 'string' || typeof body.baseToken !== 'string' || typeof body.taker !== 'string' || typeof body.takerSig !== 'string') return null;
  if (typeof body.oddsSlippage !== 'number' || !Number.isInteger(body.oddsSlippage)) return null;
  if (body.message !== undefined && typeof body.message !== 'string') return null;
  return {
    market: body.market,
    baseToken: body.baseToken,
    isTakerBettingOutcomeOne: body.isTakerBettingOutcomeOne,
    stakeWei,
    desiredOdds,
    oddsSlippage: BigInt(body.oddsSlippage),
    taker: body.taker as Hex,
    takerSig: body.takerSig as Hex,
    fillSalt,
  };
}

function typedFill(fill: ParsedFill) {
  return {
    domain: { name: 'SX Bet', version: DOMAIN_VERSION, chainId: MAINNET.chainId, verifyingContract: SX_FILL_HASHER as Hex },
    types: FILL_TYPES,
    primaryType: 'Details' as const,
    message: {
      action: 'N/A',
      market: fill.market,
      betting: 'N/A',
      stake: 'N/A',
      worstOdds: 'N/A',
      worstReturning: 'N/A',
      fills: {
        stakeWei: fill.stakeWei.toString(),
        marketHash: fill.market,
        baseToken: fill.baseToken,
        desiredOdds: fill.desiredOdds.toString(),
        oddsSlippage: fill.oddsSlippage,
        isTakerBettingOutcomeOne: fill.isTakerBettingOutcomeOne,
        fillSalt: fill.fillSalt,
        beneficiary: `0x${'0'.repeat(40)}` as Hex,
        beneficiaryType: 0,
        cashOutTarget: `0x${'0'.repeat(64)}` as Hex,
      },
    },
  };
}

function success(data: unknown): Reply {
  return { status: 200, body: { status: 'success', data } };
}

/** The documented error code in the envelope the imitation chooses (see the top of this file). */
function failure(status: number, errorCode: string): Exclude<Reply, 'drop'> {
  return { status, body: { status: 'failure', errorCode } };
}
