// `arbbot notify test`: a test alert to every configured channel, and each channel's answer. Exit 0 when every
// channel took it, 1 when one did not, 2 when no channel is configured.
import type { Command } from 'commander';
import { sendTestAlerts } from '../../app/notify-test.js';
import { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';

export function registerNotifyCommand(program: Command): void {
  const notify = program.command('notify').description('alert channels (config "notify")');
  notify
    .command('test')
    .description('send one test alert to each configured channel; exit 1 when any fails, 2 when none is configured')
    .action(async (_options: unknown, command: Command) => {
      const ctx = CommandContext.from(command);
      const results = await sendTestAlerts(ctx.config);
      if (ctx.out.json) ctx.out.printJson({ channels: results });
      else {
        for (const result of results) {
          ctx.out.line(result.ok ? ctx.out.role.success(`✓ ${result.channel}: sent`) : ctx.out.role.error(`✗ ${result.channel}: failed: ${result.error ?? ''}`));
        }
      }
      ctx.exitWith(results.every((result) => result.ok) ? EXIT.ok : EXIT.checkFailed);
    });
}
