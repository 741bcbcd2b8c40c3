// Tables fit their width: the widest columns wrap at spaces, every line is the same width, and nothing of a cell is
// lost; a table that fits is drawn as it is. Colour codes take no room.
import { describe, expect, it } from 'vitest';
import { fitWidths, renderTable, tableColumns, TABLE_COLUMNS_MAX, visibleWidth, wrapCell } from '../../src/cli/table.js';

const words = (text: string) => text.split(/[\s│┌┐└┘├┤┬┴┼─]+/u).filter((word) => word !== '');

describe('a table', () => {
  it('that fits is drawn one line per row, every line the same width', () => {
    const text = renderTable(['id', 'venue'], [['1', 'paper'], ['22', 'kalshi']], 100);
    expect(text.split('\n')).toEqual([
      '┌────┬────────┐',
      '│ id │ venue  │',
      '├────┼────────┤',
      '│ 1  │ paper  │',
      '│ 22 │ kalshi │',
      '└────┴────────┘',
    ]);
  });

  it('wider than its limit wraps the widest column and loses no word', () => {
    const description = 'Closed long BTC-USD at the stop after TP1 moved it to breakeven, fee and slippage included in the result';
    const rows = [['17', 'paper', 'position_close', '+$1.25', description]];
    const text = renderTable(['id', 'venue', 'type', 'amount', 'description'], rows, 60);
    const lines = text.split('\n');
    expect(lines.every((line) => visibleWidth(line) === 60)).toBe(true);
    expect(lines.length).toBeGreaterThan(6); // the description took several lines
    expect(words(text)).toEqual(['id', 'venue', 'type', 'amount', 'description', ...words(rows[0]!.slice(0, 4).join(' ')), ...words(description)]);
    // The control: the same table with room for it is one line per row, wider than 60.
    const wide = renderTable(['id', 'venue', 'type', 'amount', 'description'], rows, 200).split('\n');
    expect(wide).toHaveLength(5);
    expect(visibleWidth(wide[0]!)).toBeGreaterThan(60);
    // Not on a terminal the width is unbounded: one line per row however long.
    expect(renderTable(['id', 'venue', 'type', 'amount', 'description'], rows, tableColumns(undefined)).split('\n')).toEqual(wide);
  });

  it('counts colour codes as taking no room', () => {
    expect(visibleWidth('\u001b[32m✓ ok\u001b[39m')).toBe(4);
    const text = renderTable(['state'], [['\u001b[32mok\u001b[39m'], ['failed']], 100).split('\n');
    expect(text[3]).toBe('│ \u001b[32mok\u001b[39m     │');
  });
});

describe('column widths', () => {
  it('take from the widest column first and stop at each floor', () => {
    expect(fitWidths([2, 5, 40], 40)).toEqual([2, 5, 23]);
    expect(fitWidths([30, 30], 40)).toEqual([16, 17]);
    // Nothing can fit 10 columns: every column stops at its floor (8, or less when narrower by nature).
    expect(fitWidths([3, 50, 50], 10)).toEqual([3, 8, 8]);
  });

  it('a cell wraps at spaces and breaks a word only when it must', () => {
    expect(wrapCell('one two three', 7)).toEqual(['one two', 'three']);
    expect(wrapCell('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapCell('short', 10)).toEqual(['short']);
  });

  it('a terminal narrower than the maximum is followed; one reporting no width is not', () => {
    expect(tableColumns(80)).toBe(80);
    expect(tableColumns(200)).toBe(TABLE_COLUMNS_MAX);
    expect(tableColumns(0)).toBe(TABLE_COLUMNS_MAX);
    // Not a terminal: rows stay whole, one line each.
    expect(tableColumns(undefined)).toBe(Number.POSITIVE_INFINITY);
  });
});
