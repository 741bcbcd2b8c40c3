// The real CLI (bin/arbbot.js in a child process) against the Kalshi and Polymarket imitations, each behind a hostile
// proxy (hostile-proxy.ts), with a second loopback host to redirect to. Every secret is a fresh random value in an
// owner-only credentials file; every form it can take is listed here, independently of the scrubber, so a test can scan
// every output and every file for it. Each CLI run reports its peak resident set size (peak-rss.mjs).
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { BIN, writeConfig } from '../helpers.js';
import { ImitationServer } from '../venues/imitation.js';
import { KalshiImitation } from '../venues/kalshi-server.js';
import { PolymarketImitation } from '../venues/polymarket-server.js';
import { HostileProxy } from './hostile-proxy.js';

export const TICKER = 'KXFED-26DEC-T4.00';
export const CONDITION = `0x${'ab'.repeat(32)}`;
const YES_TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const NO_TOKEN = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
export const PAIR = 'fed-dec';
export const KALSHI_ORDERS = '/trade-api/v2/portfolio/events/orders';
/** The bound every run must stay under. */
export const PEAK_RSS_BYTES_MAX = 300 * 1024 * 1024;

const PEAK_RSS = fileURLToPath(new URL('./peak-rss.mjs', import.meta.url));

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly peakRssBytes: number;
}

export interface SecureFixture {
  readonly dir: string;
  readonly db: string;
  readonly logFile: string;
  readonly kalshi: KalshiImitation;
  readonly poly: PolymarketImitation;
  readonly kalshiProxy: HostileProxy;
  readonly polyProxy: HostileProxy;
  /** Another host, to redirect to: it must never receive anything. */
  readonly elsewhere: ImitationServer;
  /** Every form of every configured secret (values, PEM lines and body, hex key with and without 0x, its decimal). */
  readonly secretForms: readonly string[];
  /** Every run of the CLI so far. */
  readonly runs: CliRun[];
  /** The CLI with this fixture's config and ledger. */
  cli(args: readonly string[], options?: { env?: Record<string, string> }): Promise<CliRun>;
  /** The CLI with only the arguments given (in the fixture's directory, so the default ledger is this fixture's). */
  raw(args: readonly string[], options?: { env?: Record<string, string> }): Promise<CliRun>;
  json<T = Record<string, unknown>>(args: readonly string[]): Promise<CliRun & { json: T }>;
  /** The secret forms found in any run's stdout or stderr, or in any file under the fixture's directory but the credentials files. */
  leaks(): string[];
}

export interface FixtureOptions {
  readonly arbitrage?: Record<string, unknown>;
  readonly venueOverrides?: { readonly kalshi?: Record<string, unknown>; readonly poly?: Record<string, unknown> };
}

type Teardown = (fn: () => Promise<void> | void) => void;

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KALSHI_PEM = pem.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export async function secureFixture(teardown: Teardown, options: FixtureOptions = {}): Promise<SecureFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'arbbot-security-'));
  teardown(() => rmSync(dir, { recursive: true, force: true }));
  const secrets = {
    kalshiKeyId: randomUUID(),
    polyApiKey: randomUUID(),
    polySecret: randomBytes(32).toString('base64'),
    polyPassphrase: randomBytes(32).toString('hex'),
    polyPrivateKey: generatePrivateKey(),
  };
  const kalshi = await KalshiImitation.start({
    apiKeyId: secrets.kalshiKeyId,
    publicKey: pem.publicKey,
    // YES asks 0.42 ×100 (NO bids 0.58 ×100), then 0.45 ×30.
    books: { [TICKER]: { yes: [['0.3800', '50.00'], ['0.4000', '20.00']], no: [['0.5500', '30.00'], ['0.5800', '100.00']] } },
    markets: { [TICKER]: { title: 'Will the upper bound of the federal funds rate be above 4.00%?', closeTime: '2026-12-10T18:55:00Z' } },
    balanceCents: 100_000,
  });
  teardown(() => kalshi.close());
  const poly = await PolymarketImitation.start({
    apiKey: secrets.polyApiKey,
    secret: secrets.polySecret,
    passphrase: secrets.polyPassphrase,
    address: privateKeyToAccount(secrets.polyPrivateKey).address,
    markets: { [CONDITION]: { yesToken: YES_TOKEN, noToken: NO_TOKEN, tickSize: 0.01, negRisk: false, feeRate: 0.03, feeExponent: 1, question: 'Fed above 4.00%?', endDateIso: '2026-12-10T19:00:00Z' } },
    // NO asks 0.53 ×100: crossed with Kalshi's YES at 0.42 for 100 contracts.
    books: { [YES_TOKEN]: { bids: [['0.45', '200']], asks: [['0.48', '50'], ['0.5', '100']] }, [NO_TOKEN]: { bids: [['0.5', '100']], asks: [['0.53', '100'], ['0.57', '50']] } },
    balanceMicros: 1_000_000_000n,
  });
  teardown(() => poly.close());
  const kalshiProxy = await HostileProxy.start(kalshi.baseUrl);
  teardown(() => kalshiProxy.close());
  const polyProxy = await HostileProxy.start(poly.server.url);
  teardown(() => polyProxy.close());
  const elsewhere = await ImitationServer.start(() => ({ status: 200, body: { balance: '999999999', ok: true } }), (_status, message) => ({ error: message }));
  teardown(() => elsewhere.close());

  const kalshiCredentials = join(dir, 'kalshi.json');
  writeFileSync(kalshiCredentials, JSON.stringify({ apiKeyId: secrets.kalshiKeyId, privateKey: KALSHI_PEM }), { mode: 0o600 });
  const polyCredentials = join(dir, 'polymarket.json');
  const polyFile = { apiKey: secrets.polyApiKey, apiSecret: secrets.polySecret, passphrase: secrets.polyPassphrase, privateKey: secrets.polyPrivateKey };
  writeFileSync(polyCredentials, JSON.stringify(polyFile), { mode: 0o600 });
  const rateLimit = { readsPerSecond: 500, writesPerSecond: 500 };
  const logFile = join(dir, 'arbbot.log');
  const config = writeConfig(dir, {
    synchronous: 'NORMAL',
    venues: {
      kalshi: { type: 'kalshi', baseUrl: kalshiProxy.urlFor(kalshi.baseUrl), credentialsFile: kalshiCredentials, startingBalance: '1000', requestTimeoutMs: 3_000, rateLimit, ...options.venueOverrides?.kalshi },
      poly: { type: 'polymarket', baseUrl: polyProxy.url, credentialsFile: polyCredentials, startingBalance: '1000', requestTimeoutMs: 3_000, rateLimit, ...options.venueOverrides?.poly },
    },
    pairs: { [PAIR]: { a: { venue: 'kalshi', market: TICKER }, b: { venue: 'poly', market: CONDITION }, minEdgeBps: 50, maxSize: '200', confirmed: true } },
    arbitrage: { orderTimeoutMs: 3_000, unhedged: { action: 'hold' }, ...options.arbitrage },
    log: { file: logFile },
  });
  const db = join(dir, 'arbbot.db');
  const runs: CliRun[] = [];
  const secretForms = formsOf(secrets);
  const raw = async (args: readonly string[], cliOptions: { env?: Record<string, string> } = {}) => {
    const run = await runCli(dir, args, cliOptions.env ?? {});
    runs.push(run);
    return run;
  };
  const cli = (args: readonly string[], cliOptions: { env?: Record<string, string> } = {}) => raw(['--config', config, '--db', db, ...args], cliOptions);
  return {
    dir,
    db,
    logFile,
    kalshi,
    poly,
    kalshiProxy,
    polyProxy,
    elsewhere,
    secretForms,
    runs,
    cli,
    raw,
    async json<T>(args: readonly string[]) {
      const run = await cli(['--json', ...args]);
      try {
        return { ...run, json: JSON.parse(run.stdout) as T };
      } catch {
        throw new Error(`not JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
      }
    },
    leaks() {
      const texts = [...runs.map((run) => run.stdout), ...runs.map((run) => run.stderr), ...filesUnder(dir, new Set([kalshiCredentials, polyCredentials]))];
      return secretForms.filter((form) => texts.some((text) => text.includes(form.toLowerCase())));
    },
  };
}

/** Every form each secret can take on its way out, worked out here rather than taken from the scrubber. */
function formsOf(secrets: { kalshiKeyId: string; polyApiKey: string; polySecret: string; polyPassphrase: string; polyPrivateKey: string }): string[] {
  const pemLines = KALSHI_PEM.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
  const urlSafe = secrets.polySecret.replace(/\+/g, '-').replace(/\//g, '_');
  return [
    secrets.kalshiKeyId,
    ...pemLines.filter((line) => line.length >= 16),
    pemLines.join(''),
    secrets.polyApiKey,
    secrets.polyPassphrase,
    secrets.polySecret,
    urlSafe,
    secrets.polySecret.replace(/=+$/, ''),
    secrets.polyPrivateKey,
    secrets.polyPrivateKey.slice(2),
    BigInt(secrets.polyPrivateKey).toString(10),
  ].map((form) => form.toLowerCase());
}

/** Every file under `dir` (the ledger and its -wal and -shm, the log, ...) as lower-case text, except `skipped`. */
function filesUnder(dir: string, skipped: ReadonlySet<string>): string[] {
  const texts: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (skipped.has(path)) continue;
    if (statSync(path).isDirectory()) texts.push(...filesUnder(path, skipped));
    else texts.push(readFileSync(path).toString('latin1').toLowerCase());
  }
  return texts;
}

/** CLI processes at once: the tests run concurrently and each process is mostly start-up CPU. */
const CLI_PROCESSES_MAX = 3;
let cliRunning = 0;
const cliWaiting: (() => void)[] = [];

async function runCli(dir: string, args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  if (cliRunning >= CLI_PROCESSES_MAX) await new Promise<void>((resolve) => cliWaiting.push(resolve));
  cliRunning += 1;
  try {
    return await spawnCli(dir, args, env);
  } finally {
    cliRunning -= 1;
    cliWaiting.shift()?.();
  }
}

function spawnCli(dir: string, args: readonly string[], extraEnv: Record<string, string>): Promise<CliRun> {
  const rssFile = join(mkdtempSync(join(tmpdir(), 'arbbot-rss-')), 'peak');
  return new Promise((resolve) => {
    // Credentials come from each fixture's files only, never from the environment the tests run in.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(KALSHI|POLY|SX)_/.test(name)));
    const env = { ...inherited, NO_COLOR: '1', ARBBOT_DB: '', ARBBOT_TEST_PEAK_RSS_FILE: rssFile, ...extraEnv };
    const child = spawn(process.execPath, ['--import', PEAK_RSS, BIN, ...args], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      let peakRssBytes = Number.NaN;
      try {
        peakRssBytes = Number(readFileSync(rssFile, 'utf8'));
      } catch {
        // no report: the process died before its exit handler ran
      }
      rmSync(join(rssFile, '..'), { recursive: true, force: true });
      resolve({ code: code ?? -1, stdout, stderr, peakRssBytes });
    });
  });
}
