// SX Bet markets as the venue describes them (GET /markets/find), for a person confirming that an SX market and
// another venue's are the same event. SX has no title or close time: it names the teams, the two outcomes, the line
// and the game's start (in-play markets trade on after it), so those are reported as given.
import { formatMicrosTrim } from '../../domain/money.js';
import { VenueRejectedError, type MarketDescription } from '../venue.js';
import { Wire } from '../http/wire.js';
import { SX, type SxMetadata } from './models.js';

/** API reference, Markets → MarketType (the table as published; "more types will be added"). */
const MARKET_TYPES: Readonly<Record<number, string>> = {
  1: '1X2',
  2: 'Under/Over',
  3: 'Asian Handicap',
  21: 'Under/Over First Period',
  28: 'Under/Over Including Overtime',
  29: 'Under/Over Rounds',
  45: 'Under/Over Second Period',
  46: 'Under/Over Third Period',
  52: '12',
  53: 'Asian Handicap Halftime',
  63: '12 Halftime',
  64: 'Asian Handicap First Period',
  65: 'Asian Handicap Second Period',
  66: 'Asian Handicap Third Period',
  77: 'Under/Over Halftime',
  88: 'To Qualify',
  165: 'Set Total',
  166: 'Under/Over Games',
  201: 'Asian Handicap Games',
  202: 'First Period Winner',
  203: 'Second Period Winner',
  204: 'Third Period Winner',
  205: 'Fourth Period Winner',
  226: '12 Including Overtime',
  236: '1st 5 Innings Under/Over',
  274: 'Outright Winner',
  281: '1st Five Innings Asian handicap',
  342: 'Asian Handicap Including Overtime',
  835: 'Asian Under/Over',
  866: 'Set Spread',
  1536: 'Under/Over Maps',
  1618: '1st 5 Innings Winner-12',
};

export interface SxMarket {
  readonly marketHash: string;
  readonly status: string;
  readonly outcomeOneName: string;
  readonly outcomeTwoName: string;
  readonly outcomeVoidName: string | null;
  readonly teamOneName: string;
  readonly teamTwoName: string;
  readonly type: number;
  readonly gameTimeSeconds: number;
  /** The line as the JSON text gives it ("36.5", "-0.5"); null for markets without one. */
  readonly line: string | null;
  readonly liveEnabled: boolean | null;
  readonly sportLabel: string | null;
  readonly leagueLabel: string | null;
  /** 0 void, 1 outcome one, 2 outcome two: only on a market that was reported. */
  readonly outcome: number | null;
}

/** GET /markets/find?marketHashes= → `{status:"success", data:[Market, …]}`; a hash SX does not know is absent. */
export function parseMarkets(body: unknown): SxMarket[] {
  const wire = Wire.of(SX, 'markets', body);
  if (wire.string('status') !== 'success') wire.fail(`status: ${wire.string('status')}`);
  return wire.objects('data').map((market) => ({
    marketHash: market.string('marketHash'),
    status: market.string('status'),
    outcomeOneName: market.string('outcomeOneName'),
    outcomeTwoName: market.string('outcomeTwoName'),
    outcomeVoidName: market.optionalString('outcomeVoidName'),
    teamOneName: market.string('teamOneName'),
    teamTwoName: market.string('teamTwoName'),
    type: market.integer('type'),
    gameTimeSeconds: market.integer('gameTime'),
    line: lineText(market),
    liveEnabled: market.has('liveEnabled') ? market.boolean('liveEnabled') : null,
    sportLabel: market.optionalString('sportLabel'),
    leagueLabel: market.optionalString('leagueLabel'),
    outcome: market.has('outcome') ? market.integer('outcome') : null,
  }));
}

/** The line is a JSON number and only labels the market here: it is shown, never computed with. */
function lineText(market: Wire): string | null {
  const line = market.value.line;
  if (line === undefined || line === null) return null;
  if (typeof line !== 'number' || !Number.isFinite(line)) market.fail('line: expected a number');
  return String(line);
}

/** The market `marketHash` among those SX returned; a hash it does not know is refused by name. */
export function findMarket(venue: string, markets: readonly SxMarket[], marketHash: string): SxMarket {
  const market = markets.find((candidate) => candidate.marketHash.toLowerCase() === marketHash.toLowerCase());
  if (!market) throw new VenueRejectedError(venue, null, `${venue}: SX Bet has no market ${marketHash}`);
  return market;
}

/**
 * What SX says about a market. Taker fills have no tick (the limit is any odds) and SX's minimum is a stake in USDC,
 * not a number of contracts, so tickSize and minSize are null and both are told in the notes.
 */
export function describeSxMarket(market: SxMarket, metadata: SxMetadata): MarketDescription {
  const typeName = MARKET_TYPES[market.type];
  const notes = [
    `YES is outcome one “${market.outcomeOneName}”, NO outcome two “${market.outcomeTwoName}”`,
    ...(market.line === null ? [] : [`line ${market.line}`]),
    typeName === undefined ? `market type ${market.type}` : `${typeName} (type ${market.type})`,
    `status ${market.status}`,
    ...(market.sportLabel === null && market.leagueLabel === null ? [] : [[market.sportLabel, market.leagueLabel].filter((label) => label !== null).join(', ')]),
    `game time ${new Date(market.gameTimeSeconds * 1000).toISOString()}`,
    ...(market.liveEnabled === true ? ['in-play betting'] : []),
    ...(market.outcomeVoidName === null ? [] : [`void outcome ${market.outcomeVoidName} refunds stakes`]),
    ...(market.outcome === null ? [] : [`reported: outcome ${market.outcome}`]),
    metadata.takerMinimumUsdc === null ? 'minimum stake not given' : `minimum stake ${formatMicrosTrim(Number(metadata.takerMinimumUsdc))} USDC`,
    metadata.oddsLadderStepSize === null ? 'no taker tick' : `no taker tick (maker odds ladder step ${metadata.oddsLadderStepSize})`,
  ];
  return { market: market.marketHash, title: `${market.teamOneName} vs ${market.teamTwoName}`, closeTime: null, tickSize: null, minSize: null, notes };
}
