// `arbbot report --html FILE`: the report as one self-contained HTML page (no script, font or image from elsewhere)
// with the curve of realised PnL over the days and each day's result as a bar, drawn as inline SVG. Every text that
// comes from the ledger or the config is escaped.
import type { DayReport, Report } from '../app/report.js';
import { formatPpmPct, formatSignedUsd, formatUsd, ratioPpm } from '../domain/money.js';

const WIDTH = 720;
const HEIGHT = 220;
const PAD = 36;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Chart coordinates from micro-dollar values: integers scaled to the drawing, which only a picture needs. */
function scale(values: readonly number[]): (value: number) => number {
  const low = Math.min(0, ...values);
  const high = Math.max(0, ...values);
  const span = high - low || 1;
  return (value) => PAD + ((high - value) / span) * (HEIGHT - 2 * PAD);
}

function xAt(index: number, count: number): number {
  return count <= 1 ? WIDTH / 2 : PAD + (index / (count - 1)) * (WIDTH - 2 * PAD);
}

/** The cumulative realised PnL as a line from where it stood before the first day, the zero line, the days under it. */
function curveSvg(days: readonly DayReport[]): string {
  const start = (days[0]?.cumulative ?? 0) - (days[0]?.realised ?? 0);
  const values = [start, ...days.map((day) => day.cumulative as number)];
  const y = scale(values);
  const points = values.map((value, index) => `${xAt(index, values.length).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
  const first = `before ${days[0]?.day ?? ''}`;
  const last = days.at(-1)?.day ?? '';
  return [
    `<svg id="curve" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="cumulative realised PnL by day">`,
    `<line x1="${PAD}" x2="${WIDTH - PAD}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" class="zero"/>`,
    `<polyline id="curve-line" points="${points}" class="curve"/>`,
    ...values.map((value, index) => `<circle cx="${xAt(index, values.length).toFixed(1)}" cy="${y(value).toFixed(1)}" r="3" class="${value < 0 ? 'loss' : 'gain'}"/>`),
    `<text x="${PAD}" y="${HEIGHT - 8}">${escapeHtml(first)}</text><text x="${WIDTH - PAD}" y="${HEIGHT - 8}" text-anchor="end">${escapeHtml(last)}</text>`,
    '</svg>',
  ].join('');
}

/** Each day's realised PnL as a bar above (gain) or below (loss) the zero line. */
function barsSvg(days: readonly DayReport[]): string {
  const values = days.map((day) => day.realised as number);
  const y = scale(values);
  const step = (WIDTH - 2 * PAD) / Math.max(values.length, 1);
  const bars = values.map((value, index) => {
    const top = Math.min(y(value), y(0));
    const height = Math.max(Math.abs(y(value) - y(0)), 1);
    const title = `${days[index]?.day ?? ''}: ${formatSignedUsd(value)}`;
    return `<rect class="bar ${value < 0 ? 'loss' : 'gain'}" x="${(PAD + index * step + step * 0.15).toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(step * 0.7, 1).toFixed(1)}" height="${height.toFixed(1)}"><title>${escapeHtml(title)}</title></rect>`;
  });
  return `<svg id="bars" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="realised PnL per day"><line x1="${PAD}" x2="${WIDTH - PAD}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" class="zero"/>${bars.join('')}</svg>`;
}

function signedCell(value: number): string {
  return `<td class="${value < 0 ? 'loss' : value > 0 ? 'gain' : ''}">${escapeHtml(formatSignedUsd(value))}</td>`;
}

export function reportHtml(report: Report, generatedAt: Date): string {
  const venues = report.venues
    .map((v) => `<tr><td>${escapeHtml(v.venue)}</td><td>${formatUsd(v.netDeposits)}</td><td>${formatUsd(v.equity)}</td>${signedCell(v.equity - v.netDeposits)}${signedCell(v.realised)}${signedCell(v.unrealised)}${signedCell(v.lockedEdge)}<td>${formatUsd(v.fees)}</td></tr>`)
    .join('');
  const days = report.days.length === 0 ? '<p>No position has closed yet.</p>' : `<h2>Realised PnL, cumulative</h2>${curveSvg(report.days)}<h2>Realised PnL per day</h2>${barsSvg(report.days)}`;
  const pct = report.netDeposits > 0 ? ` (${formatPpmPct(ratioPpm(report.pnl, report.netDeposits))})` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>arbbot report</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:${WIDTH + 40}px}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse}td,th{padding:.2em .8em;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}
.gain{color:#1a7f37;fill:#1a7f37}.loss{color:#cf222e;fill:#cf222e}
.curve{fill:none;stroke:#0969da;stroke-width:2}.zero{stroke:#999;stroke-dasharray:4 3}
svg text{font-size:11px;fill:#555}
</style></head><body>
<h1>Equity ${formatUsd(report.equity)} on ${formatUsd(report.netDeposits)} deposited: <span class="${report.pnl < 0 ? 'loss' : 'gain'}">${escapeHtml(formatSignedUsd(report.pnl))}${pct}</span></h1>
<p>Realised ${escapeHtml(formatSignedUsd(report.realised))} · unrealised ${escapeHtml(formatSignedUsd(report.unrealised))} · locked-in arbitrage edge ${escapeHtml(formatSignedUsd(report.lockedEdge))} · fees paid ${formatUsd(report.fees)}${report.deficit > 0 ? ` · deficits owed ${formatUsd(report.deficit, 4)}` : ''}</p>
${days}
<h2>Venues</h2>
<table><tr><th>venue</th><th>deposited</th><th>equity</th><th>PnL</th><th>realised</th><th>unrealised</th><th>locked edge</th><th>fees</th></tr>${venues}</table>
<p><small>arbbot report, ${escapeHtml(generatedAt.toISOString())}. Figures in US dollars; equity values open positions at their last accepted price.</small></p>
</body></html>
`;
}
