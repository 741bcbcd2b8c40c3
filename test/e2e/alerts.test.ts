// Alerts (config `notify`) through the real CLI, delivered to local servers standing in for a webhook, Telegram's
// API and a Discord webhook: the exact requests each receives, `notify test`'s answers and exit codes, and a run
// whose endpoints are down completing on time with the undelivered alerts counted — the bot token never shown.
import { afterEach, describe, expect, it } from 'vitest';
import { cliAsync } from '../fixtures/helpers.js';
import { configuredDir, quote, seedConfig, writeFeed, type FeedLine } from '../fixtures/e2e.js';
import { exitOf, spawnCli } from '../fixtures/process.js';
import { closedPort, startReceiver, type Receiver } from '../fixtures/receiver.js';

const TOKEN = '7000001:AAH-secret-bot-token-xyz';
const CHAT_ID = '-100424242';
const DISCORD_PATH = '/api/webhooks/9876/discord-webhook-token-abc';
const ENV = { ARBBOT_TEST_TG_TOKEN: TOKEN, ARBBOT_TEST_TG_CHAT: CHAT_ID };
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const receivers: Receiver[] = [];
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function receiver(): Promise<Receiver> {
  const started = await startReceiver();
  receivers.push(started);
  return started;
}

function notifyConfig(base: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    webhook: { url: `${base}/hook` },
    telegram: { tokenEnv: 'ARBBOT_TEST_TG_TOKEN', chatIdEnv: 'ARBBOT_TEST_TG_CHAT', apiBaseUrl: `${base}/tg` },
    discord: { url: `${base}${DISCORD_PATH}` },
    ...extra,
  };
}

/** Two prediction-market venues and a confirmed pair; arming it locks over 1% of each wallet: a utilisation alert each. */
function arbConfig(notify: Record<string, unknown>): Record<string, unknown> {
  return seedConfig({
    venues: {
      ka: { type: 'paper', predictionMarket: true, startingBalance: '1000', markets: { FED: { bid: '0.48', ask: '0.52' } } },
      po: { type: 'paper', predictionMarket: true, startingBalance: '1000', markets: { fed: { bid: '0.50', ask: '0.52' } } },
    },
    pairs: { 'fed-dec': { a: { venue: 'ka', market: 'FED' }, b: { venue: 'po', market: 'fed' }, maxSize: '50', minEdgeBps: 50, confirmed: true } },
    costs: { feePct: '0', spreadPct: '0', slippagePct: '0' },
    arbitrage: { utilizationWarnPct: '1' },
    notify,
  });
}

const byPath = (received: Receiver['received'], prefix: string) => received.filter((request) => request.path.startsWith(prefix));

describe('notify test', () => {
  it('sends one test alert to each channel, in each channel\'s own shape; exit 0', async () => {
    const server = await receiver();
    const dir = configuredDir(seedConfig({ notify: notifyConfig(server.base) }));
    const result = await cliAsync(dir, ['notify', 'test'], ENV);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('✓ webhook: sent\n✓ telegram: sent\n✓ discord: sent\n');
    const text = 'arbbot: test alert: this channel receives arbbot alerts';
    expect(server.received).toHaveLength(3);
    const [hook] = byPath(server.received, '/hook');
    expect(hook).toMatchObject({ method: 'POST', path: '/hook', contentType: 'application/json' });
    expect(hook?.body).toEqual({ source: 'arbbot', kind: 'test', text, at: expect.stringMatching(ISO) });
    expect(byPath(server.received, '/tg')).toEqual([{ method: 'POST', path: `/tg/bot${TOKEN}/sendMessage`, contentType: 'application/json', body: { chat_id: CHAT_ID, text } }]);
    expect(byPath(server.received, '/api/webhooks')).toEqual([{ method: 'POST', path: DISCORD_PATH, contentType: 'application/json', body: { content: text, allowed_mentions: { parse: [] } } }]);
  });

  it('exit 1 naming each failed channel (a refusal, a missing variable, an endpoint down), the token never shown', async () => {
    const server = await receiver();
    server.status = 401;
    const down = await closedPort();
    const dir = configuredDir(seedConfig({ notify: { ...notifyConfig(server.base), discord: { url: `http://127.0.0.1:${down}${DISCORD_PATH}` } } }));
    const refused = await cliAsync(dir, ['--json', 'notify', 'test'], ENV);
    expect(refused.code, refused.stderr).toBe(1);
    expect(JSON.parse(refused.stdout)).toEqual({
      channels: [
        { channel: 'webhook', ok: false, error: 'webhook: HTTP 401' },
        { channel: 'telegram', ok: false, error: 'telegram: HTTP 401' },
        { channel: 'discord', ok: false, error: 'discord: not delivered (ECONNREFUSED)' },
      ],
    });
    const missing = await cliAsync(dir, ['notify', 'test'], { ARBBOT_TEST_TG_CHAT: CHAT_ID });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('✗ telegram: failed: notify.telegram.tokenEnv: environment variable ARBBOT_TEST_TG_TOKEN is not set');
    for (const output of [refused.stdout, refused.stderr, missing.stdout, missing.stderr]) expect(output).not.toContain(TOKEN);
    // The control: the same channels answering 200 pass.
    server.status = 200;
    const fine = configuredDir(seedConfig({ notify: notifyConfig(server.base) }));
    expect((await cliAsync(fine, ['notify', 'test'], ENV)).code).toBe(0);
  });

  it('exit 2 when no channel is configured', async () => {
    const result = await cliAsync(configuredDir(seedConfig()), ['notify', 'test']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^arbbot: no alert channel is configured in .*arbbot\.config\.json \(notify: webhook, telegram or discord\)\n$/);
  });
});

describe('alerts during a run', () => {
  it('each alert reaches every channel once, in order, and the summary counts them; a pause that lasts is alerted', async () => {
    const server = await receiver();
    const dir = configuredDir(arbConfig(notifyConfig(server.base, { pauseAlertAfterS: 1 })));
    const run = spawnCli(dir, ['--json', '--verbose', 'run', '--feed', '-'], ENV);
    await run.waitForStderr((text) => text.includes('Start-up reconcile'), 'the engine to start');
    run.write([quote(1, { bid: '0.48', ask: '0.52' }, 'FED', 'ka'), { ts: '2026-01-01T00:00:02Z', type: 'disconnect', venue: 'ka' }]);
    // Two utilisation alerts, then the pause's after a second: three to each of three channels.
    await server.waitFor(9);
    run.child.stdin.end();
    const exit = await exitOf(run);
    expect(exit.code, run.stderr()).toBe(0);
    const summary = JSON.parse(run.stdout()) as { alerts: { sent: number; dropped: number; channels: unknown[] } };
    expect(summary.alerts).toEqual({
      sent: 9,
      dropped: 0,
      channels: ['webhook', 'telegram', 'discord'].map((channel) => ({ channel, sent: 3, dropped: 0, lastFailure: null })),
    });
    const hooks = byPath(server.received, '/hook').map((request) => request.body as { kind: string; text: string; at: string });
    expect(hooks.map((body) => body.kind).sort()).toEqual(['paused', 'utilization', 'utilization']);
    expect(hooks.find((body) => body.kind === 'paused')).toEqual({ source: 'arbbot', kind: 'paused', text: 'arbbot: ka paused (disconnect) for over 1 s: no trading on it', at: expect.stringMatching(ISO) });
    expect(hooks.filter((body) => body.kind === 'utilization').map((body) => body.text).sort()).toEqual([
      expect.stringMatching(/^arbbot: ka utilisation \d+\.\d\d% is above the 1\.00% warning \(locked \$\d+\.\d\d of \$1000\.00\)$/),
      expect.stringMatching(/^arbbot: po utilisation \d+\.\d\d% is above the 1\.00% warning \(locked \$\d+\.\d\d of \$1000\.00\)$/),
    ]);
    const texts = hooks.map((body) => body.text);
    expect(byPath(server.received, '/tg').map((request) => request.body)).toEqual(texts.map((text) => ({ chat_id: CHAT_ID, text })));
    expect(byPath(server.received, '/api/webhooks').map((request) => request.body)).toEqual(texts.map((text) => ({ content: text, allowed_mentions: { parse: [] } })));
  });

  it('endpoints down: the run completes as quickly, every alert counted dropped and said on stderr; the token never shown', async () => {
    const feed: FeedLine[] = [quote(1, { bid: '0.48', ask: '0.52' }, 'FED', 'ka'), quote(2, { bid: '0.40', ask: '0.45' }, 'FED', 'ka'), quote(3, '0', 'FED', 'ka')];
    const limits = { attemptsMax: 3, retryBackoffMs: 50 };
    // The control: with the endpoints up, the same feed raises this many alerts.
    const server = await receiver();
    const upDir = configuredDir(arbConfig(notifyConfig(server.base, limits)));
    const up = await cliAsync(upDir, ['--json', 'run', '--feed', writeFeed(upDir, feed)], ENV);
    expect(up.code, up.stderr).toBe(0);
    const raised = (JSON.parse(up.stdout) as { alerts: { sent: number } }).alerts.sent;
    expect(raised).toBeGreaterThanOrEqual(6);
    expect(server.received).toHaveLength(raised);

    const down = await closedPort();
    const dir = configuredDir(arbConfig(notifyConfig(`http://127.0.0.1:${down}`, limits)));
    const result = await cliAsync(dir, ['--json', 'run', '--feed', writeFeed(dir, feed)], ENV);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { events: number; alerts: { sent: number; dropped: number; channels: { lastFailure: string }[] } };
    expect(summary.events).toBe(feed.length);
    expect(summary.alerts).toMatchObject({ sent: 0, dropped: raised });
    expect(summary.alerts.channels.map((channel) => channel.lastFailure)).toEqual([
      'webhook: not delivered (ECONNREFUSED) after 3 tries',
      'telegram: not delivered (ECONNREFUSED) after 3 tries',
      'discord: not delivered (ECONNREFUSED) after 3 tries',
    ]);
    expect(result.stderr).toContain(`arbbot: warning: ${raised} alert(s) dropped: webhook ${raised / 3} (last: webhook: not delivered (ECONNREFUSED) after 3 tries)`);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it('a channel whose secret is missing stops the run before anything opens (exit 2)', async () => {
    const server = await receiver();
    const dir = configuredDir(arbConfig(notifyConfig(server.base)));
    const result = await cliAsync(dir, ['run', '--feed', writeFeed(dir, [quote(1, '100', 'FED', 'ka')])], { ARBBOT_TEST_TG_CHAT: CHAT_ID });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('arbbot: notify.telegram.tokenEnv: environment variable ARBBOT_TEST_TG_TOKEN is not set\n');
  });
});
