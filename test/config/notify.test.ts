// The `notify` section: channels resolved in a fixed order with their defaults, endpoints judged as a venue's are
// (https anywhere, plain http to loopback only), and secrets named by environment variable, never written in.
import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config/config.js';

const parse = (notify: unknown) => parseConfigObject({ notify }, 'test.json');

describe('notify config', () => {
  it('resolves the channels and the delivery bounds, with defaults', () => {
    const config = parse({
      discord: { urlEnv: 'DISCORD_URL' },
      telegram: { tokenEnv: 'TG_TOKEN', chatIdEnv: 'TG_CHAT' },
      webhook: { url: 'https://hooks.example.com/arbbot' },
    });
    expect(config.notify).toEqual({
      channels: [
        { kind: 'webhook', url: 'https://hooks.example.com/arbbot' },
        { kind: 'telegram', tokenEnv: 'TG_TOKEN', chatIdEnv: 'TG_CHAT', apiBaseUrl: 'https://api.telegram.org' },
        { kind: 'discord', url: null, urlEnv: 'DISCORD_URL' },
      ],
      pauseAlertAfterMs: 60_000,
      queueLengthMax: 100,
      attemptsMax: 4,
      retryBackoffMs: 500,
      timeoutMs: 5_000,
    });
    expect(parseConfigObject({}, null).notify.channels).toEqual([]);
    expect(parse({ pauseAlertAfterS: 5, attemptsMax: 1, telegram: { tokenEnv: 'T', chatIdEnv: 'C', apiBaseUrl: 'http://127.0.0.1:8080/tg/' } }).notify).toMatchObject({
      pauseAlertAfterMs: 5_000,
      attemptsMax: 1,
      channels: [{ apiBaseUrl: 'http://127.0.0.1:8080/tg' }],
    });
  });

  it('refuses plain http to another host, credentials in a URL, a secret written in, and an ambiguous Discord webhook', () => {
    expect(() => parse({ webhook: { url: 'http://hooks.example.com/x' } })).toThrow(
      'config test.json: notify.webhook.url: http:// is allowed only to a loopback address (localhost, 127.0.0.0/8, ::1); use https:// for hooks.example.com',
    );
    expect(() => parse({ telegram: { tokenEnv: 'T', chatIdEnv: 'C', apiBaseUrl: 'ftp://127.0.0.1' } })).toThrow(/notify\.telegram\.apiBaseUrl: ftp:\/\/ is not allowed: alerts are sent over https:\/\/ only/);
    expect(() => parse({ webhook: { url: 'https://user:pw@hooks.example.com/x' } })).toThrow(/notify\.webhook\.url: carries a user name or password/);
    expect(() => parse({ telegram: { token: '123:abc', chatIdEnv: 'C' } })).toThrow(/notify\.telegram/);
    expect(() => parse({ telegram: { tokenEnv: 'not a name', chatIdEnv: 'C' } })).toThrow(/notify\.telegram\.tokenEnv: an environment variable name/);
    expect(() => parse({ discord: {} })).toThrow('config test.json: notify.discord: give either url or urlEnv');
    expect(() => parse({ discord: { url: 'https://discord.com/api/webhooks/1/t', urlEnv: 'D' } })).toThrow(/give either url or urlEnv/);
    expect(() => parse({ attemptsMax: 0 })).toThrow(/notify\.attemptsMax/);
    // Controls: loopback http and https pass.
    expect(parse({ webhook: { url: 'http://127.0.0.1:9/x' } }).notify.channels).toHaveLength(1);
    expect(parse({ discord: { url: 'https://discord.com/api/webhooks/1/t' } }).notify.channels).toHaveLength(1);
  });
});
