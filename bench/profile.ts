// An in-process CPU profile of one piece of work, summarised as "where the time went" in arbbot's own terms: each
// sample is charged to the innermost arbbot function on its stack (time inside SQLite, better-sqlite3 or the
// statement wrapper counts for the arbbot function that ran the query).
import { Session } from 'node:inspector/promises';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

/** Frames that only carry a query to SQLite; their time belongs to the arbbot function that called them. */
const PLUMBING = /\/src\/ledger\/statements\.js$/;
const SHOWN_MAX = 8;
const SAMPLING_INTERVAL_US = 50;

export async function profiled(work: () => Promise<void>): Promise<string> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    // V8 samples once a millisecond by default: a few dozen samples for a piece of work this short.
    await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await session.post('Profiler.start');
    await work();
    const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
    return summarise(profile);
  } finally {
    session.disconnect();
  }
}

function summarise(profile: Profile): string {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const owner = (id: number): string => {
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      const frame = nodes.get(current)?.callFrame;
      if (frame && frame.url.includes('/src/') && !PLUMBING.test(frame.url) && frame.functionName !== '') {
        return `${frame.functionName} (${frame.url.replace(/.*\/src\//, '')})`;
      }
    }
    const frame = nodes.get(id)?.callFrame;
    return frame?.functionName.startsWith('(') ? frame.functionName : 'no arbbot frame on the stack (promise jobs, bench loop, node internals)';
  };
  const charged = new Map<string, number>();
  let totalUs = 0;
  (profile.samples ?? []).forEach((id, index) => {
    const us = profile.timeDeltas?.[index] ?? 0;
    charged.set(owner(id), (charged.get(owner(id)) ?? 0) + us);
    totalUs += us;
  });
  return [...charged]
    .sort((a, b) => b[1] - a[1])
    .slice(0, SHOWN_MAX)
    .map(([name, us]) => `${name} ${((100 * us) / totalUs).toFixed(0)}%`)
    .join(', ');
}
