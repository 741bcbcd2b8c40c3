import { describe, expect, it } from 'vitest';
import { newClientOrderId } from '../../../src/engine/arb/executor.js';

const UUID_V7 = /^arbbot-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The millisecond a version-7 id carries in its first 48 bits. */
function millisecondOf(id: string): number {
  const hex = id.slice('arbbot-'.length).replaceAll('-', '').slice(0, 12);
  return Number.parseInt(hex, 16);
}

describe('client order ids', () => {
  it('are version-7 UUIDs with the RFC variant, behind the arbbot- prefix', () => {
    for (let index = 0; index < 1_000; index += 1) expect(newClientOrderId()).toMatch(UUID_V7);
  });

  it('carry the wall-clock millisecond they were made in', () => {
    const before = Date.now();
    const id = newClientOrderId();
    const after = Date.now();
    expect(millisecondOf(id)).toBeGreaterThanOrEqual(before);
    expect(millisecondOf(id)).toBeLessThanOrEqual(after);
  });

  it('never repeat, even when many are made within one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => newClientOrderId());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sort by the millisecond they were made in', () => {
    const ids = Array.from({ length: 5_000 }, () => newClientOrderId());
    const sorted = [...ids].sort();
    expect(sorted.map(millisecondOf)).toEqual(ids.map(millisecondOf));
  });
});
