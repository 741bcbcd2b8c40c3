// Polymarket's market listing (GET /markets) as the pair finder reads it. Field names as in models.ts: the listing's
// markets have the shape of GET /markets/{conditionId} (clob-client-v2 1.1.0's getMarkets pages through them).
import type { Page } from '../http/paginate.js';
import { Wire } from '../http/wire.js';
import type { ListedMarket } from '../venue.js';
import { END_CURSOR, POLYMARKET } from './models.js';

/** The cursor the official clients send for the first page of a listing (clob-client-v2 INITIAL_CURSOR). */
export const INITIAL_CURSOR = 'MA==';

/**
 * GET /markets?next_cursor= (PaginationPayload: `{limit, count, next_cursor, data:[Market]}`, END_CURSOR on the last
 * page). The CLOB has no status filter: a market is open when `active` and not `closed`; the others are left out.
 * The first token is the one the adapter trades as YES (as /clob-markets' t[0]); `description` carries the rules.
 */
export function parseMarketsPage(body: unknown, venue: string): Page<ListedMarket> {
  const wire = Wire.of(POLYMARKET, 'markets', body);
  const items: ListedMarket[] = [];
  for (const market of wire.objects('data')) {
    if (market.has('active') && !market.boolean('active')) continue;
    if (market.has('closed') && market.boolean('closed')) continue;
    const tokens = market.objects('tokens');
    if (tokens.length !== 2) continue; // not a binary market: nothing the adapter can trade as one pair leg
    const text = (key: string) => {
      const value = market.optionalString(key);
      return value === null || value.trim() === '' ? null : value;
    };
    const conditionId = market.string('condition_id');
    items.push({
      venue,
      market: conditionId,
      title: text('question') ?? conditionId,
      closeTime: text('end_date_iso'),
      rules: text('description'),
      yesOutcome: tokens[0]!.string('outcome'),
    });
  }
  const next = wire.optionalString('next_cursor');
  return { items, nextCursor: next === null || next === '' || next === END_CURSOR ? null : next };
}
