// Polymarket authentication. L2 (every private call): HMAC-SHA256 keyed with the base64-decoded API secret over
// `timestampSeconds + method + path + body`, sent URL-safe base64 (keeping "=") in POLY_SIGNATURE with POLY_ADDRESS,
// POLY_TIMESTAMP, POLY_API_KEY and POLY_PASSPHRASE. Orders themselves are EIP-712 signed with the wallet key (viem).
import { createHash, createHmac } from 'node:crypto';
import { hashTypedData } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { registerBase64Secret } from '../../security/secrets.js';
import { loadCredentials, type CredentialSpec } from '../http/credentials.js';
import { VenueCredentialsError } from '../errors.js';
import { ethereumAccount } from '../http/ethereum-key.js';
import type { SignableRequest } from '../http/venue-http-client.js';
import { ORDER_EIP712_TYPES, type Hex, type OrderDomain, type UnsignedOrder } from './exchange.js';

export interface PolymarketCredentials {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly passphrase: string;
  /** The EOA that signs orders and owns the API key. */
  readonly account: PrivateKeyAccount;
  /** The funder: the EOA itself (signature type 0) or the proxy/safe wallet holding the funds (types 1, 2). */
  readonly makerAddress: Hex;
  readonly signatureType: number;
}

export const POLYMARKET_CREDENTIALS: readonly CredentialSpec[] = [
  { field: 'apiKey', env: 'POLY_API_KEY', required: true },
  { field: 'apiSecret', env: 'POLY_API_SECRET', required: true },
  { field: 'passphrase', env: 'POLY_PASSPHRASE', required: true },
  // The wallet key in the clear, or a keystore v3 file (its password in POLY_KEYSTORE_PASSWORD, never in a file).
  { field: 'privateKey', env: 'POLY_PRIVATE_KEY', required: true, orField: 'keystore' },
  { field: 'keystore', env: 'POLY_KEYSTORE', required: false, public: true },
  { field: 'address', env: 'POLY_ADDRESS', required: false, public: true },
  { field: 'signatureType', env: 'POLY_SIGNATURE_TYPE', required: false, public: true },
];

const POLY_KEY_NAMES = { keyEnv: 'POLY_PRIVATE_KEY', keystoreEnv: 'POLY_KEYSTORE', passwordEnv: 'POLY_KEYSTORE_PASSWORD' } as const;

export const POLYMARKET_CREDENTIALS_HINT = 'POLY_API_KEY, POLY_API_SECRET, POLY_PASSPHRASE and POLY_PRIVATE_KEY, or the credentials file';

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

export function loadPolymarketCredentials(venue: string, credentialsFile: string | null, env: NodeJS.ProcessEnv): PolymarketCredentials {
  const values = loadCredentials(venue, POLYMARKET_CREDENTIALS, credentialsFile, env);
  // The secret is base64 in either alphabet: every spelling of it is kept out of output.
  registerBase64Secret(values.apiSecret!);
  const account = ethereumAccount(venue, { privateKey: values.privateKey, keystore: values.keystore }, POLY_KEY_NAMES, env);
  const address = values.address ?? account.address;
  if (!ADDRESS_RE.test(address)) throw new VenueCredentialsError(`${venue}: POLY_ADDRESS must be a 20-byte hex address`);
  const signatureType = Number(values.signatureType ?? '0');
  if (![0, 1, 2].includes(signatureType)) {
    // Type 3 (POLY_1271, deposit wallets) wraps the signature for ERC-1271 validation, which this adapter does not build.
    throw new VenueCredentialsError(`${venue}: POLY_SIGNATURE_TYPE must be 0 (EOA), 1 (proxy) or 2 (safe); 3 (deposit wallet) is not supported`);
  }
  return { apiKey: values.apiKey!, apiSecret: values.apiSecret!, passphrase: values.passphrase!, account, makerAddress: address as Hex, signatureType };
}

/**
 * The method is signed as given, as clob-client-v2's buildPolyHmacSignature signs it (its published vector uses
 * "test-sign"); requests always pass it upper case.
 */
export function polyHmacSignature(secretBase64: string, timestampSeconds: number, method: string, pathname: string, bodyText: string): string {
  // Buffer's base64 decoder accepts both the standard and the URL-safe alphabets, as secrets come in either.
  const key = Buffer.from(secretBase64, 'base64');
  const digest = createHmac('sha256', key).update(`${timestampSeconds}${method}${pathname}${bodyText}`).digest('base64');
  return digest.replace(/\+/g, '-').replace(/\//g, '_');
}

export function polyL2Headers(credentials: PolymarketCredentials, nowMs: number, request: SignableRequest): Record<string, string> {
  const timestampSeconds = Math.floor(nowMs / 1000);
  return {
    POLY_ADDRESS: credentials.account.address,
    POLY_SIGNATURE: polyHmacSignature(credentials.apiSecret, timestampSeconds, request.method, request.pathname, request.bodyText),
    POLY_TIMESTAMP: String(timestampSeconds),
    POLY_API_KEY: credentials.apiKey,
    POLY_PASSPHRASE: credentials.passphrase,
  };
}

function typedData(order: UnsignedOrder, domain: OrderDomain) {
  return { domain, types: ORDER_EIP712_TYPES, primaryType: 'Order' as const, message: order };
}

/** The order's EIP-712 hash, which is also the orderID the CLOB assigns: known before the order is sent. */
export function orderHash(order: UnsignedOrder, domain: OrderDomain): Hex {
  return hashTypedData(typedData(order, domain));
}

export function signOrder(account: PrivateKeyAccount, order: UnsignedOrder, domain: OrderDomain): Promise<Hex> {
  return account.signTypedData(typedData(order, domain));
}

/**
 * A salt derived from the client order id (below 2^48, because the API takes it as a JSON number): the same request
 * signs to the same salt, which makes a signed order traceable to the client id that produced it.
 */
export function saltFor(clientOrderId: string): bigint {
  const digest = createHash('sha256').update(`arbbot:${clientOrderId}`).digest();
  return BigInt(`0x${digest.subarray(0, 6).toString('hex')}`);
}
