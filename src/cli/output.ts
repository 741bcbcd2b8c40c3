// Everything the CLI prints goes through here: colours named by role, tables, JSON, and one spinner wrapper that
// stays silent when output is not a terminal (or one that reports no width) or --json is set (cron and scripts get
// clean output). Colour is decided per stream: results on stdout and logs on stderr each get colour only when that
// stream is a terminal, so `run 2>bot.log` writes a clean log while the terminal keeps its colours. It is also the
// one exit every printed text passes: scrubbed of registered secrets (security/secrets.ts), and made terminal-safe
// (terminal.ts), so a venue's text can neither leak a key nor drive the terminal.
import { randomBytes } from 'node:crypto';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Ora } from 'ora';
import { scrub } from '../security/secrets.js';
import { tableColumns, writeTable } from './table.js';
import { jsonVisible, visible } from './terminal.js';

/**
 * Our own colours travel inside the text as this mark instead of the escape character, until the text is written:
 * then every escape character in the text is made visible (it came from outside) and only the mark becomes ESC. The
 * mark is random per process, so no venue text can forge it.
 */
const STYLE_MARK = `\u{E000}${randomBytes(12).toString('hex')}\u{E001}`;
const ESC = '\u001b';
/** One of our colour codes as written to a terminal. */
const STYLE_CODE = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');
/** One of our colour codes as it travels in text (SGR sequences only: colours and bold). */
const MARKED_STYLE = new RegExp(`${STYLE_MARK}\\[[0-9;]*m`, 'g');

/** A colour role: the text is made visible first, so the only escapes left to become marks are the colour's own. */
function styled(paint: (text: string) => string): (text: string) => string {
  return (text) => paint(visible(text)).replaceAll(ESC, STYLE_MARK);
}

/**
 * A line of text as it may reach a terminal or a log: no secret, nothing a terminal acts on but our own colours, and
 * those only when the stream it goes to shows colour (`colour`); elsewhere they are dropped.
 */
export function safeLine(text: string, colour = false): string {
  const safe = visible(scrub(text));
  return colour ? safe.replaceAll(STYLE_MARK, ESC) : safe.replace(MARKED_STYLE, '');
}

/** The narrowest terminal a spinner line is drawn on: narrower (or a terminal reporting 0 columns) gets no spinner. */
export const SPINNER_COLUMNS_MIN = 20;

/** Whether a stream is a terminal that shows colour, given whether colour is wanted at all. */
function showsColour(stream: NodeJS.WriteStream, wanted: boolean): boolean {
  return wanted && stream.isTTY === true;
}

/** JSON text as it may be printed or logged: no secret, nothing raw that a terminal acts on; the same JSON value. */
export function safeJson(value: unknown, indent?: number): string {
  return jsonVisible(scrub(JSON.stringify(value, null, indent)));
}

/** Writes an error line (and, for bugs or under --verbose, its stack) to stderr, as every other exit does. */
export function writeErrorReport(line: string, stack: string | null): void {
  process.stderr.write(`${safeLine(line)}\n`);
  if (stack !== null) process.stderr.write(`${stack.split('\n').map((text) => safeLine(text)).join('\n')}\n`);
}

export interface OutputOptions {
  readonly json: boolean;
  readonly color: boolean;
  readonly verbose: boolean;
}

export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  private readonly stdoutColour: boolean;
  private readonly stderrColour: boolean;
  readonly role: ReturnType<typeof roles>;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.verbose = options.verbose;
    const wanted = options.color && process.env.NO_COLOR === undefined;
    this.stdoutColour = showsColour(process.stdout, wanted);
    this.stderrColour = showsColour(process.stderr, wanted);
    // The basic 16 colours are all the roles use; each stream then keeps or drops them as it shows colour or not.
    this.role = roles(new Chalk({ level: this.stdoutColour || this.stderrColour ? 1 : 0 }));
  }

  /** A result line on stdout (human mode only). */
  line(text = ''): void {
    if (!this.json) process.stdout.write(`${safeLine(text, this.stdoutColour)}\n`);
  }

  /** A log line on stderr: progress and events, never the result. */
  log(text: string): void {
    process.stderr.write(`${safeLine(text, this.stderrColour)}\n`);
  }

  /** A warning on stderr, whatever the mode (an endpoint over plain http, say). */
  warn(text: string): void {
    this.log(this.role.warn(`arbbot: warning: ${text}`));
  }

  debug(text: string): void {
    if (this.verbose) process.stderr.write(`${safeLine(this.role.muted(text), this.stderrColour)}\n`);
  }

  printJson(value: unknown): void {
    process.stdout.write(`${safeJson(value, 2)}\n`);
  }

  table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
    if (this.json) return;
    // Each cell made safe on its own, then the table drawn around them: its borders and line breaks are its own.
    const cell = (value: string | number) => safeLine(String(value), this.stdoutColour);
    const columns = tableColumns(process.stdout.isTTY === true ? process.stdout.columns : undefined);
    writeTable(head.map((text) => cell(this.role.strong(text))), rows.map((row) => row.map(cell)), columns, (text) => process.stdout.write(text));
  }

  /** ora is loaded only when a spinner is really shown: most commands never need it, and it is slow to import. */
  async spinner(text: string): Promise<Spinner> {
    // A terminal reporting no width (wrappers built on script(1), some containers and CI runners) would make ora
    // count an endless number of lines to clear and spin writing control codes forever: such a terminal gets the
    // plain lines a pipe gets.
    const columns = process.stderr.columns ?? 0;
    if (this.json || process.stderr.isTTY !== true || columns < SPINNER_COLUMNS_MIN) return new SilentSpinner();
    const { default: ora } = await import('ora');
    // discardStdin off: it puts the terminal in raw mode, and in this ora release Ctrl-C is then swallowed instead
    // of stopping the bot (stdin is never resumed to see it). Without it, Ctrl-C is a plain SIGINT.
    const spinnerText = (line: string) => fitted(safeLine(line, this.stderrColour), process.stderr.columns ?? columns);
    return new OraSpinner(ora({ text: spinnerText(text), stream: process.stderr, discardStdin: false }).start(), spinnerText);
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
  constructor(
    private readonly ora: Ora,
    private readonly render: (text: string) => string,
  ) {}
  update(text: string): void {
    this.ora.text = this.render(text);
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

/** The colour roles, painted by one chalk instance. */
function roles(chalk: ChalkInstance) {
  return {
    error: styled((text) => chalk.red(text)),
    warn: styled((text) => chalk.yellow(text)),
    success: styled((text) => chalk.green(text)),
    muted: styled((text) => chalk.gray(text)),
    strong: styled((text) => chalk.bold(text)),
    money: (value: number, text: string) => (value > 0 ? styled(chalk.green)(text) : value < 0 ? styled(chalk.red)(text) : text),
  };
}

/**
 * A spinner line cut to the terminal's width (less the spinner's own two columns): a line that wraps is one the
 * spinner cannot clear, and each redraw would leave a copy behind. Cut only where no colour code is open.
 */
function fitted(line: string, columns: number): string {
  const room = Math.max(columns - 3, 1);
  const plain = line.replace(STYLE_CODE, '');
  if ([...plain].length <= room) return line;
  return `${[...plain].slice(0, room - 1).join('')}…`;
}
