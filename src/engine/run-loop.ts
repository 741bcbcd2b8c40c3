// Drives an engine from a feed until the feed ends, a bound is reached, or a stop is requested. Events are
// applied one at a time and each ledger change is its own committed transaction, so stopping between two events
// never cuts a transaction in half.
import type { Feed, FeedEvent } from '../feeds/events.js';
import type { Engine } from './engine.js';

export type StopCause = 'feed_ended' | 'max_ticks' | 'duration' | 'stopped';

export interface RunLimits {
  readonly eventsMax: number | null;
  readonly durationMs: number | null;
}

export async function runFeed(engine: Engine, feed: Feed, limits: RunLimits, stop: AbortSignal): Promise<StopCause> {
  const startedMs = Date.now();
  let cause: StopCause = 'feed_ended';
  // Ends a storage pause's wait as well as the feed: a stop or the run's duration does not wait for the disk.
  const halt = new AbortController();
  const onStop = () => {
    feed.stop();
    halt.abort();
  };
  stop.addEventListener('abort', onStop);
  if (stop.aborted) onStop(); // a signal that arrived before the loop started
  const timer = limits.durationMs === null ? null : setTimeout(() => {
    cause = 'duration';
    onStop();
  }, limits.durationMs);
  const handle = (next: FeedEvent) => engine.handle(next);
  try {
    let handled = 0;
    for await (const event of feed.events()) {
      if (stop.aborted) {
        cause = 'stopped';
        break;
      }
      // A storage fault waits here, taking no further event, until the ledger takes writes again (storage-pause.ts).
      let applied = engine.storage.apply(event, handle, halt.signal);
      if (applied !== true) applied = await applied;
      if (!applied) break;
      handled += 1;
      if (limits.eventsMax !== null && handled >= limits.eventsMax) {
        cause = 'max_ticks';
        break;
      }
      if (limits.durationMs !== null && Date.now() - startedMs >= limits.durationMs) {
        cause = 'duration';
        break;
      }
    }
    if (stop.aborted) cause = 'stopped';
    return cause;
  } finally {
    if (timer) clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
    engine.stop();
  }
}
