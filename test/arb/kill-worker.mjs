// A separate OS process that trades arbitrage through the built modules (dist/) on real files, to be SIGKILLed at
// random moments by kill.test.ts. Crash-only: it starts with reconcile (as the engine does), prints "ready", then
// moves the paper books, scans the pair and executes whatever is actionable, with a seeded fault on every order
// (reject, partial fill, timeouts before and after the venue accepts, internal errors) and a little venue latency so
// that kills land while orders are in flight. On an odd seed it trades as the engine does by default, from armed
// trades (committed ahead of each opportunity), so kills also land on an armed trade. It prints one line per trade. Usage:
//   node kill-worker.mjs <db> <config> <seed>
import { parseConfigFile } from '../../dist/config/config.js';
import { ArmedTrades, likelierDirection } from '../../dist/engine/arb/armed.js';
import { pairBooks } from '../../dist/engine/arb/books.js';
import { executeArb } from '../../dist/engine/arb/executor.js';
import { scanPair } from '../../dist/engine/arb/scanner.js';
import { actionable } from '../../dist/engine/arb/trader.js';
import { handleUnhedged } from '../../dist/engine/arb/unhedged.js';
import { reconcile } from '../../dist/engine/reconcile.js';
import { seededRandom } from '../../dist/feeds/synthetic.js';
import { ArbStore } from '../../dist/ledger/arb-store.js';
import { Ledger } from '../../dist/ledger/ledger.js';
import { createVenues } from '../../dist/venues/registry.js';

/** Bound on the trading loop; a round is killed long before it gets there. */
const TRADES_MAX = 10_000;
const FAULTS = ['none', 'none', 'none', 'reject', 'partial', 'timeout_after_accept', 'timeout_before_accept', 'error'];

const [path, configPath, seedText] = process.argv.slice(2);
const seed = Number(seedText);
const config = parseConfigFile(configPath);
const ledger = Ledger.open(path, { synchronous: 'NORMAL', busyTimeoutMs: 10_000 });
for (const venue of config.venues.values()) if (!ledger.getWallet(venue.name)) ledger.ensureWallet(venue.name, venue.startingBalance);
const latency = new Map([...config.venues.keys()].map((name) => [name, { latencyMs: 3 }]));
const venueSet = await createVenues(config, path, { faults: latency });
const deps = { ledger, store: new ArbStore(ledger), venues: venueSet.venues, config };
await reconcile(ledger, config, { dryRun: false, venues: venueSet.venues });
process.stdout.write('ready\n');

const random = seededRandom(seed);
const pick = (list) => list[Math.floor(random() * list.length)];
const [pair] = config.pairs.values();
const armed = seed % 2 === 1 ? new ArmedTrades(deps) : null;
const kalshi = venueSet.paper.get(pair.a.venue);
const poly = venueSet.paper.get(pair.b.venue);
for (let trade = 0; trade < TRADES_MAX; trade += 1) {
  // YES ask on A 0.40–0.46 and YES bid on B 0.44–0.50 (NO ask 0.50–0.56): often an arbitrage, sometimes not.
  const askA = 400_000 + 10_000 * Math.floor(random() * 7);
  const bidB = 440_000 + 10_000 * Math.floor(random() * 7);
  kalshi.setQuote(pair.a.market, askA - 20_000, askA, 20_000_000);
  poly.setQuote(pair.b.market, bidB, bidB + 20_000, 20_000_000);
  if (armed && !armed.get(pair.name)) armed.arm(pair, likelierDirection(await pairBooks(ledger, venueSet.venues, pair)));
  const best = scanPair(await pairBooks(ledger, venueSet.venues, pair, armed?.heldFor(pair.name)))[0];
  if (!best || !actionable(pair, best)) continue;
  kalshi.scriptFaults([pick(FAULTS)]);
  poly.scriptFaults([pick(FAULTS)]);
  const result = await executeArb(deps, best, armed);
  if (result.status === 'settled') {
    for (const excess of result.settlement.unhedged) {
      const record = deps.store.unhedgedForPosition(excess.positionId);
      if (record) await handleUnhedged(deps, record);
    }
  }
  process.stdout.write(`trade ${result.status}\n`);
}
await venueSet.close();
ledger.close();
process.stdout.write('done\n');
