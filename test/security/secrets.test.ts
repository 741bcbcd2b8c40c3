// The secret registry and its scrubber, credentials refused at load (control characters, files others can read), and
// key parsing that never echoes the key. Each rule with a control that shows the check would see it broken.
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecretsForTests, REDACTED, registerBase64Secret, registerHexKey, registerPem, registerSecret, registeredFormCount, scrub } from '../../src/security/secrets.js';
import { ownerOnlyProblem } from '../../src/security/private-files.js';
import { loadCredentials } from '../../src/venues/http/credentials.js';
import { VenueCredentialsError } from '../../src/venues/errors.js';
import { loadKalshiCredentials } from '../../src/venues/kalshi/auth.js';
import { loadPolymarketCredentials } from '../../src/venues/polymarket/auth.js';
import { loadSxCredentials } from '../../src/venues/sx/auth.js';

const dirs: string[] = [];
afterEach(() => {
  forgetSecretsForTests();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'arbbot-secrets-'));
  dirs.push(dir);
  return dir;
}

function caught(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('the scrubber', () => {
  it('replaces every registered form of a secret, and nothing else', () => {
    registerSecret('pass-phrase-42');
    const text = 'venue said: bad passphrase pass-phrase-42 (PASS-PHRASE-42), url ?p=pass-phrase-42 ok';
    expect(scrub(text)).toBe(`venue said: bad passphrase ${REDACTED} (${REDACTED}), url ?p=${REDACTED} ok`);
    // Control: an unregistered value passes untouched, and so does everything with no secret registered.
    expect(scrub('nothing secret here 0.42')).toBe('nothing secret here 0.42');
    forgetSecretsForTests();
    expect(scrub(text)).toBe(text);
  });

  it('knows a PEM key by its whole text, its escaped form, its base64 body and each body line', () => {
    registerPem(PEM);
    const lines = PEM.trim().split('\n').filter((line) => !line.startsWith('-----'));
    const body = lines.join('');
    for (const form of [PEM, JSON.stringify(PEM), PEM.replace(/\n/g, '\\n'), body, lines[3]!, lines[lines.length - 1]!]) {
      expect(scrub(`error: ${form} end`), form.slice(0, 20)).not.toContain(form.length > 20 ? form.slice(5, 25) : form);
    }
    expect(scrub(`quoted line ${lines[5]!}`)).toBe(`quoted line ${REDACTED}`);
  });

  it('knows a hex key with and without 0x, in either case, and as its decimal', () => {
    const key = generatePrivateKey();
    registerHexKey(key);
    const digits = key.slice(2);
    for (const form of [key, digits, digits.toUpperCase(), `0x${digits.toUpperCase()}`, BigInt(key).toString(10)]) {
      expect(scrub(`invalid key ${form}!`)).toBe(`invalid key ${REDACTED}!`);
    }
  });

  it('knows a base64 secret in both alphabets, with and without padding', () => {
    registerBase64Secret('ab+/cd+/ef+/gh+/ij==');
    for (const form of ['ab+/cd+/ef+/gh+/ij==', 'ab-_cd-_ef-_gh-_ij==', 'ab-_cd-_ef-_gh-_ij', 'ab+/cd+/ef+/gh+/ij']) {
      expect(scrub(`secret ${form}.`)).toBe(`secret ${REDACTED}.`);
    }
  });

  it('registers every credential read, except those that are no secret (addresses, paths, URLs)', () => {
    const specs = [
      { field: 'apiKey', env: 'T_KEY', required: true },
      { field: 'address', env: 'T_ADDRESS', required: false, public: true },
    ];
    loadCredentials('v', specs, null, { T_KEY: 'api-key-value', T_ADDRESS: '0x00000000000000000000000000000000000000aa' });
    expect(scrub('api-key-value')).toBe(REDACTED);
    expect(scrub('0x00000000000000000000000000000000000000aa')).toBe('0x00000000000000000000000000000000000000aa');
  });
});

describe('credentials with control characters', () => {
  const specs = [{ field: 'apiKey', env: 'T_KEY', required: true }];

  it('are refused at load, naming the variable and never the value', () => {
    const error = caught(() => loadCredentials('v', specs, null, { T_KEY: 'abc\ndef-secret' }));
    expect(error).toBeInstanceOf(VenueCredentialsError);
    expect(error.message).toBe('v: T_KEY contains a control character (such as a line break): a credential is one line of text');
    expect(error.message).not.toContain('def-secret');
    for (const control of ['\r', '\t', '\u001b', '\u0000', '\u007f', '\u009b']) {
      expect(() => loadCredentials('v', specs, null, { T_KEY: `ab${control}cd` })).toThrow(/T_KEY contains a control character/);
    }
    // Control: the same value without it loads.
    expect(loadCredentials('v', specs, null, { T_KEY: 'abcdef-secret' }).apiKey).toBe('abcdef-secret');
  });

  it('name the file and field when they come from a credentials file', () => {
    const file = join(tempDir(), 'creds.json');
    writeFileSync(file, JSON.stringify({ apiKey: 'abc\u001b[2Jdef' }), { mode: 0o600 });
    expect(() => loadCredentials('v', specs, file, {})).toThrow(`v: "apiKey" in ${file} contains a control character`);
  });

  it('are refused for every venue before anything is sent (Kalshi, Polymarket, SX)', () => {
    expect(() => loadKalshiCredentials('kalshi', null, { KALSHI_API_KEY_ID: 'id\nx', KALSHI_PRIVATE_KEY: PEM })).toThrow(/KALSHI_API_KEY_ID contains a control character/);
    const poly = { POLY_API_KEY: 'k', POLY_API_SECRET: 'c2VjcmV0', POLY_PASSPHRASE: 'pass\nphrase', POLY_PRIVATE_KEY: generatePrivateKey() };
    expect(() => loadPolymarketCredentials('poly', null, poly)).toThrow(/POLY_PASSPHRASE contains a control character/);
    expect(() => loadSxCredentials('sx', null, { SX_PRIVATE_KEY: `${generatePrivateKey()}\n` + 'x' })).toThrow(/SX_PRIVATE_KEY contains a control character/);
  });

  it('allow a PEM key its line breaks (real or written \\n), and nothing else', () => {
    expect(loadKalshiCredentials('kalshi', null, { KALSHI_API_KEY_ID: 'id-1', KALSHI_PRIVATE_KEY: PEM }).apiKeyId).toBe('id-1');
    expect(loadKalshiCredentials('kalshi', null, { KALSHI_API_KEY_ID: 'id-1', KALSHI_PRIVATE_KEY: PEM.replace(/\n/g, '\\n') }).apiKeyId).toBe('id-1');
    expect(() => loadKalshiCredentials('kalshi', null, { KALSHI_API_KEY_ID: 'id-1', KALSHI_PRIVATE_KEY: PEM.replace('\n', '\n\u001b') })).toThrow(
      /KALSHI_PRIVATE_KEY contains a control character other than a line break/,
    );
  });
});

describe('key and credentials files readable by group or others', () => {
  it('are refused with the fix named, like ssh; owner-only files are read', () => {
    const dir = tempDir();
    const creds = join(dir, 'kalshi.json');
    writeFileSync(creds, JSON.stringify({ apiKeyId: 'id-1', privateKey: PEM }), { mode: 0o600 });
    chmodSync(creds, 0o644);
    expect(ownerOnlyProblem(creds)).toBe(`${creds} is accessible by group or others (mode 0644); run: chmod 600 ${creds}`);
    expect(() => loadKalshiCredentials('kalshi', creds, {})).toThrow(`kalshi: credentials file ${creds} is accessible by group or others (mode 0644); run: chmod 600 ${creds}`);
    for (const mode of [0o640, 0o604, 0o660, 0o602]) {
      chmodSync(creds, mode);
      expect(() => loadKalshiCredentials('kalshi', creds, {}), mode.toString(8)).toThrow(/chmod 600/);
    }
    // Control: the same file, owner-only, loads.
    chmodSync(creds, 0o600);
    expect(loadKalshiCredentials('kalshi', creds, {}).apiKeyId).toBe('id-1');
  });

  it('include the Kalshi PEM file named by KALSHI_PRIVATE_KEY_PATH', () => {
    const pemFile = join(tempDir(), 'kalshi.pem');
    writeFileSync(pemFile, PEM, { mode: 0o644 });
    chmodSync(pemFile, 0o644);
    const env = { KALSHI_API_KEY_ID: 'id-1', KALSHI_PRIVATE_KEY_PATH: pemFile };
    expect(() => loadKalshiCredentials('kalshi', null, env)).toThrow(`kalshi: the Kalshi private key file ${pemFile} is accessible by group or others (mode 0644); run: chmod 600 ${pemFile}`);
    chmodSync(pemFile, 0o600);
    expect(loadKalshiCredentials('kalshi', null, env).apiKeyId).toBe('id-1');
    // The key read from the file is registered: a venue quoting any line of it is scrubbed.
    expect(scrub(PEM.split('\n')[4]!)).toBe(REDACTED);
  });
});

describe('key parsing', () => {
  it('never echoes an Ethereum key that is malformed or not a valid secp256k1 key', () => {
    const outOfRange = `0x${'f'.repeat(64)}` as const; // beyond the curve's order: the library refuses it
    const zero = `0x${'0'.repeat(64)}`;
    const short = `0x${'ab'.repeat(31)}`;
    for (const key of [outOfRange, zero, short]) {
      const error = caught(() => loadSxCredentials('sx', null, { SX_PRIVATE_KEY: key }));
      expect(error).toBeInstanceOf(VenueCredentialsError);
      expect(error.message).toMatch(/^sx: SX_PRIVATE_KEY must be 32 bytes of hex/);
      expect(error.message).not.toContain(key.slice(2, 20));
      expect(error.message).not.toContain(BigInt(key).toString(10).slice(0, 20));
    }
    // Control: the signing library's own message quotes the key, as its decimal.
    expect(caught(() => privateKeyToAccount(outOfRange)).message).toContain(BigInt(outOfRange).toString(10));
    // Control: a valid key loads.
    expect(loadSxCredentials('sx', null, { SX_PRIVATE_KEY: generatePrivateKey() }).account.address).toMatch(/^0x/);
  });

  it('never echoes a PEM that does not parse', () => {
    const broken = PEM.replace(/[A-Za-z]{8}/, 'zzzzzzzz');
    const error = caught(() => loadKalshiCredentials('kalshi', null, { KALSHI_API_KEY_ID: 'id-1', KALSHI_PRIVATE_KEY: broken.slice(0, 400) }));
    expect(error.message).toBe('kalshi: the Kalshi private key is not a valid PEM RSA private key');
    expect(registeredFormCount()).toBeGreaterThan(0); // registered all the same: a venue cannot be sent it, but output is scrubbed
  });
});
