// Config parsing in-process (the CLI suite runs one file of each kind through the real binary): every refusal is a
// ConfigError (exit 2) whose one line names the file and the key.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig, parseConfigFile, parseConfigObject, resolveDbPath } from '../../src/config/config.js';
import { InputError } from '../../src/domain/errors.js';
import { tempDir } from '../fixtures/helpers.js';
import { SEED_COSTS, SEED_LADDER } from '../fixtures/ledger.js';

/** The ConfigError message for `json`, from a file named cfg.json. */
function refusal(json: unknown): string {
  try {
    parseConfigObject(json, 'cfg.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error(`accepted: ${JSON.stringify(json)}`);
}

describe('config defaults', () => {
  it('with no file, gives the reference figures: paper $1000, TP 3/6/10, SL 5, fee 0.26%, spread 0.1%, slippage 0.05%', () => {
    const config = parseConfigObject({}, null);
    expect(config.tpsl).toEqual(SEED_LADDER);
    expect(config.costs).toEqual(SEED_COSTS);
    expect(config.synchronous).toBe('FULL');
    expect(config.busyTimeoutMs).toBe(DEFAULTS.busyTimeoutMs);
    expect(config.onStorageFault).toBe('pause');
    expect(parseConfigObject({ onStorageFault: 'exit' }, 'cfg.json').onStorageFault).toBe('exit');
    expect(config.venues.get('paper')).toMatchObject({ type: 'paper', startingBalance: 1_000_000_000, predictionMarket: false });
  });

  it('accepts decimals as strings or JSON numbers, exactly', () => {
    const config = parseConfigObject({ venues: { paper: { startingBalance: 100.5 } }, costs: { feePct: '0.1' } }, 'cfg.json');
    expect(config.venues.get('paper')?.startingBalance).toBe(100_500_000);
    expect(config.costs.feePpm).toBe(1000);
  });

  it('uses ./arbbot.config.json from the working directory only when present', () => {
    const dir = tempDir();
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      expect(loadConfig(undefined).source).toBeNull();
      writeFileSync(join(dir, 'arbbot.config.json'), JSON.stringify({ venues: { kalshi: { type: 'kalshi' } } }));
      const config = loadConfig(undefined);
      expect(config.source).toBe('./arbbot.config.json');
      expect(config.venues.get('kalshi')).toMatchObject({ type: 'kalshi', predictionMarket: true, startingBalance: 0 });
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('config refusals name the file and the key', () => {
  it('a file that is not JSON, or that cannot be read', () => {
    const dir = tempDir();
    const path = join(dir, 'bad.json');
    for (const text of ['{"db": "x.db",', 'db = "x.db"', '', '\u0000']) {
      writeFileSync(path, text);
      expect(() => parseConfigFile(path), JSON.stringify(text)).toThrow(new RegExp(`^config ${path}: not valid JSON \\(`));
    }
    expect(() => parseConfigFile(join(dir, 'missing.json'))).toThrow(`config ${join(dir, 'missing.json')}: cannot read (ENOENT)`);
    expect(() => parseConfigFile(dir)).toThrow(`config ${dir}: cannot read (EISDIR)`);
  });

  it('a top level that is not an object', () => {
    for (const json of [[], null, 'paper', 42]) expect(refusal(json)).toMatch(/^config cfg\.json: \(root\): .*expected object/);
  });

  it('unknown keys at every level', () => {
    expect(refusal({ dbPath: 'x' })).toBe('config cfg.json: dbPath: unknown key');
    expect(refusal({ tpsl: { tp1: '3' } })).toBe('config cfg.json: tpsl.tp1: unknown key');
    expect(refusal({ venues: { paper: { startingBalanse: '1' } } })).toBe('config cfg.json: venues.paper.startingBalanse: unknown key');
    expect(refusal({ venues: { paper: { markets: { X: { price: '0.5', size: '1' } } } } })).toBe(
      'config cfg.json: venues.paper.markets.X.size: unknown key',
    );
  });

  it('wrong types', () => {
    expect(refusal({ busyTimeoutMs: 'abc' })).toMatch(/^config cfg\.json: busyTimeoutMs: .*expected number/);
    expect(refusal({ busyTimeoutMs: 1.5 })).toMatch(/^config cfg\.json: busyTimeoutMs: /);
    expect(refusal({ busyTimeoutMs: -1 })).toMatch(/^config cfg\.json: busyTimeoutMs: /);
    expect(refusal({ synchronous: 'SOMETIMES' })).toMatch(/^config cfg\.json: synchronous: /);
    expect(refusal({ onStorageFault: 'retry' })).toMatch(/^config cfg\.json: onStorageFault: /);
    expect(refusal({ db: '' })).toMatch(/^config cfg\.json: db: /);
    expect(refusal({ venues: { paper: { startingBalance: true } } })).toBe(
      'config cfg.json: venues.paper.startingBalance: expected a decimal number, as a string ("25.50") or a JSON number',
    );
    expect(refusal({ venues: { paper: { type: 'binance' } } })).toMatch(/^config cfg\.json: venues\.paper\.type: /);
    expect(refusal({ venues: { Paper: {} } })).toBe(
      'config cfg.json: venues.Paper: invalid name: venue names are lower-case letters, digits, - and _',
    );
  });

  it('values that parse but are not allowed', () => {
    expect(refusal({ venues: { paper: { startingBalance: '-5' } } })).toBe('config cfg.json: venues.paper.startingBalance: "-5" must not be negative');
    expect(refusal({ venues: { paper: { startingBalance: '1e3' } } })).toMatch(/startingBalance: "1e3" is not a plain decimal number/);
    expect(refusal({ venues: { paper: { startingBalance: '0.1234567' } } })).toMatch(/startingBalance: "0.1234567" has 7 decimals/);
    expect(refusal({ costs: { feePct: '-0.1' } })).toMatch(/^config cfg\.json: costs\.feePct: /);
    expect(refusal({ tpsl: { tp1Pct: '7' } })).toBe('config cfg.json: tpsl: tp1Pct < tp2Pct < tp3Pct required');
    expect(refusal({ tpsl: { slPct: '0' } })).toMatch(/^config cfg\.json: tpsl\.slPct: /);
    expect(refusal({ tpsl: { slPct: '100' } })).toBe('config cfg.json: tpsl.slPct: must be below 100');
    expect(refusal({ venues: { kalshi: { type: 'kalshi', predictionMarket: false } } })).toMatch(/kalshi is always a prediction market/);
  });

  it('paper markets with a bid above the ask, both price and bid, or no price', () => {
    const market = (quote: unknown) => ({ venues: { paper: { markets: { X: quote } } } });
    expect(refusal(market({ bid: '0.6', ask: '0.5' }))).toBe('config cfg.json: venues.paper.markets.X: bid is above ask');
    expect(refusal(market({ price: '0.5', bid: '0.4' }))).toMatch(/markets\.X: give either price or bid\/ask/);
    expect(refusal(market({ bid: '0.4' }))).toMatch(/markets\.X: needs price, or both bid and ask/);
    expect(refusal(market({ price: '0' }))).toMatch(/markets\.X: must be greater than zero/);
  });
});

describe('risk limits', () => {
  it('none by default; each given limit resolved to integers, per-venue daily losses by venue', () => {
    expect(parseConfigObject({}, null).risk).toEqual({ maxDailyLossMicros: null, venueMaxDailyLossMicros: new Map(), maxOpenPositions: null, maxPositionMicros: null });
    const config = parseConfigObject(
      {
        venues: { paper: { maxDailyLossUsd: '12.5' }, pm: { predictionMarket: true } },
        risk: { maxDailyLossUsd: '30', maxOpenPositions: 4, maxPositionUsd: 50.25 },
      },
      'cfg.json',
    );
    expect(config.risk).toEqual({
      maxDailyLossMicros: 30_000_000,
      venueMaxDailyLossMicros: new Map([['paper', 12_500_000]]),
      maxOpenPositions: 4,
      maxPositionMicros: 50_250_000,
    });
  });

  it('refuses a bad value naming its key', () => {
    expect(refusal({ risk: { maxDailyLossUsd: '-5' } })).toBe('config cfg.json: risk.maxDailyLossUsd: "-5" must not be negative');
    expect(refusal({ risk: { maxDailyLossUsd: '0' } })).toBe('config cfg.json: risk.maxDailyLossUsd: must be greater than zero');
    expect(refusal({ risk: { maxPositionUsd: 'fifty' } })).toMatch(/^config cfg\.json: risk\.maxPositionUsd: "fifty" is not a plain decimal number/);
    expect(refusal({ risk: { maxPositionUsd: '1.0000001' } })).toMatch(/^config cfg\.json: risk\.maxPositionUsd: "1\.0000001" has 7 decimals/);
    expect(refusal({ risk: { maxOpenPositions: 0 } })).toMatch(/^config cfg\.json: risk\.maxOpenPositions: /);
    expect(refusal({ risk: { maxOpenPositions: 2.5 } })).toMatch(/^config cfg\.json: risk\.maxOpenPositions: /);
    expect(refusal({ risk: { maxOpenPositions: '3' } })).toMatch(/^config cfg\.json: risk\.maxOpenPositions: .*expected number/);
    expect(refusal({ risk: { maxLossUsd: '5' } })).toBe('config cfg.json: risk.maxLossUsd: unknown key');
    expect(refusal({ risk: [] })).toMatch(/^config cfg\.json: risk: .*expected object/);
    expect(refusal({ venues: { paper: { maxDailyLossUsd: '-1' } } })).toBe('config cfg.json: venues.paper.maxDailyLossUsd: "-1" must not be negative');
    expect(refusal({ venues: { paper: { maxDailyLossUsd: true } } })).toBe(
      'config cfg.json: venues.paper.maxDailyLossUsd: expected a decimal number, as a string ("25.50") or a JSON number',
    );
  });

  it('config.example.json, which shows every key, is a valid config', () => {
    const example = JSON.parse(readFileSync(new URL('../../config.example.json', import.meta.url), 'utf8')) as unknown;
    const config = parseConfigObject(example, 'config.example.json');
    expect(config.risk.maxDailyLossMicros).not.toBeNull();
    expect(config.risk.maxOpenPositions).not.toBeNull();
    expect(config.risk.maxPositionMicros).not.toBeNull();
    expect(config.risk.venueMaxDailyLossMicros.size).toBeGreaterThan(0);
    expect(config.notify.channels.map((channel) => channel.kind)).toEqual(['webhook', 'telegram', 'discord']);
  });
});

describe('database path', () => {
  const saved = process.env.ARBBOT_DB;
  afterEach(() => {
    if (saved === undefined) delete process.env.ARBBOT_DB;
    else process.env.ARBBOT_DB = saved;
  });

  it('takes --db, then ARBBOT_DB, then config db, then ./arbbot.db; an empty ARBBOT_DB counts as unset', () => {
    const withDb = parseConfigObject({ db: 'from-config.db' }, 'cfg.json');
    const without = parseConfigObject({}, 'cfg.json');
    process.env.ARBBOT_DB = 'from-env.db';
    expect(resolveDbPath('flag.db', withDb)).toBe('flag.db');
    expect(resolveDbPath(undefined, withDb)).toBe('from-env.db');
    process.env.ARBBOT_DB = '';
    expect(resolveDbPath(undefined, withDb)).toBe('from-config.db');
    delete process.env.ARBBOT_DB;
    expect(resolveDbPath(undefined, withDb)).toBe('from-config.db');
    expect(resolveDbPath(undefined, without)).toBe('./arbbot.db');
    expect(resolveDbPath('', without)).toBe(''); // an explicit empty --db is refused when opened, not replaced
  });
});
