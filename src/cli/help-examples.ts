// Examples under each command's --help: what a person types, kept in one table so every command has them and a test
// can prove each names a command that exists.
import type { Command } from 'commander';

export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  run: ['arbbot run', 'arbbot run --feed quotes.jsonl --speed max', 'arbbot run --duration 3600 --metrics-port 9464', 'tail -f quotes.jsonl | arbbot run --feed -'],
  arb: ['arbbot arb', 'arbbot arb --execute fed-dec --dry-run', 'arbbot arb --execute fed-dec --size 50'],
  open: ['arbbot open paper SOL-USD --side long --size 25', 'arbbot open paper SOL-USD --side short --size 25 --price 101.5 --key my-open-1'],
  positions: ['arbbot positions', 'arbbot positions --status closed --limit 100', 'arbbot --json positions | jq .totals'],
  close: ['arbbot close 12', 'arbbot close 12 --price 104.2 --reason "taking profit"'],
  report: ['arbbot report', 'arbbot report --since 2026-11-01', 'arbbot report --html report.html', 'arbbot --json report | jq .pnl'],
  'resolve-trade': ['arbbot resolve-trade 7 --filled 40 --price 0.41 --fee 0.80', 'arbbot resolve-trade 7 --rejected'],
  init: ['arbbot init', 'arbbot --db /srv/arbbot/arbbot.db init'],
  balances: ['arbbot balances', 'arbbot --json balances'],
  history: ['arbbot history', 'arbbot history paper --limit 50'],
  deposit: ['arbbot deposit paper 100', 'arbbot deposit kalshi 500 --key transfer-2026-12-06'],
  withdraw: ['arbbot withdraw paper 50', 'arbbot withdraw kalshi 200 --key payout-2026-12'],
  'wallet-check': ['arbbot wallet-check', 'arbbot wallet-check --deep', '0 * * * * cd /srv/arbbot && arbbot wallet-check'],
  reconcile: ['arbbot reconcile --dry-run', 'arbbot reconcile'],
  status: ['arbbot status', 'arbbot --db /srv/arbbot/arbbot.db status', 'arbbot --json status | jq .engine'],
  archive: ['arbbot archive --before 2026-06-01', 'arbbot archive --before 2026-06-01 --to /backups/arbbot-2026h1.db'],
  'venues check': ['arbbot venues check', 'arbbot venues check kalshi'],
  'notify test': ['arbbot notify test'],
  'pairs suggest': ['arbbot pairs suggest', 'arbbot pairs suggest --venues kalshi,polymarket --query "fed december"', 'arbbot --json pairs suggest | jq .suggestions[0]'],
  'pairs confirm': ['arbbot pairs confirm 3f9a1c07e2'],
  'pairs list': ['arbbot pairs list', 'arbbot --json pairs list'],
};

/** The command's name as a person types it after `arbbot` ("venues check"). */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/** Adds each command's examples to its --help; a command with subcommands of its own lists theirs. */
export function addExamples(program: Command): void {
  const visit = (command: Command): void => {
    const examples = EXAMPLES[commandPath(command)];
    if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((line) => `  ${line}`).join('\n')}`);
    for (const sub of command.commands) visit(sub);
  };
  for (const command of program.commands) visit(command);
}
