// Tables drawn by our own code, in one pass over the cells (column widths, then lines): a list of 100,000 rows costs
// what its text costs. In a terminal, a table wider than its limit (100 columns, or a narrower terminal) wraps its
// widest columns at spaces instead of running off the screen, so `history` and `positions` stay readable. Piped to a
// file or another program, every row stays on one line, whatever its width: grep and cut see whole rows.

/** The widest a table is drawn, whatever the terminal: wider tables are hard to read even where they fit. */
export const TABLE_COLUMNS_MAX = 100;
/** Below this a terminal's width is not believed (a wrapper reporting 0 or 1): the table is drawn at the maximum. */
const TERMINAL_COLUMNS_MIN = 40;
/** A column is not wrapped narrower than this (or its natural width, if smaller): a word per line is no table. */
const COLUMN_WIDTH_MIN = 8;
/** Colour codes, which take no room on the screen. */
// eslint-disable-next-line no-control-regex -- the escape character is exactly what this finds
const SGR = /\u001b\[[0-9;]*m/g;
const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;

/** How many columns a cell takes on the screen: colour codes take none; each code point one (no double-width scripts). */
export function visibleWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  return [...text.replace(SGR, '')].length;
}

/**
 * The width a table may take: unbounded when it is not drawn on a terminal (`undefined`); the terminal's when that is
 * narrower than the maximum and believable; else the maximum.
 */
export function tableColumns(terminalColumns: number | undefined): number {
  if (terminalColumns === undefined) return Number.POSITIVE_INFINITY;
  if (terminalColumns < TERMINAL_COLUMNS_MIN) return TABLE_COLUMNS_MAX;
  return Math.min(terminalColumns, TABLE_COLUMNS_MAX);
}

/** Column widths that fit `columnsMax` in all, taking from the widest column first, never below each column's floor. */
export function fitWidths(natural: readonly number[], columnsMax: number): number[] {
  const widths = [...natural];
  const floors = natural.map((width) => Math.min(width, COLUMN_WIDTH_MIN));
  // Each column adds "│ " before it and " " after it, and the table one closing "│".
  const budget = columnsMax - (3 * widths.length + 1);
  let excess = widths.reduce((sum, width) => sum + width, 0) - budget;
  while (excess > 0) {
    let widest = -1;
    widths.forEach((width, index) => {
      if (width > (floors[index] as number) && (widest < 0 || width > (widths[widest] as number))) widest = index;
    });
    if (widest < 0) break; // every column at its floor: the table is as narrow as it can be
    widths[widest] = (widths[widest] as number) - 1;
    excess -= 1;
  }
  return widths;
}

/** A cell's lines at `width`: broken at spaces where it can, inside a word where it must. Colour is dropped from a wrapped cell. */
export function wrapCell(text: string, width: number): string[] {
  if (visibleWidth(text) <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(SGR, '').split(' ')) {
    let rest = word;
    while ([...rest].length > width) {
      if (line !== '') {
        lines.push(line);
        line = '';
      }
      const chars = [...rest];
      lines.push(chars.slice(0, width).join(''));
      rest = chars.slice(width).join('');
    }
    if (line === '') line = rest;
    else if ([...line].length + 1 + [...rest].length <= width) line = `${line} ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

function padded(text: string, width: number): string {
  const room = width - visibleWidth(text);
  return room > 0 ? text + ' '.repeat(room) : text;
}

function rule(widths: readonly number[], left: string, middle: string, right: string): string {
  return `${left}${widths.map((width) => '─'.repeat(width + 2)).join(middle)}${right}`;
}

function rowLines(cells: readonly string[], widths: readonly number[]): string[] {
  const wrapped = widths.map((width, index) => wrapCell(cells[index] ?? '', width));
  const height = Math.max(...wrapped.map((lines) => lines.length));
  const lines: string[] = [];
  for (let line = 0; line < height; line += 1) {
    lines.push(`│ ${widths.map((width, index) => padded(wrapped[index]?.[line] ?? '', width)).join(' │ ')} │`);
  }
  return lines;
}

/** A row none of whose cells is wrapped, from the cells' widths measured once: the common case, and the hot one. */
function wholeRowLine(cells: readonly string[], cellWidths: Int32Array, offset: number, widths: readonly number[]): string {
  let line = '│';
  for (let index = 0; index < widths.length; index += 1) {
    const room = (widths[index] as number) - (cellWidths[offset + index] as number);
    line += ` ${cells[index] ?? ''}${room > 0 ? ' '.repeat(room) : ''} │`;
  }
  return line;
}

/** Lines handed to the writer at a time: a long table is written as it is drawn, never held whole as one string. */
const LINES_PER_CHUNK = 1_000;

/** The whole table as text: a ruled header, then one line (or a few, wrapped) per row; cells already safe to print. */
export function renderTable(head: readonly string[], rows: readonly (readonly string[])[], columnsMax: number): string {
  const chunks: string[] = [];
  writeTable(head, rows, columnsMax, (text) => chunks.push(text));
  return chunks.join('').slice(0, -1);
}

/** The table's text to `write` in chunks of whole lines, each ending in a line break. */
export function writeTable(head: readonly string[], rows: readonly (readonly string[])[], columnsMax: number, write: (text: string) => void): void {
  const columns = head.length;
  const natural = head.map((cell) => visibleWidth(cell));
  // Every cell measured once: 100,000 rows of history are 700,000 cells.
  const cellWidths = new Int32Array(rows.length * columns);
  rows.forEach((row, rowIndex) => {
    for (let index = 0; index < columns; index += 1) {
      const width = visibleWidth(row[index] ?? '');
      cellWidths[rowIndex * columns + index] = width;
      if (width > (natural[index] as number)) natural[index] = width;
    }
  });
  const widths = fitWidths(natural, columnsMax);
  let lines = [rule(widths, '┌', '┬', '┐'), ...rowLines(head, widths), rule(widths, '├', '┼', '┤')];
  const flush = () => {
    write(`${lines.join('\n')}\n`);
    lines = [];
  };
  rows.forEach((row, rowIndex) => {
    const offset = rowIndex * columns;
    let fits = true;
    for (let index = 0; index < columns && fits; index += 1) fits = (cellWidths[offset + index] as number) <= (widths[index] as number);
    if (fits) lines.push(wholeRowLine(row, cellWidths, offset, widths));
    else lines.push(...rowLines(row, widths));
    if (lines.length >= LINES_PER_CHUNK) flush();
  });
  lines.push(rule(widths, '└', '┴', '┘'));
  flush();
}
