// The `notify` section resolved: which channels alerts go to, and the bounds of their delivery. Endpoints are
// judged here, as a venue's are, so a refused one stops a command before anything is written; the secrets (bot
// token, chat id, a Discord webhook URL from the environment) are read only when the channels are made.
import { judgeEndpoint } from '../security/endpoints.js';
import type { ConfigFile } from './schema.js';

export type NotifyChannelConfig =
  | { readonly kind: 'webhook'; readonly url: string }
  | { readonly kind: 'telegram'; readonly tokenEnv: string; readonly chatIdEnv: string; readonly apiBaseUrl: string }
  /** url: as written in the config; urlEnv: the environment variable holding it (exactly one of the two). */
  | { readonly kind: 'discord'; readonly url: string | null; readonly urlEnv: string | null };

export interface NotifyConfig {
  /** In the order webhook, telegram, discord; empty: no alerts. */
  readonly channels: readonly NotifyChannelConfig[];
  readonly pauseAlertAfterMs: number;
  readonly queueLengthMax: number;
  readonly attemptsMax: number;
  readonly retryBackoffMs: number;
  readonly timeoutMs: number;
}

export const TELEGRAM_API_BASE_URL = 'https://api.telegram.org';

export const NOTIFY_DEFAULTS = { pauseAlertAfterS: 60, queueLengthMax: 100, attemptsMax: 4, retryBackoffMs: 500, timeoutMs: 5_000 } as const;

/** `fail(key, message)` throws the config error naming the key. */
export function resolveNotify(file: ConfigFile['notify'], fail: (key: string, message: string) => never): NotifyConfig {
  const endpoint = (key: string, url: string): string => {
    const verdict = judgeEndpoint(url, 'https:');
    if (!verdict.ok) fail(key, verdict.refusal.replace('live venues are reached', 'alerts are sent'));
    return url;
  };
  const channels: NotifyChannelConfig[] = [];
  if (file?.webhook) channels.push({ kind: 'webhook', url: endpoint('notify.webhook.url', file.webhook.url) });
  if (file?.telegram) {
    const { tokenEnv, chatIdEnv } = file.telegram;
    const apiBaseUrl = endpoint('notify.telegram.apiBaseUrl', file.telegram.apiBaseUrl ?? TELEGRAM_API_BASE_URL).replace(/\/+$/, '');
    channels.push({ kind: 'telegram', tokenEnv, chatIdEnv, apiBaseUrl });
  }
  if (file?.discord) {
    const { url, urlEnv } = file.discord;
    if ((url === undefined) === (urlEnv === undefined)) fail('notify.discord', 'give either url or urlEnv (the environment variable holding the webhook URL)');
    channels.push({ kind: 'discord', url: url === undefined ? null : endpoint('notify.discord.url', url), urlEnv: urlEnv ?? null });
  }
  return {
    channels,
    pauseAlertAfterMs: (file?.pauseAlertAfterS ?? NOTIFY_DEFAULTS.pauseAlertAfterS) * 1000,
    queueLengthMax: file?.queueLengthMax ?? NOTIFY_DEFAULTS.queueLengthMax,
    attemptsMax: file?.attemptsMax ?? NOTIFY_DEFAULTS.attemptsMax,
    retryBackoffMs: file?.retryBackoffMs ?? NOTIFY_DEFAULTS.retryBackoffMs,
    timeoutMs: file?.timeoutMs ?? NOTIFY_DEFAULTS.timeoutMs,
  };
}
