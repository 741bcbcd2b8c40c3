// The alert channels: a generic webhook (the alert as JSON), Telegram's sendMessage and a Discord webhook. A channel
// sends one alert once; retries, queueing and counting are the dispatcher's. Secrets (the bot token, a Discord
// webhook URL) are registered with the scrubber as they are read, and no error quotes a URL.
import type { NotifyChannelConfig } from '../../config/config.js';
import { InputError } from '../../domain/errors.js';
import { judgeEndpoint } from '../../security/endpoints.js';
import { registerSecret, scrub } from '../../security/secrets.js';

/** Telegram refuses a message longer than 4096 characters, Discord one longer than 2000. */
const TEXT_LENGTH_MAX = 1_900;

export interface Alert {
  /** What happened, as a short word: unhedged_leg, attention, deficit, risk_limit, paused, reconcile, utilization, test. */
  readonly kind: string;
  readonly text: string;
  readonly at: Date;
}

/** A send that failed; `retryable`: a network failure, a timeout, a 5xx or a 429 (another try may succeed). */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface Channel {
  /** webhook, telegram or discord: how the channel is named in counts and messages (never its URL). */
  readonly name: string;
  send(alert: Alert, signal: AbortSignal): Promise<void>;
}

function readEnv(name: string, key: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') throw new InputError(`${key}: environment variable ${name} is not set`);
  return value.trim();
}

/** The alert's text as it leaves the process: scrubbed of every registered secret, and short enough for any channel. */
function outgoingText(alert: Alert): string {
  const text = scrub(alert.text);
  return text.length > TEXT_LENGTH_MAX ? `${text.slice(0, TEXT_LENGTH_MAX - 1)}…` : text;
}

async function postJson(channel: string, url: string, body: unknown, signal: AbortSignal): Promise<void> {
  let response: Response;
  try {
    // No redirects: a redirect could take the alert (and a token in its path) off the endpoint that was judged.
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      redirect: 'error',
      signal,
    });
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new DeliveryError(`${channel}: not delivered (${cause})`, true);
  }
  await response.body?.cancel().catch(() => undefined);
  if (response.ok) return;
  const retryable = response.status >= 500 || response.status === 429;
  throw new DeliveryError(`${channel}: HTTP ${response.status}`, retryable);
}

function webhook(url: string): Channel {
  return {
    name: 'webhook',
    send: (alert, signal) => postJson('webhook', url, { source: 'arbbot', kind: alert.kind, text: outgoingText(alert), at: alert.at.toISOString() }, signal),
  };
}

function telegram(config: Extract<NotifyChannelConfig, { kind: 'telegram' }>): Channel {
  const token = readEnv(config.tokenEnv, 'notify.telegram.tokenEnv');
  registerSecret(token);
  const chatId = readEnv(config.chatIdEnv, 'notify.telegram.chatIdEnv');
  const url = `${config.apiBaseUrl}/bot${token}/sendMessage`;
  return { name: 'telegram', send: (alert, signal) => postJson('telegram', url, { chat_id: chatId, text: outgoingText(alert) }, signal) };
}

function discord(config: Extract<NotifyChannelConfig, { kind: 'discord' }>): Channel {
  const url = config.url ?? readEnv(config.urlEnv ?? '', 'notify.discord.urlEnv');
  // The webhook's URL is its credential: its token (the last path segment) and the whole URL are secrets.
  registerSecret(url);
  // One read from the environment was not judged with the config: judged now, before anything is sent to it.
  const verdict = judgeEndpoint(url, 'https:');
  if (!verdict.ok) throw new InputError(`notify.discord.urlEnv: ${config.urlEnv ?? ''}: ${verdict.refusal.replace('live venues are reached', 'alerts are sent')}`);
  const token = new URL(url).pathname.split('/').filter((part) => part !== '').at(-1);
  if (token !== undefined) registerSecret(token);
  // No mentions are parsed: a market title or venue message holding "@everyone" must not ping a whole server.
  const body = (alert: Parameters<typeof outgoingText>[0]) => ({ content: outgoingText(alert), allowed_mentions: { parse: [] } });
  return { name: 'discord', send: (alert, signal) => postJson('discord', url, body(alert), signal) };
}

/** The configured channels, their secrets read from the environment; a missing variable is bad input (exit 2). */
export function makeChannels(configs: readonly NotifyChannelConfig[]): Channel[] {
  return configs.map((config) => {
    switch (config.kind) {
      case 'webhook':
        return webhook(config.url);
      case 'telegram':
        return telegram(config);
      case 'discord':
        return discord(config);
    }
  });
}
