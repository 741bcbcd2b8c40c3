// Every command's --help ends with examples, and every example is a command line the program accepts: its command
// exists and each option it uses is one that command (or the program) declares.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, commandPath } from '../../src/cli/help-examples.js';
import { buildProgram } from '../../src/cli/main.js';
import { cli, tempDir } from '../fixtures/helpers.js';

function leaves(program: Command): Command[] {
  const all: Command[] = [];
  const visit = (command: Command) => (command.commands.length === 0 ? all.push(command) : command.commands.forEach(visit));
  program.commands.forEach(visit);
  return all;
}

describe('help', () => {
  const program = buildProgram(() => undefined);

  it('gives every command examples, and no example for a command that does not exist', () => {
    const paths = leaves(program).map(commandPath);
    expect(paths.filter((path) => !EXAMPLES[path])).toEqual([]);
    expect(Object.keys(EXAMPLES).filter((path) => !paths.includes(path))).toEqual([]);
  });

  it('uses in its examples only options the command declares', () => {
    const global = new Set(program.options.map((option) => option.long));
    for (const command of leaves(program)) {
      const own = new Set(command.options.map((option) => option.long));
      for (const example of EXAMPLES[commandPath(command)] ?? []) {
        const line = example.slice(example.indexOf('arbbot'));
        for (const option of line.match(/--[a-z][a-z-]*/g) ?? []) expect(own.has(option) || global.has(option), `${example}: ${option}`).toBe(true);
      }
    }
  });

  it('prints them under --help through the real CLI', () => {
    const result = cli(tempDir(), ['venues', 'check', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Examples:\n  arbbot venues check\n  arbbot venues check kalshi');
  });
});
