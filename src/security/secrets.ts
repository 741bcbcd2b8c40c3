// The secret registry and its scrubber. Every secret the process loads (API keys, passphrases, API secrets, private
// keys, keystore passwords) is registered here, in every form it can take on its way out: as loaded, JSON-escaped,
// URL-encoded, a PEM's base64 body and each of its lines, a hex key with and without 0x and as its decimal. Every
// exit (terminal, log file, JSON output, text columns of the ledger, crash reports) passes its text through scrub(),
// so a venue that echoes a request header into its error body, or a library that quotes a value in its message,
// cannot carry a secret out. Matching ignores case: a hex key upper-cased is the same key.

export const REDACTED = '[redacted]';

/** A whole value shorter than this is no secret worth the name, and redacting it would mangle ordinary text. */
const VALUE_LENGTH_MIN = 4;
/** Fragments (a PEM's last base64 line, a line of a multi-line value) shorter than this are not registered alone. */
const FRAGMENT_LENGTH_MIN = 12;

const forms = new Set<string>();
let pattern: RegExp | null = null;

function addForm(form: string, lengthMin: number): void {
  if (form.length < lengthMin || forms.has(form)) return;
  forms.add(form);
  pattern = null;
}

/** The forms any secret text takes once serialised: as is, JSON-escaped, URL-encoded. */
function addTextForms(text: string, lengthMin: number): void {
  addForm(text, lengthMin);
  addForm(JSON.stringify(text).slice(1, -1), lengthMin);
  addForm(encodeURIComponent(text), lengthMin);
}

/** Registers a secret as loaded (an API key, passphrase, password), with each of its lines when it has several. */
export function registerSecret(value: string): void {
  addTextForms(value, VALUE_LENGTH_MIN);
  const trimmed = value.trim();
  if (trimmed !== value) addTextForms(trimmed, VALUE_LENGTH_MIN);
  for (const line of value.split(/\r?\n|\\n/)) addTextForms(line.trim(), FRAGMENT_LENGTH_MIN);
}

/**
 * Registers a base64 secret (Polymarket's API secret) in both alphabets, with and without its padding: clients and
 * venues write it either way.
 */
export function registerBase64Secret(value: string): void {
  registerSecret(value);
  const standard = value.replace(/-/g, '+').replace(/_/g, '/');
  const urlSafe = value.replace(/\+/g, '-').replace(/\//g, '_');
  for (const form of [standard, urlSafe]) {
    registerSecret(form);
    registerSecret(form.replace(/=+$/, ''));
  }
}

/**
 * Registers a PEM private key: the whole text (with real or escaped newlines), its base64 body joined, and each
 * body line, since a parser's or a venue's message may quote any one of them.
 */
export function registerPem(pem: string): void {
  registerSecret(pem);
  const normalised = pem.replace(/\\n/g, '\n').replace(/\r\n/g, '\n').trim();
  registerSecret(normalised);
  const body = normalised
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('-----'));
  for (const line of body) addTextForms(line, FRAGMENT_LENGTH_MIN);
  addTextForms(body.join(''), FRAGMENT_LENGTH_MIN);
}

/** Registers a hex private key (an Ethereum key): with and without 0x, and as the integer it encodes. */
export function registerHexKey(key: string): void {
  registerSecret(key);
  const digits = key.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]+$/.test(digits)) return;
  registerSecret(digits);
  registerSecret(`0x${digits}`);
  registerSecret(BigInt(`0x${digits}`).toString(10));
}

/** How many forms are registered (zero in paper mode: then scrub() costs nothing). */
export function registeredFormCount(): number {
  return forms.size;
}

/** Every registered form, longest first; for tests that scan files for any of them. */
export function registeredForms(): string[] {
  return [...forms].sort((left, right) => right.length - left.length);
}

/** The text with every registered form of every secret replaced by "[redacted]". */
export function scrub(text: string): string {
  if (forms.size === 0 || text === '') return text;
  pattern ??= new RegExp(registeredForms().map(escapeRegExp).join('|'), 'gi');
  return text.replace(pattern, REDACTED);
}

/** scrub() for a text column that may be null (an error, a note): what the ledger stores. */
export function scrubNullable(text: string | null): string | null {
  return text === null ? null : scrub(text);
}

/** Forgets every registered secret (tests only: a process keeps its secrets registered for its whole life). */
export function forgetSecretsForTests(): void {
  forms.clear();
  pattern = null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
