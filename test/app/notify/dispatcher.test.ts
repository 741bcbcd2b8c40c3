// Alert delivery never holds up its caller: a push returns at once, a full queue drops (and counts) the alert, a
// failing channel is retried with growing waits a bounded number of times, and the end of a run waits a bounded time.
import { describe, expect, it } from 'vitest';
import { DeliveryError, type Alert, type Channel } from '../../../src/app/notify/channels.js';
import { AlertDispatcher } from '../../../src/app/notify/dispatcher.js';

const ALERT: Alert = { kind: 'test', text: 'arbbot: test', at: new Date(0) };
const LIMITS = { queueLengthMax: 2, attemptsMax: 3, retryBackoffMs: 5, timeoutMs: 5_000 };

/** A channel whose sends answer as `answer` says, recording when each try came. */
function channel(answer: (attempt: number, signal: AbortSignal) => Promise<void>): Channel & { tries: number[] } {
  const tries: number[] = [];
  return {
    name: 'fake',
    tries,
    send: (_alert, signal) => {
      tries.push(performance.now());
      return answer(tries.length, signal);
    },
  };
}

/** A send that only ends when its request is aborted (an endpoint that never answers). */
const hang = (_attempt: number, signal: AbortSignal) => new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new DeliveryError('fake: aborted', true))));

describe('alert dispatcher', () => {
  it('returns from push at once and drops, counted, what finds the queue full', async () => {
    const fake = channel(hang);
    const dispatcher = new AlertDispatcher([fake], LIMITS);
    for (let i = 0; i < 5; i += 1) dispatcher.push(ALERT); // one in flight, two queued, two dropped
    expect(dispatcher.counts()).toMatchObject({ sent: 0, dropped: 2, channels: [{ channel: 'fake', lastFailure: 'queue full (2)' }] });
    const counts = await dispatcher.drain(20);
    expect(counts).toMatchObject({ sent: 0, dropped: 5 });
    expect(fake.tries).toHaveLength(1);
    // After the end, a push is dropped too, never sent.
    dispatcher.push(ALERT);
    expect(dispatcher.counts().dropped).toBe(6);
  });

  it('retries a retryable failure with doubling waits, and counts the alert sent when a try succeeds', async () => {
    const fake = channel(async (attempt) => {
      if (attempt < 3) throw new DeliveryError('fake: HTTP 503', true);
    });
    const dispatcher = new AlertDispatcher([fake], { ...LIMITS, retryBackoffMs: 40 });
    dispatcher.push(ALERT);
    const counts = await dispatcher.drain(5_000);
    expect(counts).toMatchObject({ sent: 1, dropped: 0 });
    const [t1 = 0, t2 = 0, t3 = 0] = fake.tries;
    expect(t2 - t1).toBeGreaterThanOrEqual(35);
    expect(t3 - t2).toBeGreaterThanOrEqual(75);
  });

  it('gives up after attemptsMax tries, and at once on a refusal that another try cannot change', async () => {
    const down = channel(async () => {
      throw new DeliveryError('fake: not delivered (ECONNREFUSED)', true);
    });
    const refused = channel(async () => {
      throw new DeliveryError('fake: HTTP 401', false);
    });
    const dispatcher = new AlertDispatcher([down, refused], LIMITS);
    dispatcher.push(ALERT);
    const counts = await dispatcher.drain(5_000);
    expect(down.tries).toHaveLength(3);
    expect(refused.tries).toHaveLength(1);
    expect(counts.channels).toEqual([
      { channel: 'fake', sent: 0, dropped: 1, lastFailure: 'fake: not delivered (ECONNREFUSED) after 3 tries' },
      { channel: 'fake', sent: 0, dropped: 1, lastFailure: 'fake: HTTP 401' },
    ]);
  });

  it('ends a drain within its bound however slow the endpoint, dropping what is left', async () => {
    const dispatcher = new AlertDispatcher([channel(hang)], LIMITS);
    dispatcher.push(ALERT);
    dispatcher.push(ALERT);
    const started = performance.now();
    const counts = await dispatcher.drain(50);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(counts).toMatchObject({ sent: 0, dropped: 2, channels: [{ lastFailure: 'the run ended before it was sent' }] });
  });
});
