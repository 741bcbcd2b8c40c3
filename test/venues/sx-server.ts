// An imitation of SX Bet's REST API (and the chain's JSON-RPC balanceOf), from the public docs and venues.md: the
// `{status, data}` envelope; integer strings for USDC (6 decimals) and 10^20-scaled odds; X-Api-Key checks; taker fills
// (POST /orders/fill/v2) verified by EIP-712 signature against its own copy of the types, matched best odds first
// within desiredOdds like IOC, deduped per (taker, fillSalt); per-maker-order trade records paginated by nextKey.
import { keccak256, recoverTypedDataAddress, toHex } from 'viem';
import { ImitationServer, type ImitationRequest, type Reply } from './imitation.js';

const ODDS = 10n ** 20n;
export const SX_USDC = '0x6629Ce1Cf35Cc1329ebB4F63202F3f197b3F050B';
export const SX_FILL_HASHER = '0x845a2Da2D70fEDe8474b1C8518200798c60aC364';
const DOMAIN_VERSION = '6.0';

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
  /** USDC base units (6 decimals). */
  readonly totalBetSize: bigint;
  /** Maker's implied probability × 10^20. */
  readonly percentageOdds: bigint;
  readonly isMakerBettingOutcomeOne: boolean;
}

export interface SxImitationOptions {
  readonly apiKey: string;
  readonly taker: Hex;
  readonly orders: readonly SxMakerOrderSpec[];
  readonly balanceMicros: bigint;
  readonly tradesPageSize?: number;
}

interface MakerOrder extends SxMakerOrderSpec {
  fillAmount: bigint;
}

interface Trade {
  readonly id: string;
  readonly fillHash: string;
  readonly orderHash: string;
  readonly marketHash: string;
  readonly bettor: string;
  readonly stake: bigint;
  readonly odds: bigint;
  readonly bettingOutcomeOne: boolean;
  readonly betTime: number;
}

export class SxImitation {
  readonly trades: Trade[] = [];
  readonly fills = new Map<string, Record<string, unknown>>();
  balanceMicros: bigint;
  server!: ImitationServer;
  private readonly orders: MakerOrder[];
  private nextTrade = 1;

  private constructor(private readonly options: SxImitationOptions) {
    this.balanceMicros = options.balanceMicros;
    this.orders = options.orders.map((order) => ({ ...order, fillAmount: 0n }));
  }

  static async start(options: SxImitationOptions): Promise<SxImitation> {
    const imitation = new SxImitation(options);
    imitation.server = await ImitationServer.start((request) => imitation.handle(request), (_status, message) => ({ status: 'failure', message }));
    return imitation;
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
    if (request.headers['x-api-key'] !== this.options.apiKey) return failure(401, 'Unauthorized: invalid API key');
    if (route === 'GET /orders') return this.listOrders(request.query);
    if (route === 'POST /orders/fill/v2') return this.fill(request);
    if (route === 'GET /trades') return this.listTrades(request.query);
    return failure(404, 'Not found');
  }

  private metadata(): Reply {
    return {
      status: 200,
      body: {
        status: 'success',
        data: {
          executorAddress: '0x52adf738AAD93c31f798a30b2C74D658e1E9a562',
          EIP712FillHasher: SX_FILL_HASHER,
          TokenTransferProxy: '0x38aef22152BC8965bf0af7Cf53586e4b0C4E9936',
          domainVersion: DOMAIN_VERSION,
          makerOrderMinimum: '10000000',
          addresses: { '4162': { USDC: SX_USDC, WSX: '0x3E96B0a25d51e3Cc89C557f152797c33B839968f' } },
        },
      },
    };
  }

  private listOrders(query: URLSearchParams): Reply {
    const markets = (query.get('marketHashes') ?? '').split(',');
    const data = this.orders
      .filter((order) => markets.includes(order.marketHash) && order.fillAmount < order.totalBetSize)
      .map((order) => ({
        orderHash: order.orderHash,
        marketHash: order.marketHash,
        maker: '0x000000000000000000000000000000000000beef',
        totalBetSize: order.totalBetSize.toString(),
        percentageOdds: order.percentageOdds.toString(),
        fillAmount: order.fillAmount.toString(),
        isMakerBettingOutcomeOne: order.isMakerBettingOutcomeOne,
        baseToken: SX_USDC,
        expiry: 2209006800,
        apiExpiry: 0,
        salt: '1',
        executor: '0x52adf738AAD93c31f798a30b2C74D658e1E9a562',
        signature: '0x',
        sportXeventId: 'L1',
      }));
    return { status: 200, body: { status: 'success', data } };
  }

  private async fill(request: ImitationRequest): Promise<Reply> {
    const body = request.json() as Record<string, unknown> | null;
    const parsed = parseFill(body);
    if (!parsed) return failure(400, 'Invalid request body');
    if (parsed.baseToken !== SX_USDC) return failure(400, 'Unsupported base token');
    const signer = await recoverTypedDataAddress({ ...typedFill(parsed), signature: parsed.takerSig }).catch(() => null);
    if (!signer || signer.toLowerCase() !== parsed.taker.toLowerCase() || signer.toLowerCase() !== this.options.taker.toLowerCase()) {
      return failure(400, 'Invalid signature: TAKER_SIGNATURE_MISMATCH');
    }
    const fillHash = keccak256(toHex(`${parsed.taker.toLowerCase()}:${parsed.fillSalt}`));
    const previous = this.fills.get(fillHash);
    if (previous) return { status: 200, body: { status: 'success', data: previous } };
    if (parsed.stakeWei > this.balanceMicros) return failure(400, 'INSUFFICIENT_TAKER_BALANCE');
    const data = this.match(parsed, fillHash);
    if (!data) return failure(400, 'NO_MATCHING_ORDERS');
    this.fills.set(fillHash, data);
    if (this.server.takeFault(request.method, request.pathname, ['drop-after-accept'])) return 'drop';
    return { status: 200, body: { status: 'success', data } };
  }

  /** Best taker odds first, while within desiredOdds (plus slippage percent); each maker order its own trade. */
  private match(fill: ParsedFill, fillHash: string): Record<string, unknown> | null {
    const worst = (fill.desiredOdds * (100n + fill.oddsSlippage)) / 100n;
    const offers = this.orders
      .filter((order) => order.marketHash === fill.market && order.isMakerBettingOutcomeOne !== fill.isTakerBettingOutcomeOne && ODDS - order.percentageOdds <= worst)
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
      order.fillAmount += (stake * order.percentageOdds + takerOdds - 1n) / takerOdds;
      if (order.fillAmount > order.totalBetSize) order.fillAmount = order.totalBetSize;
      left -= stake;
      payout += (stake * ODDS) / takerOdds;
      this.trades.push({ id: `trade-${this.nextTrade++}`, fillHash, orderHash: order.orderHash, marketHash: fill.market, bettor: fill.taker, stake, odds: takerOdds, bettingOutcomeOne: fill.isTakerBettingOutcomeOne, betTime });
    }
    const totalFilled = fill.stakeWei - left;
    if (totalFilled === 0n) return null;
    this.balanceMicros -= totalFilled;
    return { fillHash, isPartialFill: left > 0n, totalFilled: totalFilled.toString(), averageOdds: ((totalFilled * ODDS) / payout).toString() };
  }

  private listTrades(query: URLSearchParams): Reply {
    const bettor = query.get('bettor')?.toLowerCase();
    const markets = query.get('marketHashes')?.split(',');
    const matching = this.trades.filter((trade) => (!bettor || trade.bettor.toLowerCase() === bettor) && (!markets || markets.includes(trade.marketHash)));
    const pageSize = Math.min(Number(query.get('pageSize') ?? '100'), this.options.tradesPageSize ?? 300);
    const key = query.get('paginationKey');
    const start = key ? matching.findIndex((trade) => trade.id === key) + 1 : 0;
    const page = matching.slice(start, start + pageSize);
    const more = start + pageSize < matching.length;
    const trades = page.map((trade) => ({
      baseToken: SX_USDC,
      bettor: trade.bettor,
      stake: trade.stake.toString(),
      normalizedStake: (trade.stake / 1_000_000n).toString(),
      odds: trade.odds.toString(),
      orderHash: trade.orderHash,
      marketHash: trade.marketHash,
      maker: false,
      bettingOutcomeOne: trade.bettingOutcomeOne,
      settled: false,
      fillHash: trade.fillHash,
      tradeStatus: 'SUCCESS',
      valid: true,
      betType: 0,
      contractsVersion: DOMAIN_VERSION,
      chainVersion: 'SXR',
      _id: trade.id,
      betTime: trade.betTime,
    }));
    return { status: 200, body: { status: 'success', data: { trades, ...(more ? { nextKey: page.at(-1)!.id } : {}), pageSize, count: matching.length } } };
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

function parseFill(body: Record<string, unknown> | null): ParsedFill | null {
  if (!body) return null;
  const digits = (key: string) => (typeof body[key] === 'string' && /^\d+$/.test(body[key] as string) ? BigInt(body[key] as string) : null);
  const stakeWei = digits('stakeWei');
  const desiredOdds = digits('desiredOdds');
  const fillSalt = digits('fillSalt');
  if (stakeWei === null || desiredOdds === null || fillSalt === null || typeof body.isTakerBettingOutcomeOne !== 'boolean') return null;
  if (typeof body.market !== 'string' || typeof body.taker !== 'string' || typeof body.takerSig !== 'string' || typeof body.oddsSlippage !== 'number') return null;
  return {
    market: body.market,
    baseToken: String(body.baseToken),
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
    domain: { name: 'SX Bet', version: DOMAIN_VERSION, chainId: 4162, verifyingContract: SX_FILL_HASHER as Hex },
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

function failure(status: number, message: string): Exclude<Reply, 'drop'> {
  return { status, body: { status: 'failure', message } };
}
