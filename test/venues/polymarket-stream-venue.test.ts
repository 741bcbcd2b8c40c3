// The Polymarket venue as the engine builds it (streamBooks): its books come from the market channel and read from
// memory, and a tick size change on the channel reaches the market rules orders are checked against, which nothing
// else would refresh while no book is read over REST.
import { randomBytes } from 'node:crypto';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPolymarketVenue } from '../../src/venues/polymarket/index.js';
import type { BookStreamListener, Venue } from '../../src/venues/venue.js';
import { FAST_TUNING, liveConfig } from '../fixtures/venues/live-config.js';
import { PolymarketImitation } from '../fixtures/venues/polymarket-server.js';
import { PolymarketStreamImitation } from '../fixtures/venues/polymarket-stream-server.js';

const CONDITION = `0x${'ab'.repeat(32)}`;
const YES_TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const NO_TOKEN = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
const PRIVATE_KEY = generatePrivateKey();
const SECRET = randomBytes(32).toString('base64');
const ENV = { POLY_API_KEY: 'api-key-1', POLY_API_SECRET: SECRET, POLY_PASSPHRASE: 'pass-1', POLY_PRIVATE_KEY: PRIVATE_KEY };
const BOOKS = {
  [YES_TOKEN]: { bids: [['0.45', '200']], asks: [['0.48', '50']] },
  [NO_TOKEN]: { bids: [['0.5', '100']], asks: [['0.55', '100']] },
} as const;

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function streamedVenue(): Promise<{ venue: Venue; stream: PolymarketStreamImitation; changed: string[] }> {
  const rest = await PolymarketImitation.start({
    apiKey: ENV.POLY_API_KEY,
    secret: SECRET,
    passphrase: ENV.POLY_PASSPHRASE,
    address: privateKeyToAccount(PRIVATE_KEY).address,
    markets: { [CONDITION]: { yesToken: YES_TOKEN, noToken: NO_TOKEN, tickSize: 0.01, negRisk: false, feeRate: 0.03, feeExponent: 1 } },
    books: BOOKS,
    balanceMicros: 1_000_000_000n,
  });
  cleanup.push(() => rest.close());
  const stream = await PolymarketStreamImitation.start({ conditionId: CONDITION, books: BOOKS });
  cleanup.push(() => stream.close());
  const config = liveConfig('polymarket', rest.server.url);
  const venue = createPolymarketVenue({ ...config, live: { ...config.live, wsUrl: stream.url } }, { env: ENV, tuning: FAST_TUNING, streamBooks: true, warn: () => undefined });
  cleanup.push(async () => venue.close?.());
  const changed: string[] = [];
  const listener: BookStreamListener = { changed: (market) => changed.push(market), broken: () => undefined };
  venue.stream!.start([CONDITION], listener);
  await vi.waitFor(() => expect(changed.length).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
  return { venue, stream, changed };
}

describe('polymarket venue with a streamed book', () => {
  it('reads its books from the stream, from memory', async () => {
    const { venue } = await streamedVenue();
    expect(venue.localBooks?.bestAskNow(CONDITION, 'yes')).toBe(480_000);
    expect(venue.localBooks?.bestAskNow(CONDITION, 'no')).toBe(550_000);
  });

  it('follows a tick size change into the market rules orders are checked against', async () => {
    const { venue, stream } = await streamedVenue();
    expect((await venue.describeMarket!(CONDITION)).tickSize).toBe(10_000);
    stream.changeTick(YES_TOKEN, '0.01', '0.001');
    await vi.waitFor(async () => expect((await venue.describeMarket!(CONDITION)).tickSize).toBe(1_000), { timeout: 10_000 });
    // The book itself is untouched by it.
    expect(venue.localBooks?.bestAskNow(CONDITION, 'yes')).toBe(480_000);
  });
});
