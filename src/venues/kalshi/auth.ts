// Kalshi request signing: RSA-PSS with SHA-256 (salt length = digest length) over
// `timestampMs + METHOD + path`, where path includes /trade-api/v2 and excludes the query string.
import { constants, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ownerOnlyProblem } from '../../security/private-files.js';
import { registerPem } from '../../security/secrets.js';
import { loadCredentials, type CredentialSpec } from '../http/credentials.js';
import { VenueCredentialsError } from '../errors.js';
import type { SignableRequest } from '../http/venue-http-client.js';

export interface KalshiCredentials {
  readonly apiKeyId: string;
  readonly privateKey: KeyObject;
}

export const KALSHI_CREDENTIALS: readonly CredentialSpec[] = [
  { field: 'apiKeyId', env: 'KALSHI_API_KEY_ID', required: true },
  // One of the two: a path to the PEM file, or the PEM itself (newlines may be written as \n in an env var).
  { field: 'privateKeyPath', env: 'KALSHI_PRIVATE_KEY_PATH', required: false, public: true },
  { field: 'privateKey', env: 'KALSHI_PRIVATE_KEY', required: false, multiline: true },
];

/**
 * Whether any Kalshi credential is configured (a credentials file, or any of the variables), usable or not: with none,
 * the adapter reads public market data unsigned; with some, it signs every request, as Kalshi's own SDK does.
 */
export function kalshiCredentialsConfigured(credentialsFile: string | null, env: NodeJS.ProcessEnv): boolean {
  return credentialsFile !== null || KALSHI_CREDENTIALS.some((spec) => (env[spec.env] ?? '').trim() !== '');
}

export const KALSHI_CREDENTIALS_HINT = 'KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PATH (or KALSHI_PRIVATE_KEY), or the credentials file';

export function loadKalshiCredentials(venue: string, credentialsFile: string | null, env: NodeJS.ProcessEnv): KalshiCredentials {
  const values = loadCredentials(venue, KALSHI_CREDENTIALS, credentialsFile, env);
  const pem = values.privateKey?.replace(/\\n/g, '\n') ?? readPem(venue, values.privateKeyPath);
  registerPem(pem);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    // The parser's message is not echoed: it must never risk quoting key material.
    throw new VenueCredentialsError(`${venue}: the Kalshi private key is not a valid PEM RSA private key`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new VenueCredentialsError(`${venue}: the Kalshi private key must be an RSA key`);
  return { apiKeyId: values.apiKeyId!, privateKey };
}

function readPem(venue: string, path: string | undefined): string {
  if (path === undefined) throw new VenueCredentialsError(`${venue}: missing credentials: KALSHI_PRIVATE_KEY_PATH or KALSHI_PRIVATE_KEY`);
  const problem = ownerOnlyProblem(path);
  if (problem !== null) throw new VenueCredentialsError(`${venue}: the Kalshi private key file ${problem}`);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new VenueCredentialsError(`${venue}: cannot read the Kalshi private key file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The message Kalshi signs: milliseconds timestamp, upper-case method, full path without query. */
export function kalshiSigningMessage(timestampMs: number, method: string, pathname: string): string {
  return `${timestampMs}${method.toUpperCase()}${pathname}`;
}

export function kalshiSignature(privateKey: KeyObject, message: string): string {
  return sign('sha256', Buffer.from(message, 'utf8'), {
    key: privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  }).toString('base64');
}

export function kalshiAuthHeaders(credentials: KalshiCredentials, nowMs: number, request: SignableRequest): Record<string, string> {
  const message = kalshiSigningMessage(nowMs, request.method, request.pathname);
  return {
    'KALSHI-ACCESS-KEY': credentials.apiKeyId,
    'KALSHI-ACCESS-TIMESTAMP': String(nowMs),
    'KALSHI-ACCESS-SIGNATURE': kalshiSignature(credentials.privateKey, message),
  };
}
