// `arbbot report --html FILE` rendered by a real browser: headless Chromium draws the page, and the screenshot shows
// the cumulative curve (blue) and the day bars (green for a gain, red for a loss). Where Chromium is not installed the
// test says so and is skipped, unless ARBBOT_REQUIRE_CHROMIUM is set (CI installs it and sets it).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { cli, tempDir, writeConfig } from '../fixtures/helpers.js';
import { closeAt, openPosition, usd } from '../fixtures/ledger.js';
import { countColour, readPng } from '../fixtures/png.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) => existsSync(path)) ?? null;
if (CHROMIUM === null) {
  if (process.env.ARBBOT_REQUIRE_CHROMIUM) throw new Error('ARBBOT_REQUIRE_CHROMIUM is set but no Chromium is installed');
  console.log('report-html: skipped, no Chromium installed (apt-get install chromium)');
}

const BLUE: [number, number, number] = [0x09, 0x69, 0xda];
const GREEN: [number, number, number] = [0x1a, 0x7f, 0x37];
const RED: [number, number, number] = [0xcf, 0x22, 0x2e];

/** $1,000 on paper: a gain closed on Jan 3, a loss on Jan 4, a gain on Jan 5 (UTC). */
function threeDays(): string {
  const dir = tempDir();
  writeConfig(dir, { venues: { paper: { startingBalance: '1000' } } });
  const days: [string, string][] = [['2026-01-03', '110'], ['2026-01-04', '90'], ['2026-01-05', '106']];
  for (const [day, price] of days) {
    const ledger = Ledger.open(join(dir, 'arbbot.db'), { synchronous: 'NORMAL', now: () => new Date(`${day}T12:00:00Z`) });
    ledger.ensureWallet('paper', usd('1000'));
    closeAt(ledger, openPosition(ledger, { market: `M-${day}` }).position.id, price);
    ledger.close();
  }
  return dir;
}

function screenshot(page: string): Buffer {
  const shot = join(tempDir(), 'shot.png');
  const result = spawnSync(CHROMIUM ?? '', ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=800,900', `--screenshot=${shot}`, pathToFileURL(page).href], {
    timeout: 60_000,
  });
  if (!existsSync(shot)) throw new Error(`chromium wrote no screenshot: ${result.stderr.toString().slice(-500)}`);
  return readFileSync(shot);
}

describe.skipIf(CHROMIUM === null)('report --html', () => {
  it('is a page a browser draws: the curve, a green bar for each gain and a red one for the loss', () => {
    const dir = threeDays();
    const page = join(dir, 'report.html');
    const result = cli(dir, ['report', '--html', page]);
    expect(result.code, result.stderr).toBe(0);
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('<polyline id="curve-line"');
    expect(html.match(/class="bar gain"/g)).toHaveLength(2);
    expect(html.match(/class="bar loss"/g)).toHaveLength(1);
    const image = readPng(screenshot(page));
    expect(countColour(image, BLUE)).toBeGreaterThan(200);
    expect(countColour(image, GREEN)).toBeGreaterThan(500);
    expect(countColour(image, RED)).toBeGreaterThan(500);
  });

  it('the control: a page without the charts shows none of their colours, so the counts above are the charts', () => {
    const dir = tempDir();
    writeConfig(dir, { venues: { paper: { startingBalance: '1000' } } });
    expect(cli(dir, ['init']).code).toBe(0);
    const page = join(dir, 'report.html');
    expect(cli(dir, ['report', '--html', page]).code).toBe(0);
    expect(readFileSync(page, 'utf8')).toContain('No position has closed yet.');
    const image = readPng(screenshot(page));
    expect(countColour(image, BLUE)).toBe(0);
    expect(countColour(image, RED)).toBe(0);
  });
});
