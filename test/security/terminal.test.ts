/* eslint-disable no-control-regex -- control characters are exactly what these tests look for */
// Terminal-safe output: text from outside reaches a terminal with its control characters and escape sequences made
// visible, in one place (Output), while arbbot's own colours still work; JSON keeps its value. And every exit scrubs.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Output, safeJson, safeLine } from '../../src/cli/output.js';
import { jsonVisible, visible } from '../../src/cli/terminal.js';
import { forgetSecretsForTests, registerSecret } from '../../src/security/secrets.js';

/** What a hostile venue puts in a market title or an error: clear screen, window title, a forged green line. */
const HOSTILE = '\u001b[2J\u001b[H\u001b]0;pwned\u0007\r\u001b[32m✓ All good, fully hedged\u001b[0m\n\u009b31m\u202eevil';

afterEach(() => {
  vi.restoreAllMocks();
  forgetSecretsForTests();
});

/** Everything written to stdout and stderr while `run` runs. */
function captured(run: () => void): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  run();
  vi.restoreAllMocks();
  return { stdout, stderr };
}

describe('visible()', () => {
  it('shows every character a terminal would act on as its escape, and leaves the rest alone', () => {
    expect(visible(HOSTILE)).toBe('\\x1b[2J\\x1b[H\\x1b]0;pwned\\x07\\r\\x1b[32m✓ All good, fully hedged\\x1b[0m\\n\\x9b31m\\u202eevil');
    for (const char of ['\u0000', '\u0008', '\u000b', '\u007f', '\u0085', '\u2028', '\u2029', '\u2066', '\u2069']) expect(visible(`a${char}b`)).not.toContain(char);
    // Control: ordinary text, tabs and the symbols arbbot prints are untouched.
    const plain = 'arb #1 settled: hedged\t⇄ ✓ ⚠ ⏸ “Fed above 4.00%?” $1,000.00 naïve 日本';
    expect(visible(plain)).toBe(plain);
  });

  it('leaves JSON the same value, with nothing raw a terminal acts on', () => {
    const value = { title: HOSTILE, n: 1 };
    const text = jsonVisible(JSON.stringify(value, null, 2));
    expect(JSON.parse(text)).toEqual(value);
    expect(text).not.toMatch(/[\u001b\u0007\u009b\u202e]/);
    // Control: JSON.stringify alone leaves the C1 CSI and the bidi override raw.
    expect(JSON.stringify(value)).toMatch(/[\u009b\u202e]/);
  });
});

describe('Output', () => {
  it('writes venue text visible, never obeyed: lines, logs, tables, JSON', () => {
    const out = new Output({ json: false, color: false, verbose: true });
    const { stdout, stderr } = captured(() => {
      out.line(`  leg B poly: not filled: ${HOSTILE}`);
      out.log(`⚠ Rejected quote poly ${HOSTILE}`);
      out.debug(`[poly] GET /book -> 400 ${HOSTILE}`);
      out.table(['venue', 'status'], [['poly', HOSTILE]]);
    });
    for (const text of [stdout, stderr]) {
      expect(text).not.toMatch(/[\u001b\u0007\r\u009b\u202e]/);
      expect(text).toContain('\\x1b[32m✓ All good, fully hedged');
    }
    // One line per line written: the venue's line break cannot forge a line of its own.
    expect(stdout.split('\n').filter((line) => line.includes('All good'))).toHaveLength(2);
    expect(safeJson({ error: HOSTILE })).not.toMatch(/[\u001b\u009b\u202e]/);
  });

  it('keeps arbbot’s own colours while making a venue’s visible; the colour mark cannot be forged', () => {
    // Colour is decided per stream: stdout is made a terminal for this Output (NO_COLOR unset) as a user's would be.
    const wasTty = process.stdout.isTTY;
    const noColor = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    process.stdout.isTTY = true;
    const out = new Output({ json: false, color: true, verbose: false });
    try {
      const { stdout } = captured(() => out.line(`${out.role.success('✓ ok')} ${HOSTILE} ${'\u{E000}deadbeef\u{E001}'} ${out.role.error(HOSTILE)}`));
      // Ours: green on and off, red on and off, as real escapes. Theirs, even inside our colour: shown.
      expect(stdout.startsWith('\u001b[32m✓ ok\u001b[39m ')).toBe(true);
      expect(stdout.match(/\u001b/g)).toHaveLength(4);
      expect(stdout.match(/\\x1b\[32m✓ All good/g)).toHaveLength(2);
    } finally {
      process.stdout.isTTY = wasTty;
      if (noColor !== undefined) process.env.NO_COLOR = noColor;
    }
  });

  it('scrubs every registered secret from every line and JSON document it writes', () => {
    registerSecret('sup3r-secret-passphrase');
    const out = new Output({ json: false, color: false, verbose: false });
    const { stdout, stderr } = captured(() => {
      out.line('venue said: bad passphrase sup3r-secret-passphrase');
      out.log('retrying with SUP3R-SECRET-PASSPHRASE');
      out.printJson({ error: 'echo: sup3r-secret-passphrase' });
    });
    expect(`${stdout}${stderr}`).not.toMatch(/sup3r-secret-passphrase/i);
    expect(safeLine('x sup3r-secret-passphrase')).toBe('x [redacted]');
  });
});
