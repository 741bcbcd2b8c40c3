// Secrets must never reach a log line. Verbose logs pass headers and bodies through redact(), which replaces the
// value of every key that looks secret and any string that looks like a key, keeping the shape for debugging.

// Matches KALSHI-ACCESS-KEY/-SIGNATURE, POLY_API_KEY/_PASSPHRASE/_SIGNATURE, X-Api-Key, takerSig, privateKey, apiSecret…
// but not tokenId or token_id, which are market identifiers worth seeing in a log.
const SECRET_KEY_RE = /secret|passphrase|signature|private|password|authorization|api[-_]?key|access[-_]?key|(^|[-_])token$|sig$/i;
const SECRET_VALUE_RES: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/, // PEM private keys (Kalshi)
  /^0x[0-9a-fA-F]{64}$/, // a bare 32-byte hex string: an EVM private key (an address is 20 bytes, a signature 65)
];
export const REDACTED = '[redacted]';
const DEPTH_MAX = 8;

/** A deep copy of `value` with secret-looking fields and values replaced by "[redacted]". */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > DEPTH_MAX) return REDACTED;
  if (typeof value === 'string') return SECRET_VALUE_RES.some((re) => re.test(value)) ? REDACTED : value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Headers) return redact(Object.fromEntries(value.entries()), depth + 1);
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] = SECRET_KEY_RE.test(key) ? REDACTED : redact(item, depth + 1);
    }
    return copy;
  }
  return value;
}

/** Redacts `value` and renders it on one line for a log. */
export function redactToString(value: unknown): string {
  return JSON.stringify(redact(value));
}
