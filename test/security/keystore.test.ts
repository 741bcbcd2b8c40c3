// The Ethereum keystore v3 option: decryption reproduces the published test vectors of the Web3 Secret Storage
// Definition (ethereum.org; the same vectors go-ethereum keeps in accounts/keystore/testdata/v3_test_vector.json),
// a wrong password or a tampered file is refused, and Polymarket and SX sign with the key a keystore holds, its
// password read from the environment only.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecretsForTests, REDACTED, scrub } from '../../src/security/secrets.js';
import { decryptKeystore, KeystoreError } from '../../src/venues/http/keystore.js';
import { loadPolymarketCredentials } from '../../src/venues/polymarket/auth.js';
import { loadSxCredentials } from '../../src/venues/sx/auth.js';

/** The Web3 Secret Storage Definition's test vectors, as published (password "testpassword"). */
const PUBLISHED = {
  scrypt: {
    json: {
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: '83dbcc02d8ccb40e466191a123791e0e' },
        ciphertext: 'd172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c',
        kdf: 'scrypt',
        kdfparams: { dklen: 32, n: 262144, r: 1, p: 8, salt: 'ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19' },
        mac: '2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097',
      },
      id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
      version: 3,
    },
    password: 'testpassword',
    priv: '7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d',
  },
  pbkdf2: {
    json: {
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
        ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
        kdf: 'pbkdf2',
        kdfparams: { c: 262144, dklen: 32, prf: 'hmac-sha256', salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd' },
        mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
      },
      id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
      version: 3,
    },
    password: 'testpassword',
    priv: '7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d',
  },
  /** go-ethereum's vector of a key with a leading zero byte, written as 31 bytes. */
  shortKey: {
    json: {
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: 'e0c41130a323adc1446fc82f724bca2f' },
        ciphertext: '9517cd5bdbe69076f9bf5057248c6c050141e970efa36ce53692d5d59a3984',
        kdf: 'scrypt',
        kdfparams: { dklen: 32, n: 2, r: 8, p: 1, salt: '711f816911c92d649fb4c84b047915679933555030b3552c1212609b38208c63' },
        mac: 'd5e116151c6aa71470e67a7d42c9620c75c4d23229847dcc127794f0732b0db5',
      },
      id: 'fecfc4ce-e956-48fd-953b-30f8b52ed66c',
      version: 3,
    },
    password: 'foo',
    priv: 'fa7b3db73dc7dfdf8c5fbdb796d741e4488628c41fc4febd9160a866ba0f35',
  },
} as const;

const dirs: string[] = [];
afterEach(() => {
  forgetSecretsForTests();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function keystoreFile(document: unknown, mode = 0o600): string {
  const dir = mkdtempSync(join(tmpdir(), 'arbbot-keystore-'));
  dirs.push(dir);
  const path = join(dir, 'UTC--key.json');
  writeFileSync(path, JSON.stringify(document), { mode });
  chmodSync(path, mode);
  return path;
}

function withCrypto(patch: Record<string, unknown>) {
  return { ...PUBLISHED.pbkdf2.json, crypto: { ...PUBLISHED.pbkdf2.json.crypto, ...patch } };
}

const POLY_ENV = { POLY_API_KEY: 'api-key-1', POLY_API_SECRET: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=', POLY_PASSPHRASE: 'pass-1' };

describe('keystore v3 decryption', () => {
  it('reproduces the published test vectors (scrypt and pbkdf2), and geth’s 31-byte key', () => {
    expect(decryptKeystore(PUBLISHED.scrypt.json, PUBLISHED.scrypt.password)).toBe(`0x${PUBLISHED.scrypt.priv}`);
    expect(decryptKeystore(PUBLISHED.pbkdf2.json, PUBLISHED.pbkdf2.password)).toBe(`0x${PUBLISHED.pbkdf2.priv}`);
    expect(decryptKeystore(PUBLISHED.shortKey.json, PUBLISHED.shortKey.password)).toBe(`0x00${PUBLISHED.shortKey.priv}`);
  });

  it('refuses a wrong password and a tampered file by the MAC, before decrypting anything', () => {
    expect(() => decryptKeystore(PUBLISHED.pbkdf2.json, 'wrongpassword')).toThrow(new KeystoreError('the password does not open this keystore (MAC mismatch)'));
    const tampered = withCrypto({ ciphertext: `6${PUBLISHED.pbkdf2.json.crypto.ciphertext.slice(1)}` });
    expect(() => decryptKeystore(tampered, PUBLISHED.pbkdf2.password)).toThrow(/MAC mismatch/);
  });

  it('refuses what it does not support, and derivations that would take the machine’s memory', () => {
    expect(() => decryptKeystore({ ...PUBLISHED.pbkdf2.json, version: 1 }, 'x')).toThrow(/only keystore version 3/);
    expect(() => decryptKeystore(withCrypto({ cipher: 'aes-128-cbc' }), 'x')).toThrow(/cipher aes-128-cbc is not supported/);
    expect(() => decryptKeystore(withCrypto({ kdf: 'argon2' }), 'x')).toThrow(/key derivation argon2 is not supported/);
    const huge = withCrypto({ kdf: 'scrypt', kdfparams: { dklen: 32, n: 2 ** 24, r: 8, p: 1, salt: 'ab' } });
    expect(() => decryptKeystore(huge, 'x')).toThrow(/more than the 536870912 allowed/);
    expect(() => decryptKeystore('not an object', 'x')).toThrow(/is not a JSON object/);
  });
});

describe('a venue key from a keystore (POLY_KEYSTORE, SX_KEYSTORE)', () => {
  const account = privateKeyToAccount(`0x${PUBLISHED.pbkdf2.priv}`);

  it('signs as the account the keystore holds, its password from the environment, the key registered as a secret', () => {
    const path = keystoreFile({ ...PUBLISHED.pbkdf2.json, address: account.address.slice(2).toLowerCase() });
    const poly = loadPolymarketCredentials('poly', null, { ...POLY_ENV, POLY_KEYSTORE: path, POLY_KEYSTORE_PASSWORD: 'testpassword' });
    expect(poly.account.address).toBe(account.address);
    const sx = loadSxCredentials('sx', null, { SX_KEYSTORE: path, SX_KEYSTORE_PASSWORD: 'testpassword' });
    expect(sx.account.address).toBe(account.address);
    expect(scrub(`key ${PUBLISHED.pbkdf2.priv} password testpassword`)).toBe(`key ${REDACTED} password ${REDACTED}`);
  });

  it('from a credentials file: the file names the keystore, the password still comes from the environment only', () => {
    const path = keystoreFile(PUBLISHED.pbkdf2.json);
    const creds = keystoreFile({ privateKey: undefined, keystore: path });
    expect(loadSxCredentials('sx', creds, { SX_KEYSTORE_PASSWORD: 'testpassword' }).account.address).toBe(account.address);
    expect(() => loadSxCredentials('sx', creds, {})).toThrow(`sx: missing credentials: SX_KEYSTORE_PASSWORD (the password of keystore ${path})`);
  });

  it('is refused with a wrong password, naming the variable and never the password', () => {
    const path = keystoreFile(PUBLISHED.pbkdf2.json);
    const attempt = () => loadPolymarketCredentials('poly', null, { ...POLY_ENV, POLY_KEYSTORE: path, POLY_KEYSTORE_PASSWORD: 'hunter2-wrong' });
    expect(attempt).toThrow(`poly: keystore ${path}: the password does not open this keystore (MAC mismatch) (password from POLY_KEYSTORE_PASSWORD)`);
  });

  it('is refused when others can read the keystore file, with the fix named', () => {
    const path = keystoreFile(PUBLISHED.pbkdf2.json, 0o644);
    expect(() => loadSxCredentials('sx', null, { SX_KEYSTORE: path, SX_KEYSTORE_PASSWORD: 'testpassword' })).toThrow(
      `sx: keystore ${path} is accessible by group or others (mode 0644); run: chmod 600 ${path}`,
    );
  });

  it('is refused when the keystore says it holds another address, or when a clear key is given too', () => {
    const path = keystoreFile({ ...PUBLISHED.pbkdf2.json, address: '00000000000000000000000000000000000000aa' });
    expect(() => loadSxCredentials('sx', null, { SX_KEYSTORE: path, SX_KEYSTORE_PASSWORD: 'testpassword' })).toThrow(
      `sx: keystore ${path} says it holds 0x00000000000000000000000000000000000000aa, but its key is ${account.address}'s`,
    );
    expect(() => loadSxCredentials('sx', null, { SX_KEYSTORE: path, SX_PRIVATE_KEY: `0x${PUBLISHED.pbkdf2.priv}`, SX_KEYSTORE_PASSWORD: 'testpassword' })).toThrow(
      'sx: both SX_PRIVATE_KEY and SX_KEYSTORE are given: keep one',
    );
  });
});
