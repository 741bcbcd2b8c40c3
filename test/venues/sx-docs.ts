// Example payloads from SX Bet's official API reference (the sx-bet-api-docs repository, github.com/sx-bet/sx-bet-api-docs,
// source/includes/*.md at commit a950b8848aa6af2c23a238f7ce92adee2eca5b35 of 2026-03-02), copied verbatim and named by
// page and section. Some are not valid JSON as published; each repair is listed beside its example and must match
// exactly as often as it says, so that a copy drifting from the published text fails loudly rather than being patched.
//
// Some are older than the exchange they describe, and the tests say so where it matters: the Metadata sample is of
// chain 416 (no mainnet addresses), and the orders and trades examples are in a token 0x8f3C…A063, not mainnet USDC
// (their amounts, 10^19 for a bet, are of an 18-decimal token).

export interface Repair {
  readonly find: string;
  readonly replace: string;
  readonly count: number;
  readonly why: string;
}

export interface DocumentedExample {
  readonly page: string;
  readonly section: string;
  readonly repairs: readonly Repair[];
  readonly text: string;
}

/** The example as JSON, after its listed repairs (each must match exactly `count` times). */
export function documentedJson(example: DocumentedExample): unknown {
  let text = example.text;
  for (const repair of example.repairs) {
    const found = text.split(repair.find).length - 1;
    if (found !== repair.count) throw new Error(`${example.page} → ${example.section}: repair "${repair.why}" matched ${found} times, not ${repair.count}`);
    text = text.split(repair.find).join(repair.replace);
  }
  return JSON.parse(text) as unknown;
}

/** A documented example's `data` (or `data.<key>`) entries, for key-by-key comparison. */
export function documentedEntries(example: DocumentedExample, key?: string): Record<string, unknown>[] {
  const data = (documentedJson(example) as { data: unknown }).data;
  return (key === undefined ? data : (data as Record<string, unknown>)[key]) as Record<string, unknown>[];
}

/** References → Mainnet. */
export const MAINNET = {
  chainId: 4162,
  usdc: '0x6629Ce1Cf35Cc1329ebB4F63202F3f197b3F050B',
  wsx: '0x3E96B0a25d51e3Cc89C557f152797c33B839968f',
  apiUrl: 'https://api.sx.bet',
  rpcUrl: 'https://rpc-rollup.sx.technology',
} as const;

/** Unit Conversion → Tokens. */
export const TOKEN_DECIMALS = { USDC: 6, WSX: 18 } as const;

/**
 * Orders → Filling orders: the JavaScript example's values and signing payload, verbatim but for the domain, whose
 * version is written there without its key (`"6.0",`) and whose chain id and verifying contract are read from
 * GET /metadata (4162 on mainnet, References → Mainnet). fillSalt is the curl example's.
 */
export const FILL_EXAMPLE = {
  stakeWei: '50000000',
  marketHash: '0x0246b760b06009ece42d08e706563de1967e7f1b4799d0f559244e3f80bbc496',
  baseToken: '0x6629Ce1Cf35Cc1329ebB4F63202F3f197b3F050B',
  desiredOdds: '83000000000000000000',
  oddsSlippage: 5,
  isTakerBettingOutcomeOne: true,
  fillSalt: '69231297238279245345865414293427982207908612843136003245427437324972455931243',
} as const;

export const FILL_SIGNING_TYPES = {
  EIP712Domain: [
    { name: 'name', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'chainId', type: 'uint256' },
    { name: 'verifyingContract', type: 'address' },
  ],
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

/** Metadata → "Get metadata": the example response, verbatim. */
export const metadata: DocumentedExample = {
  page: 'Metadata',
  section: 'Get metadata',
  repairs: [],
  text: String.raw`{
  "status": "success",
  "data": {
    "executorAddress": "0x52adf738AAD93c31f798a30b2C74D658e1E9a562",
    "oracleFees": {
      "0xA173954Cc4b1810C0dBdb007522ADbC182DaB380": "2600000000000000000",
      "0xe2aa35C2039Bd0Ff196A6Ef99523CC0D3972ae3e": "2600000000000000000",
      "0xaa99bE3356a11eE92c3f099BD7a038399633566f": "2600000000000000000"
    },
    "sportXAffiliate": {
      "address": "0xa21ac1436f7fcD43008c9473A78433339E222FcA",
      "amount": "1400000000000000000"
    },
    "makerOrderMinimums": {
      "0xA173954Cc4b1810C0dBdb007522ADbC182DaB380": "5000000000000000",
      "0xe2aa35C2039Bd0Ff196A6Ef99523CC0D3972ae3e": "10000000",
      "0xaa99bE3356a11eE92c3f099BD7a038399633566f": "30000000000000000000"
    },
    "takerMinimums": {
      "0xA173954Cc4b1810C0dBdb007522ADbC182DaB380": "2500000000000000",
      "0xe2aa35C2039Bd0Ff196A6Ef99523CC0D3972ae3e": "5000000",
      "0xaa99bE3356a11eE92c3f099BD7a038399633566f": "30000000000000000000"
    },
    "addresses": {
      "416": {
        "WETH": "0xA173954Cc4b1810C0dBdb007522ADbC182DaB380",
        "USDC": "0xe2aa35C2039Bd0Ff196A6Ef99523CC0D3972ae3e",
        "WSX": "0xaa99bE3356a11eE92c3f099BD7a038399633566f"
      }
    },
    "totalVolume": 214120305.80276245,
    "domainVersion": "5.0",
    "EIP712FillHasher": "0x3E96B0a25d51e3Cc89C557f152797c33B839968f",
    "TokenTransferProxy": "0xCc4fBba7D0E0F2A03113F42f5D3aE80d9B2aD55d",
    "bridgeFee": 1,
    "oddsLadderStepSize": 25
  }
}`,
};

/** Orders → "Get active orders": the example response, verbatim. */
export const activeOrders: DocumentedExample = {
  page: 'Orders',
  section: 'Get active orders',
  repairs: [
    { find: "\"apiExpiry\": 1631233201\n      \"baseToken\"", replace: "\"apiExpiry\": 1631233201,\n      \"baseToken\"", count: 1, why: 'a comma is missing after apiExpiry' },
  ],
  text: String.raw`{
  "status": "success",
  "data": [
    {
      "fillAmount": "0",
      "orderHash": "0xb46e5fff6498f061e93c4f5ed501ee72d924180d6aa78cdfd4d188d3383c91d4",
      "marketHash": "0x0eeace4a9bbf6235bc59695258a419ed3a05a2c8e3b6a58fb71a0d9e6b031c2b",
      "maker": "0x63a4491dC73245E181c47BAe0ae9d6627E56dE55",
      "totalBetSize": "10000000000000000000",
      "percentageOdds": "70455284072443640000",
      "expiry": 2209006800,
      "apiExpiry": 1631233201
      "baseToken": "0x8f3Cf7ad23Cd3CaDbD9735AFf958023239c6A063",
      "executor": "0x3E91041b9e60C7275f8296b8B0a97141e6442d49",
      "salt": "69415402816762328320330277846098411244657139277332120954321492419616371539163",
      "isMakerBettingOutcomeOne": true,
      "signature": "0x2aaea5b7c86166c0fbf2745c66aff794a23d21ac71ee143d08706700adbb59aa4c9b862286cf736acae5a74b10847ced73b628f4396eaab0af13b0c637fe4d021b",
      "createdAt": "2021-06-04T17:42:07.257Z"
    },
    {
      "fillAmount": "0",
      "orderHash": "0xd055d177477bd19faa9bad5cb4f907d8ebe069b614bb708713de068293cb809d",
      "marketHash": "0x0eeace4a9bbf6235bc59695258a419ed3a05a2c8e3b6a58fb71a0d9e6b031c2b",
      "maker": "0x63a4491dC73245E181c47BAe0ae9d6627E56dE55",
      "totalBetSize": "10000000000000000000",
      "percentageOdds": "29542732332840140000",
      "expiry": 2209006800,
      "apiExpiry": 1631233201,
      "baseToken": "0x8f3Cf7ad23Cd3CaDbD9735AFf958023239c6A063",
      "executor": "0x3E91041b9e60C7275f8296b8B0a97141e6442d49",
      "salt": "37069036490382455296196784649228360571791475783443923366499720348790829992442",
      "isMakerBettingOutcomeOne": false,
      "signature": "0x68fb16ff440c65e0306cb16a9842da362480208a9a75597d45ca722769d93e6a13c9196a2654f764bfd5c0d4c83165c0a8ffa955ae9af8afd17544b0db29eaf71c",
      "createdAt": "2021-06-04T17:42:07.303Z"
    },
    {
      "fillAmount": "0",
      "orderHash": "0xa5a30ca2251ac1431adf3d88f5734a53b78a13b2c707211eb83996bf099e3973",
      "marketHash": "0x15c5cceb3d27518241355e9f148ef96b0a178f1bcdb366dea2d0e621a9cef1fb",
      "maker": "0x63a4491dC73245E181c47BAe0ae9d6627E56dE55",
      "totalBetSize": "10000000000000000000",
      "percentageOdds": "50000000000000000000",
      "expiry": 2209006800,
      "apiExpiry": 1631233201,
      "baseToken": "0x8f3Cf7ad23Cd3CaDbD9735AFf958023239c6A063",
      "executor": "0x3E91041b9e60C7275f8296b8B0a97141e6442d49",
      "salt": "90344661128498016788545482097709376028896473001963632493180076229973632520043",
      "isMakerBettingOutcomeOne": true,
      "signature": "0x9b6c1e1d0cae584a3078f20d7bafd2031467a1cbce905027c6c970c13edef4357eeac625afe869417ffbecfb67b6672b765177d42fbda777f6b1a00962da2cc61c",
      "createdAt": "2021-06-04T17:42:07.270Z"
    }
  ]
}`,
};

/** Orders → "Filling orders": the example response, verbatim. */
export const fillResponse: DocumentedExample = {
  page: 'Orders',
  section: 'Filling orders',
  repairs: [],
  text: String.raw`{
  "status": "success",
  "data": {
    "fillHash": "0x840763ae29b7a6adfa0e315afa47be30cdebd5b793d179dc07dc8fc4f0034965",
    "isPartialFill": false,
    "totalFilled": "50000000",
    "averageOdds": "73000000000000000000" 
  }
}`,
};

/** Trades → "Get active trades": the example response, verbatim. */
export const activeTrades: DocumentedExample = {
  page: 'Trades',
  section: 'Get active trades',
  repairs: [],
  text: String.raw`{
  "status": "success",
  "data": {
    "trades": [
      {
        "baseToken": "0x8f3Cf7ad23Cd3CaDbD9735AFf958023239c6A063",
        "bettor": "0x63a4491dC73245E181c47BAe0ae9d6627E56dE55",
        "stake": "10236134166947574099",
        "odds": "50583446830801460000",
        "orderHash": "0xb47329db2a3f612748094f415f9bf478cbed2f196548ec68154bd1fc543a6f09",
        "marketHash": "0x3fd03af14bf11264f5274ed4c8cc283e4479d29d33e17409e8e7d9b26ca9f030",
        "maker": true,
        "betTime": 1607708054,
        "settled": true,
        "settleValue": 1,
        "bettingOutcomeOne": false,
        "fillHash": "0xbe846c92bec584c4d2215df76ac7d53ebab25f81a30cca5811fb93f35e8b5321",
        "tradeStatus": "SUCCESS",
        "valid": true,
        "marketHasRefunds": false,
        "outcome": 1,
        "settleDate": "2020-12-11T20:17:45.990Z"
      },
      {
        "baseToken": "0x8f3Cf7ad23Cd3CaDbD9735AFf958023239c6A063",
        "bettor": "0x683bcf3ecc5A6e2E99ff83f3300515a584108391",
        "stake": "9999999999999999999",
        "odds": "49416553169198540000",
        "orderHash": "0xb47329db2a3f612748094f415f9bf478cbed2f196548ec68154bd1fc543a6f09",
        "marketHash": "0x3fd03af14bf11264f5274ed4c8cc283e4479d29d33e17409e8e7d9b26ca9f030",
        "maker": false,
        "betTime": 1607708054,
        "settled": true,
        "settleValue": 1,
        "bettingOutcomeOne": true,
        "fillHash": "0xbe846c92bec584c4d2215df76ac7d53ebab25f81a30cca5811fb93f35e8b5321",
        "tradeStatus": "SUCCESS",
        "valid": true,
        "marketHasRefunds": false,
        "outcome": 1,
        "settleDate": "2020-12-11T20:17:45.990Z"
      },
      {
        "baseToken": "0x8f3Cf7ad23Cd3CaDbD9735AFf958023239c6A063",
        "bettor": "0xE965292B97CD666e85FaB99e2732b1A71046cf3F",
        "stake": "17592800276256254757",
        "odds": "69184587813620070000",
        "orderHash": "0x1534133364d8b18d803a9419914bb89a651de5e9fa1845868d6844a6670c4762",
        "marketHash": "0xcb8285aeef17d824b76cf4a00ba5f2bf256048114937c85609897e7b8967e9ca",
        "maker": true,
        "betTime": 1607719092,
        "settled": true,
        "settleValue": 1,
        "bettingOutcomeOne": true,
        "fillHash": "0xc0240cf27c111d843bc4cf2de0521ab097223de933125857343e7a6fba469172",
        "tradeStatus": "SUCCESS",
        "valid": true,
        "marketHasRefunds": false,
        "outcome": 1,
        "settleDate": "2020-12-11T22:02:19.484Z"
      },
      {
        "baseToken": "0x8f3Cf7ad23Cd3CaDbD9735AFf958023239c6A063",
        "bettor": "0x5aC843EecBf67669d4003aa49aE5e0136dc73365",
        "stake": "7835984995472770999",
        "odds": "30815412186379930000",
        "orderHash": "0x1534133364d8b18d803a9419914bb89a651de5e9fa1845868d6844a6670c4762",
        "marketHash": "0xcb8285aeef17d824b76cf4a00ba5f2bf256048114937c85609897e7b8967e9ca",
        "maker": false,
        "betTime": 1607719092,
        "settled": true,
        "settleValue": 1,
        "bettingOutcomeOne": false,
        "fillHash": "0xc0240cf27c111d843bc4cf2de0521ab097223de933125857343e7a6fba469172",
        "tradeStatus": "SUCCESS",
        "valid": true,
        "marketHasRefunds": false,
        "outcome": 1,
        "settleDate": "2020-12-11T22:02:19.484Z"
      }
    ],
    "nextKey": "60e4b70dc476a37a5b1b15ae",
    "pageSize": 4
  }
}`,
};

/** Markets → "Get active markets": the example response, verbatim. */
export const activeMarkets: DocumentedExample = {
  page: 'Markets',
  section: 'Get active markets',
  repairs: [
    { find: "\"leagueId\": 1070,\n  ,\n", replace: "\"leagueId\": 1070,\n", count: 3, why: 'a line holding only a comma follows leagueId' },
  ],
  text: String.raw`{
  "status": "success",
  "data": {
    "markets": [
      {
        "status": "ACTIVE",
        "marketHash": "0x0d64c52e8781acdada86920a2d1e5acd6f29dcfe285cf9cae367b671dff05f7d",
        "outcomeOneName": "Nikoloz Basilashvili",
        "outcomeTwoName": "Carlos Alcaraz",
        "outcomeVoidName": "NO_CONTEST",
        "teamOneName": "Nikoloz Basilashvili",
        "teamTwoName": "Carlos Alcaraz",
        "type": 226,
        "gameTime": 1622735700,
        "sportXEventId": "L7032829",
        "liveEnabled": true,
        "sportLabel": "Tennis",
        "sportId": 6,
        "leagueId": 1070,
  ,
        "leagueLabel": "ATP French Open",
        "group1": "ATP French Open"
      },
      {
        "status": "ACTIVE",
        "marketHash": "0xe609a49d083cd41214a0db276c1ba323c4a947eefd2e4260386fec7b5d258188",
        "outcomeOneName": "Over 36.5",
        "outcomeTwoName": "Under 36.5",
        "outcomeVoidName": "NO_GAME_OR_EVEN",
        "teamOneName": "Nikoloz Basilashvili",
        "teamTwoName": "Carlos Alcaraz",
        "type": 2,
        "gameTime": 1622735700,
        "line": 36.5,
        "sportXEventId": "L7032829",
        "liveEnabled": true,
        "sportLabel": "Tennis",
        "sportId": 6,
        "leagueId": 1070,
  ,
        "leagueLabel": "ATP French Open",
        "mainLine": true,
        "group1": "ATP French Open"
      },
      {
        "status": "ACTIVE",
        "marketHash": "0x85e588d72b4a2ec6386846a6f4706dba2124410e38bd8e8f7f37dee9728e0d84",
        "outcomeOneName": "Nikoloz Basilashvili +1.5",
        "outcomeTwoName": "Carlos Alcaraz -1.5",
        "outcomeVoidName": "NO_GAME_OR_EVEN",
        "teamOneName": "Nikoloz Basilashvili",
        "teamTwoName": "Carlos Alcaraz",
        "type": 3,
        "gameTime": 1622735700,
        "line": 1.5,
        "sportXEventId": "L7032829",
        "liveEnabled": true,
        "sportLabel": "Tennis",
        "sportId": 6,
        "leagueId": 1070,
  ,
        "leagueLabel": "ATP French Open",
        "mainLine": true,
        "group1": "ATP French Open"
      }
    ],
    "nextKey": "60c7b8f54da0ad001aa3261c"
  }
}`,
};

/** Markets → "Get specific markets": the example response, verbatim. */
export const specificMarkets: DocumentedExample = {
  page: 'Markets',
  section: 'Get specific markets',
  repairs: [
    { find: "\"leagueId\": 29,\n,\n", replace: "\"leagueId\": 29,\n", count: 1, why: 'a line holding only a comma follows leagueId' },
  ],
  text: String.raw`{
  "status": "success",
  "data": [
    {
      "status": "ACTIVE",
      "marketHash": "0x3cba25f2253035b015b9bb555c1bf900f6737704d57425dd2a5b60e929c33b81",
      "outcomeOneName": "Over 2.5",
      "outcomeTwoName": "Under 2.5",
      "outcomeVoidName": "NO_GAME_OR_EVEN",
      "teamOneName": "Aston Villa",
      "teamTwoName": "Burnley",
      "type": 2,
      "gameTime": 1608228000,
      "line": 2.5,
      "reportedDate": 1608234719,
      "outcome": 2,
      "teamOneScore": 0,
      "teamTwoScore": 0,
      "sportXEventId": "L6247212",
      "liveEnabled": false,
      "sportLabel": "Soccer",
      "sportId": 5,
      "leagueId": 29,
,
      "leagueLabel": "English Premier League",
      "group1": "English Premier League"
    }
  ]
}`,
};
