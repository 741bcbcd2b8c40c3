// JSON Lines feed: one object per line, replayed deterministically from a file or stdin, as fast as the engine
// can (`speed: 'max'`) or at the recorded pace scaled by `speed`. A bad line is reported with its number and skipped.
import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs';
import { InputError } from '../domain/errors.js';
import { MARKET_NAME_LENGTH_MAX } from '../domain/market.js';
import { createInterface, type Interface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Feed, FeedEvent } from './events.js';

export type ReplaySpeed = 'max' | number;

const BOM = '\uFEFF';

/** The longest a recorded-pace replay waits between two lines, so a gap in a recording never stalls the run. */
const REPLAY_WAIT_MS_MAX = 5_000;

export function parseFeedLine(text: string, line: number, lastTimestampMs: number): FeedEvent | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    // A byte-order mark (an editor's or a Windows tool's) is no part of the JSON.
    value = JSON.parse(line === 1 && text.startsWith(BOM) ? text.slice(BOM.length) : text);
  } catch {
    return { type: 'bad_line', line, reason: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { type: 'bad_line', line, reason: 'not a JSON object' };
  const record = value as Record<string, unknown>;
  const timestampMs = parseTimestamp(record.ts, lastTimestampMs);
  if (timestampMs === null) return { type: 'bad_line', line, reason: `unreadable ts ${JSON.stringify(record.ts)}` };
  const venue = record.venue;
  if (typeof venue !== 'string' || venue === '') return { type: 'bad_line', line, reason: 'missing "venue"' };
  const type = record.type ?? 'quote';
  if (type === 'disconnect' || type === 'reconnect') return { type, venue, timestampMs };
  const market = record.market;
  if (typeof market !== 'string' || market === '') return { type: 'bad_line', line, reason: 'missing "market"' };
  if (market.length > MARKET_NAME_LENGTH_MAX) return { type: 'bad_line', line, reason: `market name longer than ${MARKET_NAME_LENGTH_MAX} characters` };
  if (type === 'resolve') {
    if (record.outcome !== 'yes' && record.outcome !== 'no') return { type: 'bad_line', line, reason: 'outcome must be "yes" or "no"' };
    return { type: 'resolve', venue, market, outcome: record.outcome, timestampMs };
  }
  if (type !== 'quote') return { type: 'bad_line', line, reason: `unknown type ${JSON.stringify(type)}` };
  if (record.price === undefined && (record.bid === undefined || record.ask === undefined)) {
    return { type: 'bad_line', line, reason: 'a quote needs "price" or both "bid" and "ask"' };
  }
  return { type: 'quote', venue, market, bid: record.bid, ask: record.ask, price: record.price, timestampMs };
}

/** ISO text or epoch milliseconds; a line without ts inherits the previous line's time. */
function parseTimestamp(ts: unknown, lastTimestampMs: number): number | null {
  if (ts === undefined) return lastTimestampMs;
  if (typeof ts === 'number' && Number.isSafeInteger(ts) && ts >= 0) return ts;
  if (typeof ts === 'string') {
    const ms = Date.parse(ts);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/**
 * Fails with a one-line InputError (exit 2) when a feed file cannot be replayed, so `run` refuses it before it opens
 * the ledger instead of failing mid-run with a stack trace. "-" (stdin) is always accepted.
 */
export function assertReadableFeed(path: string): void {
  if (path === '-') return;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new InputError(`--feed ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    if (fstatSync(fd).isDirectory()) throw new InputError(`--feed ${path}: is a directory, not a JSON Lines file`);
  } finally {
    closeSync(fd);
  }
}

export class JsonlFeed implements Feed {
  private stopped = false;
  /** The open reader, closed by stop(): a stop must not wait for the next line of an idle pipe (stdin). */
  private lines: Interface | null = null;

  constructor(
    private readonly path: string,
    private readonly speed: ReplaySpeed,
  ) {}

  stop(): void {
    this.stopped = true;
    this.lines?.close();
  }

  async *events(): AsyncIterable<FeedEvent> {
    const input = this.path === '-' ? process.stdin : createReadStream(this.path, { encoding: 'utf8' });
    const lines = createInterface({ input, crlfDelay: Infinity });
    this.lines = lines;
    let lineNumber = 0;
    let lastTimestampMs = 0;
    try {
      for await (const text of lines) {
        if (this.stopped) break;
        lineNumber += 1;
        const event = parseFeedLine(text, lineNumber, lastTimestampMs);
        if (event === null) continue;
        if (event.type !== 'bad_line') {
          if (this.speed !== 'max' && lastTimestampMs > 0 && event.timestampMs > lastTimestampMs) {
            await sleep(Math.min(REPLAY_WAIT_MS_MAX, (event.timestampMs - lastTimestampMs) / this.speed));
          }
          lastTimestampMs = event.timestampMs;
        }
        yield event;
      }
    } finally {
      this.lines = null;
      lines.close();
      if (input !== process.stdin) input.destroy();
      // An unfinished stdin would keep the process alive after the run: stop reading it.
      else input.pause();
    }
  }
}
