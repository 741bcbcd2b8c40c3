// The network pause's staleness check runs on every feed event but scans the venues only once one can be stale: the
// venue that goes quiet is paused at the first event past its deadline, never earlier, and never missed.
import { describe, expect, it } from 'vitest';
import { NetworkPause } from '../../src/engine/network-pause.js';

describe('network pause: staleness', () => {
  it('pauses each venue at the first check past its own deadline', () => {
    const pause = new NetworkPause(10_000);
    pause.quoted('a', 0);
    pause.quoted('b', 5_000);
    expect(pause.checkStale(10_000)).toEqual([]);
    expect(pause.checkStale(10_001)).toEqual(['a']);
    pause.quoted('b', 12_000);
    expect(pause.checkStale(15_001)).toEqual([]);
    expect(pause.checkStale(22_000)).toEqual([]);
    expect(pause.checkStale(22_001)).toEqual(['b']);
    expect(pause.pauseCount).toBe(2);
  });

  it('watches a venue again once it resumes, after every venue was paused', () => {
    const pause = new NetworkPause(1_000);
    pause.quoted('a', 0);
    expect(pause.checkStale(1_001)).toEqual(['a']);
    expect(pause.quoted('a', 1_500)).toBe(true); // a fresh quote ends a staleness pause
    expect(pause.checkStale(2_500)).toEqual([]);
    expect(pause.checkStale(2_501)).toEqual(['a']);
    expect(pause.disconnect('a')).toBe(false); // already paused
    expect(pause.reconnect('a', 3_000)).toBe(true);
    expect(pause.checkStale(4_000)).toEqual([]);
    expect(pause.checkStale(4_001)).toEqual(['a']);
  });

  it('goes by the latest quote even when a venue quotes with an older time than before', () => {
    const pause = new NetworkPause(1_000);
    pause.quoted('a', 5_000);
    pause.quoted('b', 5_000);
    pause.quoted('a', 3_000);
    expect(pause.checkStale(4_001)).toEqual(['a']);
  });
});
