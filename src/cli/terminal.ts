// Text from outside (venue messages, market titles, ids, feed names, config values) reaches a terminal only as
// visible characters: a control character or escape sequence is shown as its escape (\x1b, \r, \n, \u202e), never
// obeyed, so a reply cannot clear the screen, set the window title, move the cursor, colour a line or forge one.
// Output (output.ts) applies this to every line it writes; JSON text keeps its meaning and is only made plain ASCII
// where a terminal would act on a character.

/**
 * C0 controls but tab, DEL, C1 controls (U+009B is a one-character CSI on some terminals), the Unicode line and
 * paragraph separators, and the bidirectional overrides and isolates that reorder what a line appears to say.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\u001b': '\\x1b' };

/** The text with every character a terminal would act on replaced by its visible escape. */
export function visible(text: string): string {
  return text.replace(UNSAFE, (char) => NAMED[char] ?? escapeOf(char));
}

/** What JSON.stringify leaves raw (it escapes C0 controls itself) that a terminal would act on. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text with the characters JSON.stringify leaves raw but a terminal acts on (DEL, C1 controls, separators,
 * bidi controls) written as \u escapes: the same JSON value, safe to print. Its own line breaks (indentation) stay.
 */
export function jsonVisible(jsonText: string): string {
  return jsonText.replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function escapeOf(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
