// Ethereum keystore v3 ("Web3 Secret Storage Definition", ethereum.org): a private key encrypted with AES-128-CTR
// under a key derived from a password by scrypt or PBKDF2-HMAC-SHA256, with a Keccak-256 MAC that proves the password
// right before anything is decrypted. geth, Foundry (`cast wallet import`) and every wallet library write this format.
// Node's crypto module does the key derivation and the cipher; viem (already a dependency) the Keccak-256. OpenSSL's
// scrypt holds to RFC 7914's bound n < 2^(16 r), which the definition's own scrypt vector (n = 2^18, r = 1) and the
// keystores of older wallet libraries break: those are derived by @noble/hashes (viem's own hashing library).
import { createDecipheriv, pbkdf2Sync, scryptSync, timingSafeEqual } from 'node:crypto';
import { scrypt as scryptPortable } from '@noble/hashes/scrypt';
import { keccak256 } from 'viem';

export class KeystoreError extends Error {
  override readonly name = 'KeystoreError';
}

/** The key the MAC and the cipher need: 16 bytes of cipher key, then 16 of MAC key. */
const DERIVED_KEY_BYTES_MIN = 32;
const PRIVATE_KEY_BYTES = 32;
/**
 * Bounds on the derivation's cost, so a damaged or hostile file cannot take the machine's memory: scrypt needs about
 * 128 × n × r bytes (geth's standard n = 2^18, r = 8 is 256 MiB); PBKDF2's iterations are bounded the same way.
 */
const SCRYPT_MEMORY_BYTES_MAX = 512 * 1024 * 1024;
const PBKDF2_ITERATIONS_MAX = 10_000_000;

type Json = Record<string, unknown>;

/** Decrypts a keystore v3 document with its password; returns the private key as 0x-prefixed hex. */
export function decryptKeystore(document: unknown, password: string): `0x${string}` {
  const root = object(document, 'the keystore');
  if (root.version !== 3) throw new KeystoreError('only keystore version 3 is supported');
  // Early geth wrote "Crypto"; the definition says "crypto".
  const crypto = object(root.crypto ?? root.Crypto, 'crypto');
  if (crypto.cipher !== 'aes-128-ctr') throw new KeystoreError(`cipher ${String(crypto.cipher)} is not supported (aes-128-ctr is)`);
  const iv = hex(object(crypto.cipherparams, 'crypto.cipherparams').iv, 'crypto.cipherparams.iv', 16);
  // geth writes a key with leading zero bytes shorter than 32 bytes: its ciphertext is as long as the key.
  const ciphertext = hex(crypto.ciphertext, 'crypto.ciphertext', null);
  if (ciphertext.length > PRIVATE_KEY_BYTES) throw new KeystoreError(`crypto.ciphertext must be at most ${PRIVATE_KEY_BYTES} bytes`);
  const mac = hex(crypto.mac, 'crypto.mac', 32);
  // geth derives from the password's bytes as given, ethers from its NFKC form: the same for ASCII passwords.
  const derived = [...new Set([password, password.normalize('NFKC')])]
    .map((candidate) => deriveKey(crypto, candidate))
    .find((key) => timingSafeEqual(Buffer.from(keccak256(Buffer.concat([key.subarray(16, 32), ciphertext])).slice(2), 'hex'), mac));
  if (derived === undefined) throw new KeystoreError('the password does not open this keystore (MAC mismatch)');
  const decipher = createDecipheriv('aes-128-ctr', derived.subarray(0, 16), iv);
  const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  return `0x${key.toString('hex').padStart(PRIVATE_KEY_BYTES * 2, '0')}`;
}

/** The address a keystore says it holds (lower case, 0x-prefixed), or null when it does not say. */
export function keystoreAddress(document: unknown): string | null {
  const address = (document as Json | null)?.address;
  if (typeof address !== 'string' || !/^(0x)?[0-9a-fA-F]{40}$/.test(address)) return null;
  return `0x${address.replace(/^0x/, '').toLowerCase()}`;
}

function deriveKey(crypto: Json, password: string): Buffer {
  const params = object(crypto.kdfparams, 'crypto.kdfparams');
  const salt = hex(params.salt, 'crypto.kdfparams.salt', null);
  const length = integer(params.dklen, 'crypto.kdfparams.dklen', DERIVED_KEY_BYTES_MIN, 64);
  if (crypto.kdf === 'scrypt') {
    const n = integer(params.n, 'crypto.kdfparams.n', 2, 2 ** 24);
    const r = integer(params.r, 'crypto.kdfparams.r', 1, 64);
    const p = integer(params.p, 'crypto.kdfparams.p', 1, 64);
    const memoryBytes = 128 * n * r;
    if (memoryBytes > SCRYPT_MEMORY_BYTES_MAX) throw new KeystoreError(`scrypt parameters need ${memoryBytes} bytes of memory, more than the ${SCRYPT_MEMORY_BYTES_MAX} allowed`);
    if (n & (n - 1)) throw new KeystoreError('crypto.kdfparams.n must be a power of 2');
    const maxmem = memoryBytes * 2 + 1024 * 1024;
    if (n < 2 ** (16 * r)) return scryptSync(password, salt, length, { N: n, r, p, maxmem });
    return Buffer.from(scryptPortable(password, salt, { N: n, r, p, dkLen: length, maxmem }));
  }
  if (crypto.kdf === 'pbkdf2') {
    if (params.prf !== 'hmac-sha256') throw new KeystoreError(`pbkdf2 with ${String(params.prf)} is not supported (hmac-sha256 is)`);
    const iterations = integer(params.c, 'crypto.kdfparams.c', 1, PBKDF2_ITERATIONS_MAX);
    return pbkdf2Sync(password, salt, iterations, length, 'sha256');
  }
  throw new KeystoreError(`key derivation ${String(crypto.kdf)} is not supported (scrypt and pbkdf2 are)`);
}

function object(value: unknown, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new KeystoreError(`${what} is not a JSON object`);
  return value as Json;
}

function hex(value: unknown, what: string, bytes: number | null): Buffer {
  if (typeof value !== 'string' || !/^(0x)?([0-9a-fA-F]{2})+$/.test(value)) throw new KeystoreError(`${what} is not hex`);
  const buffer = Buffer.from(value.replace(/^0x/, ''), 'hex');
  if (bytes !== null && buffer.length !== bytes) throw new KeystoreError(`${what} must be ${bytes} bytes`);
  return buffer;
}

function integer(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new KeystoreError(`${what} must be an integer from ${min} to ${max}`);
  }
  return value;
}
