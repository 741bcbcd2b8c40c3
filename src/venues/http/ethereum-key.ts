// The Ethereum signing key of a venue that signs with a wallet (Polymarket orders, SX fills): given in the clear
// (hex), or as a keystore v3 file whose password comes from an environment variable, so that a stolen config or
// credentials file alone moves no money. Either way the key is registered with the scrubber before it is used, and
// no message ever quotes it.
import { readFileSync } from 'node:fs';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { ownerOnlyProblem } from '../../security/private-files.js';
import { registerHexKey, registerSecret } from '../../security/secrets.js';
import { VenueCredentialsError } from '../errors.js';
import { decryptKeystore, KeystoreError, keystoreAddress } from './keystore.js';

/** Where a venue's key may come from, by the names a person sets. */
export interface EthereumKeyNames {
  /** The variable of the hex key, e.g. POLY_PRIVATE_KEY. */
  readonly keyEnv: string;
  /** The variable of the keystore file's path, e.g. POLY_KEYSTORE. */
  readonly keystoreEnv: string;
  /** The variable of the keystore's password, e.g. POLY_KEYSTORE_PASSWORD (never read from a file). */
  readonly passwordEnv: string;
}

const HEX_KEY_RE = /^0x[0-9a-fA-F]{64}$/;

/** The account of the hex key or the keystore (exactly one of them given). */
export function ethereumAccount(
  venue: string,
  given: { readonly privateKey: string | undefined; readonly keystore: string | undefined },
  names: EthereumKeyNames,
  env: NodeJS.ProcessEnv,
): PrivateKeyAccount {
  if (given.privateKey !== undefined && given.keystore !== undefined) {
    throw new VenueCredentialsError(`${venue}: both ${names.keyEnv} and ${names.keystoreEnv} are given: keep one`);
  }
  if (given.keystore !== undefined) return keystoreAccount(venue, given.keystore, names, env);
  if (given.privateKey === undefined) throw new VenueCredentialsError(`${venue}: missing credentials: ${names.keyEnv} or ${names.keystoreEnv}`);
  return hexAccount(venue, given.privateKey, `${names.keyEnv} must be 32 bytes of hex`);
}

function hexAccount(venue: string, text: string, malformed: string): PrivateKeyAccount {
  registerHexKey(text);
  const privateKey = text.startsWith('0x') ? text : `0x${text}`;
  if (!HEX_KEY_RE.test(privateKey)) throw new VenueCredentialsError(`${venue}: ${malformed}`);
  try {
    return privateKeyToAccount(privateKey as `0x${string}`);
  } catch {
    // The library's message may quote the key (zero, or beyond the curve's order): never echoed.
    throw new VenueCredentialsError(`${venue}: ${malformed} (a valid secp256k1 private key)`);
  }
}

function keystoreAccount(venue: string, path: string, names: EthereumKeyNames, env: NodeJS.ProcessEnv): PrivateKeyAccount {
  const problem = ownerOnlyProblem(path);
  if (problem !== null) throw new VenueCredentialsError(`${venue}: keystore ${problem}`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VenueCredentialsError(`${venue}: cannot read keystore ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    // Never echo the parser's message: it can quote the file.
    throw new VenueCredentialsError(`${venue}: keystore ${path} is not valid JSON`);
  }
  const password = env[names.passwordEnv];
  if (password === undefined || password === '') {
    throw new VenueCredentialsError(`${venue}: missing credentials: ${names.passwordEnv} (the password of keystore ${path})`);
  }
  registerSecret(password);
  let key: `0x${string}`;
  try {
    key = decryptKeystore(document, password);
  } catch (error) {
    if (error instanceof KeystoreError) throw new VenueCredentialsError(`${venue}: keystore ${path}: ${error.message} (password from ${names.passwordEnv})`);
    throw error;
  }
  const account = hexAccount(venue, key, `keystore ${path} does not hold a 32-byte private key`);
  const claimed = keystoreAddress(document);
  if (claimed !== null && claimed !== account.address.toLowerCase()) {
    throw new VenueCredentialsError(`${venue}: keystore ${path} says it holds ${claimed}, but its key is ${account.address}'s`);
  }
  return account;
}
