// `arbbot notify test`: one test alert to each configured channel, once (no retry: the answer is the point), each
// channel judged on its own so one missing secret does not hide whether the others work.
import type { Config, NotifyChannelConfig } from '../config/config.js';
import { InputError } from '../domain/errors.js';
import { makeChannels, type Alert } from './notify/channels.js';

export interface ChannelTest {
  readonly channel: NotifyChannelConfig['kind'];
  readonly ok: boolean;
  /** Why it failed (an HTTP status, a network error, a missing environment variable); null when it was delivered. */
  readonly error: string | null;
}

export async function sendTestAlerts(config: Config, at = new Date()): Promise<ChannelTest[]> {
  const configs = config.notify.channels;
  if (configs.length === 0) throw new InputError(`no alert channel is configured in ${config.source ?? 'the built-in config'} (notify: webhook, telegram or discord)`);
  const alert: Alert = { kind: 'test', text: 'arbbot: test alert: this channel receives arbbot alerts', at };
  return Promise.all(
    configs.map(async (channelConfig): Promise<ChannelTest> => {
      try {
        const [channel] = makeChannels([channelConfig]);
        await channel?.send(alert, AbortSignal.timeout(config.notify.timeoutMs));
        return { channel: channelConfig.kind, ok: true, error: null };
      } catch (error) {
        return { channel: channelConfig.kind, ok: false, error: (error as Error).message };
      }
    }),
  );
}
