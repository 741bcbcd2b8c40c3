// `arbbot status` through the real CLI: which ledger and config, whether an engine runs on the ledger (its pid), the
// venues and whether a live one can trade, what is open, the last proof of the books; and it creates nothing.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, cliJson, spawnArbbot, tempDir, writeConfig } from '../fixtures/helpers.js';
import { cliDir, openPosition } from '../fixtures/ledger.js';

interface StatusJson {
  ledger: { path: string; exists: boolean; id?: string };
  config: string | null;
  engine: { running: boolean; pid?: number | null; since?: string | null };
  venues: { name: string; type: string; live: boolean; canTrade: boolean; cannotTrade: string | null; books: string }[];
  open: { positions: number; locked: string } | null;
  lastProof: { verifiedAt: string; throughId: number; rowsSince: number } | null;
}

describe('status', () => {
  it('says there is no ledger yet, and creates none', () => {
    const dir = tempDir();
    const { code, json } = cliJson<StatusJson>(dir, ['status']);
    expect(code).toBe(0);
    expect(json.ledger).toEqual({ path: `${dir}/arbbot.db`, exists: false });
    expect(json.config).toBeNull();
    expect(json.engine).toEqual({ running: false });
    expect(json.venues.map((venue) => `${venue.name}:${venue.type}`)).toEqual(['paper:paper', 'paper-kalshi:paper', 'paper-poly:paper']);
    expect(readdirSync(dir)).toEqual([]);
    expect(cli(dir, ['status']).stdout).toContain('(none yet: `arbbot init` or `arbbot run` creates it)');
  });

  it('shows the open positions and the last proof, and the rows written since', () => {
    const { dir } = cliDir('1000', (ledger) => void openPosition(ledger));
    const before = cliJson<StatusJson>(dir, ['status']).json;
    expect(before.open).toEqual({ positions: 1, locked: '25.065000' });
    expect(before.lastProof).toBeNull();
    expect(before.config).toBe(`${dir}/arbbot.config.json`);
    expect(cli(dir, ['wallet-check']).code).toBe(0);
    const proven = cliJson<StatusJson>(dir, ['status']).json.lastProof;
    expect(proven).toMatchObject({ throughId: 2, rowsSince: 0 });
    expect(cli(dir, ['deposit', 'paper', '5']).code).toBe(0);
    expect(cliJson<StatusJson>(dir, ['status']).json.lastProof).toMatchObject({ throughId: 2, rowsSince: 1 });
  });

  it('names the running engine by its pid, and says when it stops', async () => {
    const dir = tempDir();
    const engine = spawnArbbot(dir, ['run', '--duration', '120']);
    await engine.waitForStderr((text) => text.includes('Start-up reconcile'));
    const running = cliJson<StatusJson>(dir, ['status']).json.engine;
    expect(running).toMatchObject({ running: true, pid: engine.child.pid });
    expect(Date.parse(running.since ?? '')).toBeGreaterThan(Date.now() - 120_000);
    engine.child.kill('SIGTERM');
    expect((await engine.exited).code).toBe(0);
    expect(cliJson<StatusJson>(dir, ['status']).json.engine).toEqual({ running: false });
  });

  it('says which live venue cannot trade, and why', () => {
    const dir = tempDir();
    writeConfig(dir, { venues: { k: { type: 'kalshi' } } });
    const { json } = cliJson<StatusJson>(dir, ['status']);
    expect(json.venues).toEqual([expect.objectContaining({ name: 'k', type: 'kalshi', live: true, canTrade: false })]);
    expect(json.venues[0]?.cannotTrade).toMatch(/credentials/i);
  });

  it('says where run reads each venue\'s books: streamed, polled, or kept by the process', () => {
    const dir = tempDir();
    writeConfig(dir, {
      venues: {
        // The venue's own API: Polymarket's public stream; Kalshi's needs credentials, so without them it is polled.
        poly: { type: 'polymarket' },
        k: { type: 'kalshi' },
        // A local REST server of one's own is not assumed to stream, unless a wsUrl is given beside it.
        local: { type: 'polymarket', baseUrl: 'http://127.0.0.1:9' },
        'local-stream': { type: 'polymarket', baseUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9/ws/market' },
        off: { type: 'polymarket', stream: false },
        paper: { type: 'paper' },
      },
    });
    const { json } = cliJson<StatusJson>(dir, ['status']);
    expect(json.venues.map((venue) => [venue.name, venue.books])).toEqual([
      ['poly', 'streamed'],
      ['k', 'polled'],
      ['local', 'polled'],
      ['local-stream', 'streamed'],
      ['off', 'polled'],
      ['paper', 'local'],
    ]);
    expect(cli(dir, ['status']).stdout).toMatch(/poly \(live polymarket, books streamed, cannot trade: .*\)/);
  });
});
