// The SX adapter's parsers and signing against SX Bet's own API reference: the documented example responses
// (fixtures/venues/sx-docs.ts) fed straight into the parsers, the imitation's answers compared field by field with those examples,
// and the fill signature compared with one computed by the documented signing code.
import { hashTypedData, type TypedDataDefinition } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import { VenueResponseError } from '../../src/venues/errors.js';
import { fillTypedData, signFill, type FillToSign } from '../../src/venues/sx/auth.js';
import { describeSxMarket, parseMarkets } from '../../src/venues/sx/markets.js';
import {
  buildBook,
  describeSxError,
  isFillAlreadySubmitted,
  isOddsStale,
  parseFillResult,
  parseMakerOrders,
  parseMetadata,
  parseTradesPage,
  tradeId,
  type Hex,
  type SxMetadata,
} from '../../src/venues/sx/models.js';
import { activeMarkets, activeOrders, activeTrades, documentedEntries, documentedJson, FILL_EXAMPLE, FILL_SIGNING_TYPES, fillResponse, MAINNET, metadata, specificMarkets } from '../fixtures/venues/sx-docs.js';
import { SX_FILL_HASHER, SxImitation } from '../fixtures/venues/sx-server.js';

/** The token of the documented orders and trades examples (not mainnet USDC). */
const DOC_TOKEN = '0x8f3Cf7ad23Cd3CaDbD9735AFf958023239c6A063';
const MAINNET_METADATA: SxMetadata = { domainVersion: '6.0', fillHasher: SX_FILL_HASHER, usdc: MAINNET.usdc, takerMinimumUsdc: 5_000_000n, oddsLadderStepSize: 125 };

describe('documented example responses, straight into the parsers', () => {
  it('Metadata → Get metadata: the sample is of chain 416, so it is refused naming the mainnet chain it lacks', () => {
    expect(() => parseMetadata(documentedJson(metadata))).toThrow(new VenueResponseError('sx', 'metadata.data.addresses: no addresses for SX Network chain 4162'));
  });

  it('Orders → Get active orders: orders in another token than USDC are dropped; read in their own token they parse whole', () => {
    const body = documentedJson(activeOrders);
    expect(parseMakerOrders(body, MAINNET.usdc)).toEqual([]);
    expect(parseMakerOrders(body, DOC_TOKEN)).toEqual([
      { orderHash: '0xb46e5fff6498f061e93c4f5ed501ee72d924180d6aa78cdfd4d188d3383c91d4', totalBetSize: 10n ** 19n, fillAmount: 0n, percentageOdds: 70455284072443640000n, isMakerBettingOutcomeOne: true },
      { orderHash: '0xd055d177477bd19faa9bad5cb4f907d8ebe069b614bb708713de068293cb809d', totalBetSize: 10n ** 19n, fillAmount: 0n, percentageOdds: 29542732332840140000n, isMakerBettingOutcomeOne: false },
      { orderHash: '0xa5a30ca2251ac1431adf3d88f5734a53b78a13b2c707211eb83996bf099e3973', totalBetSize: 10n ** 19n, fillAmount: 0n, percentageOdds: 50000000000000000000n, isMakerBettingOutcomeOne: true },
    ]);
  });

  it('Unit Conversion → Bookmaker odds: a maker on outcome one at 0.704552841 offers the taker outcome two at 0.295447159', () => {
    const market = '0x0eeace4a9bbf6235bc59695258a419ed3a05a2c8e3b6a58fb71a0d9e6b031c2b';
    const orders = parseMakerOrders(documentedJson(activeOrders), DOC_TOKEN).slice(0, 2);
    // The taker's NO ask: 1 − 0.7045528407244364 = 0.2954471592755636, rounded up to 0.295448.
    expect(buildBook(orders, 'sx', market, 'no', 0).asks.map((level) => level.price)).toEqual([295_448]);
    expect(buildBook(orders, 'sx', market, 'yes', 0).asks.map((level) => level.price)).toEqual([704_573]);
  });

  it('Orders → Filling orders: the example response', () => {
    expect(parseFillResult(documentedJson(fillResponse))).toEqual({
      fillHash: '0x840763ae29b7a6adfa0e315afa47be30cdebd5b793d179dc07dc8fc4f0034965',
      isPartialFill: false,
      totalFilled: 50_000_000n,
      averageOdds: 73n * 10n ** 18n,
    });
  });

  it('Trades → Get active trades: no trade id, so each entry is its fill hash and order hash, unique across the page', () => {
    const body = documentedJson(activeTrades);
    const page = parseTradesPage(body, DOC_TOKEN);
    expect(page.nextCursor).toBe('60e4b70dc476a37a5b1b15ae');
    expect(page.items.map((trade) => [tradeId(trade), trade.maker, trade.bettingOutcomeOne, trade.stake, trade.betTimeSeconds, trade.status])).toEqual([
      ['0xbe846c92bec584c4d2215df76ac7d53ebab25f81a30cca5811fb93f35e8b5321:0xb47329db2a3f612748094f415f9bf478cbed2f196548ec68154bd1fc543a6f09', true, false, 10236134166947574099n, 1607708054, 'SUCCESS'],
      ['0xbe846c92bec584c4d2215df76ac7d53ebab25f81a30cca5811fb93f35e8b5321:0xb47329db2a3f612748094f415f9bf478cbed2f196548ec68154bd1fc543a6f09', false, true, 9999999999999999999n, 1607708054, 'SUCCESS'],
      ['0xc0240cf27c111d843bc4cf2de0521ab097223de933125857343e7a6fba469172:0x1534133364d8b18d803a9419914bb89a651de5e9fa1845868d6844a6670c4762', true, true, 17592800276256254757n, 1607719092, 'SUCCESS'],
      ['0xc0240cf27c111d843bc4cf2de0521ab097223de933125857343e7a6fba469172:0x1534133364d8b18d803a9419914bb89a651de5e9fa1845868d6844a6670c4762', false, false, 7835984995472770999n, 1607719092, 'SUCCESS'],
    ]);
    // Per bettor side the id is unique; the maker's and the taker's entries of one fill share it.
    const takers = page.items.filter((trade) => !trade.maker).map(tradeId);
    expect(new Set(takers).size).toBe(takers.length);
    // In USDC terms the page holds nothing, yet its nextKey still leads on.
    expect(parseTradesPage(body, MAINNET.usdc)).toEqual({ items: [], nextCursor: '60e4b70dc476a37a5b1b15ae' });
  });

  it('Trades: an empty page ends the listing even when it carries a nextKey', () => {
    expect(parseTradesPage({ status: 'success', data: { trades: [], nextKey: 'k', pageSize: 100 } }, MAINNET.usdc).nextCursor).toBeNull();
  });

  it('Markets → Get specific markets: a reported over/under market, described as SX gives it', () => {
    const [market] = parseMarkets(documentedJson(specificMarkets));
    expect(describeSxMarket(market!, MAINNET_METADATA)).toEqual({
      market: '0x3cba25f2253035b015b9bb555c1bf900f6737704d57425dd2a5b60e929c33b81',
      title: 'Aston Villa vs Burnley',
      closeTime: null,
      tickSize: null,
      minSize: null,
      notes: [
        'YES is outcome one “Over 2.5”, NO outcome two “Under 2.5”',
        'line 2.5',
        'Under/Over (type 2)',
        'status ACTIVE',
        'Soccer, English Premier League',
        'game time 2020-12-17T18:00:00.000Z',
        'void outcome NO_GAME_OR_EVEN refunds stakes',
        'reported: outcome 2',
        'minimum stake 5.00 USDC',
        'no taker tick (maker odds ladder step 125)',
      ],
    });
  });

  it('Markets → Get active markets: each Market object parses, with or without a line', () => {
    const markets = parseMarkets({ status: 'success', data: (documentedJson(activeMarkets) as { data: { markets: unknown[] } }).data.markets });
    expect(markets.map((market) => [market.type, market.line, market.liveEnabled])).toEqual([
      [226, null, true],
      [2, '36.5', true],
      [3, '1.5', true],
    ]);
  });

  it('Orders → Filling orders, Error Responses: ODDS_STALE is nothing matched, in whichever field it comes', () => {
    for (const body of [{ status: 'failure', errorCode: 'ODDS_STALE' }, { status: 'failure', message: 'ODDS_STALE' }, { status: 'failure', errorCode: 'ODDS_STALE', message: 'No orders found' }]) {
      expect(isOddsStale(describeSxError(400, body))).toBe(true);
    }
    expect(isOddsStale(describeSxError(400, { status: 'failure', errorCode: 'INSUFFICIENT_SPACE', message: 'pending fills' }))).toBe(false);
    expect(isFillAlreadySubmitted(describeSxError(400, { status: 'failure', errorCode: 'FILL_ALREADY_SUBMITTED' }))).toBe(true);
    expect(isFillAlreadySubmitted(describeSxError(400, { status: 'failure', errorCode: 'TAKER_SIGNATURE_MISMATCH' }))).toBe(false);
  });
});

describe('the imitation answers in the documented shapes', () => {
  const servers: SxImitation[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  const keys = (value: unknown) => Object.keys(value as Record<string, unknown>).sort();

  it('with exactly the fields of each documented example, but for the settlement fields of what is not settled', async () => {
    const taker = privateKeyToAccount(`0x${'22'.repeat(32)}`);
    const market = `0x${'cd'.repeat(32)}`;
    const server = await SxImitation.start({
      taker: taker.address,
      orders: [{ orderHash: '0xa1', marketHash: market, totalBetSize: 58_000_000n, percentageOdds: 58n * 10n ** 18n, isMakerBettingOutcomeOne: false }],
      balanceMicros: 100_000_000n,
      markets: [{ marketHash: market, outcomeOneName: 'Over 2.5', outcomeTwoName: 'Under 2.5', outcomeVoidName: 'NO_GAME_OR_EVEN', teamOneName: 'A', teamTwoName: 'B', type: 2, gameTime: 1608228000, line: 2.5, sportLabel: 'Soccer', leagueLabel: 'EPL', liveEnabled: false }],
    });
    servers.push(server);
    const get = async (path: string) => ((await (await fetch(`${server.server.url}${path}`)).json()) as { status: string; data: unknown });

    const meta = await get('/metadata');
    expect(keys(meta.data)).toEqual(keys((documentedJson(metadata) as { data: unknown }).data));
    expect(parseMetadata(meta)).toEqual({ ...MAINNET_METADATA, takerMinimumUsdc: 5_000_000n });

    const orders = await get(`/orders?marketHashes=${market}`);
    expect((orders.data as unknown[]).map(keys)).toEqual([keys(documentedEntries(activeOrders)[0])]);

    const fill: FillToSign = { marketHash: market, baseToken: MAINNET.usdc, stakeWei: 42_000_000n, desiredOdds: 42n * 10n ** 18n, oddsSlippage: 0n, isTakerBettingOutcomeOne: true, fillSalt: 1n };
    const signature = await signFill(taker, MAINNET_METADATA, fill);
    const filled = (await (
      await fetch(`${server.server.url}/orders/fill/v2`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ market, baseToken: MAINNET.usdc, isTakerBettingOutcomeOne: true, stakeWei: '42000000', desiredOdds: fill.desiredOdds.toString(), oddsSlippage: 0, taker: taker.address, takerSig: signature, fillSalt: '1', message: 'N/A' }),
      })
    ).json()) as { data: unknown };
    expect(keys(filled.data)).toEqual(keys((documentedJson(fillResponse) as { data: unknown }).data));

    const trades = (await get(`/trades?bettor=${taker.address}`)).data as { trades: unknown[] };
    const settlement = ['outcome', 'settleDate', 'settleValue'];
    expect(keys(trades)).toEqual(['pageSize', 'trades']); // nextKey only when more follow
    expect(trades.trades.map(keys)).toEqual([keys(documentedEntries(activeTrades, 'trades')[0]).filter((key) => !settlement.includes(key))]);

    const markets = (await get(`/markets/find?marketHashes=${market}`)).data as unknown[];
    const reported = ['outcome', 'reportedDate', 'teamOneScore', 'teamTwoScore'];
    expect(markets.map(keys)).toEqual([keys(documentedEntries(specificMarkets)[0]).filter((key) => !reported.includes(key))]);
  });
});

describe('the fill signature against the documented signing code', () => {
  const key: Hex = `0x${'11'.repeat(32)}`;
  const fill: FillToSign = {
    marketHash: FILL_EXAMPLE.marketHash,
    baseToken: FILL_EXAMPLE.baseToken,
    stakeWei: BigInt(FILL_EXAMPLE.stakeWei),
    desiredOdds: BigInt(FILL_EXAMPLE.desiredOdds),
    oddsSlippage: BigInt(FILL_EXAMPLE.oddsSlippage),
    isTakerBettingOutcomeOne: FILL_EXAMPLE.isTakerBettingOutcomeOne,
    fillSalt: BigInt(FILL_EXAMPLE.fillSalt),
  };
  const metadataFor = (domainVersion: string): SxMetadata => ({ ...MAINNET_METADATA, domainVersion });

  /**
   * Neither the reference nor an official SDK publishes a fill/v2 test vector (the curl example's takerSig is left from
   * the 2021 fill endpoint's example). This one was computed with @metamask/eth-sig-util 7.0.3 — the library and version
   * References → "Versions of dependencies" names — running the Filling orders JavaScript example's signTypedData (V4)
   * over its own payload, with this key, chain 4162, domain version "6.0" and SX_FILL_HASHER as the verifying contract.
   */
  const DOCUMENTED_CODE_SIGNATURE = '0x208f101a22cf7ed450f0c2dd6d433309ccd2bb73fee8c3f80fd141f1dbe918f87727362776e5685f13c0272a53fd6fcbc063d31e3e9718a371318bbcafbbd4871c';

  it('reproduces the signature the documented code makes, byte for byte', async () => {
    const account = privateKeyToAccount(key);
    expect(account.address).toBe('0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A');
    expect(await signFill(account, metadataFor('6.0'), fill)).toBe(DOCUMENTED_CODE_SIGNATURE);
    // Control: any signed field that differs (here the slippage) gives another signature.
    expect(await signFill(account, metadataFor('6.0'), { ...fill, oddsSlippage: 0n })).not.toBe(DOCUMENTED_CODE_SIGNATURE);
  });

  it('hashes the documented payload, EIP712Domain type list included, as the adapter’s typed data', () => {
    const documented = {
      types: FILL_SIGNING_TYPES,
      primaryType: 'Details',
      domain: { name: 'SX Bet', version: '6.0', chainId: MAINNET.chainId, verifyingContract: SX_FILL_HASHER },
      message: {
        action: 'N/A',
        betting: 'N/A',
        stake: 'N/A',
        worstOdds: 'N/A',
        worstReturning: 'N/A',
        market: FILL_EXAMPLE.marketHash,
        fills: {
          stakeWei: FILL_EXAMPLE.stakeWei,
          marketHash: FILL_EXAMPLE.marketHash,
          baseToken: FILL_EXAMPLE.baseToken,
          desiredOdds: FILL_EXAMPLE.desiredOdds,
          oddsSlippage: BigInt(FILL_EXAMPLE.oddsSlippage),
          isTakerBettingOutcomeOne: FILL_EXAMPLE.isTakerBettingOutcomeOne,
          fillSalt: BigInt(FILL_EXAMPLE.fillSalt),
          beneficiary: '0x0000000000000000000000000000000000000000',
          beneficiaryType: 0,
          cashOutTarget: `0x${'0'.repeat(64)}`,
        },
      },
    } as unknown as TypedDataDefinition;
    expect(hashTypedData(fillTypedData(metadataFor('6.0'), fill))).toBe(hashTypedData(documented));
    expect(hashTypedData(fillTypedData(metadataFor('5.0'), fill))).not.toBe(hashTypedData(documented));
  });
});
