// Everything the CLI prints goes through here: colours named by role, tables, JSON, and one spinner wrapper that
// stays silent when output is not a terminal or --json is set (cron and scripts get clean output).
import chalk from 'chalk';
import Table from 'cli-table3';
import type { Ora } from 'ora';

export interface OutputOptions {
  readonly json: boolean;
  readonly color: boolean;
  readonly verbose: boolean;
}

export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  private readonly color: boolean;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.verbose = options.verbose;
    this.color = options.color && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
    if (!this.color) chalk.level = 0;
  }

  readonly role = {
    error: (text: string) => chalk.red(text),
    warn: (text: string) => chalk.yellow(text),
    success: (text: string) => chalk.green(text),
    muted: (text: string) => chalk.gray(text),
    strong: (text: string) => chalk.bold(text),
    money: (value: number, text: string) => (value > 0 ? chalk.green(text) : value < 0 ? chalk.red(text) : text),
  };

  /** A result line on stdout (human mode only). */
  line(text = ''): void {
    if (!this.json) process.stdout.write(`${text}\n`);
  }

  /** A log line on stderr: progress and events, never the result. */
  log(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  debug(text: string): void {
    if (this.verbose) process.stderr.write(`${this.role.muted(text)}\n`);
  }

  printJson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
    if (this.json) return;
    const table = new Table({
      head: head.map((cell) => this.role.strong(cell)),
      style: { head: [], border: [] },
    });
    for (const row of rows) table.push(row.map(String));
    process.stdout.write(`${table.toString()}\n`);
  }

  /** ora is loaded only when a spinner is really shown: most commands never need it, and it is slow to import. */
  async spinner(text: string): Promise<Spinner> {
    if (this.json || process.stderr.isTTY !== true) return new SilentSpinner();
    const { default: ora } = await import('ora');
    // discardStdin off: it puts the terminal in raw mode, and in this ora release Ctrl-C is then swallowed instead
    // of stopping the bot (stdin is never resumed to see it). Without it, Ctrl-C is a plain SIGINT.
    return new OraSpinner(ora({ text, stream: process.stderr, discardStdin: false }).start());
  }
}

export interface Spinner {
  update(text: string): void;
  /** Clears the spinner to print a line, then redraws it. */
  interrupt(print: () => void): void;
  stop(): void;
}

class SilentSpinner implements Spinner {
  update(): void {}
  interrupt(print: () => void): void {
    print();
  }
  stop(): void {}
}

class OraSpinner implements Spinner {
  constructor(private readonly ora: Ora) {}
  update(text: string): void {
    this.ora.text = text;
  }
  interrupt(print: () => void): void {
    this.ora.clear();
    print();
    this.ora.render();
  }
  stop(): void {
    this.ora.stop();
  }
}
