// Getting arbbot onto a machine and keeping it there: the command on PATH through a symlink (what `npm link` and
// `npm install -g .` make), an unbuilt checkout that says how to build, `prepare` skipping a build that is current,
// the cron jobs of docs/deploy/crontab (silent on healthy books, loud on broken ones), and the files the systemd unit
// and the Dockerfile name, which must exist and be accepted.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, cli, tempDir } from '../fixtures/helpers.js';
import { cliDir, rawSql } from '../fixtures/ledger.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = join(ROOT, 'docs', 'deploy');

/** A folder holding `arbbot` as a symlink to the real bin, as npm puts it on PATH; and an environment using it. */
function onPath(): { binDir: string; env: NodeJS.ProcessEnv } {
  const binDir = join(tempDir(), 'bin');
  mkdirSync(binDir);
  symlinkSync(BIN, join(binDir, 'arbbot'));
  // The bin's shebang finds node on PATH, as it does on a user's machine.
  const path = [binDir, dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter);
  return { binDir, env: { ...process.env, PATH: path, NO_COLOR: '1', ARBBOT_DB: '' } };
}

describe('the command on PATH', () => {
  it('runs through a symlink from any folder, by its shebang', () => {
    const { env } = onPath();
    const result = spawnSync('arbbot', ['--version'], { cwd: tempDir(), env, encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('is not found without it (the control: PATH is what makes `arbbot` work)', () => {
    const result = spawnSync('arbbot', ['--version'], { cwd: tempDir(), env: { ...process.env, PATH: '/nonexistent' }, encoding: 'utf8' });
    expect((result.error as NodeJS.ErrnoException | undefined)?.code).toBe('ENOENT');
  });
});

describe('an unbuilt checkout', () => {
  function checkout(built: boolean): string {
    const dir = tempDir();
    mkdirSync(join(dir, 'bin'));
    copyFileSync(BIN, join(dir, 'bin', 'arbbot.js'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    if (built) {
      mkdirSync(join(dir, 'dist', 'bundle'), { recursive: true });
      writeFileSync(join(dir, 'dist', 'bundle', 'main.js'), 'export async function main() { process.stdout.write("ran\\n"); return 0; }\n');
    }
    return dir;
  }

  it('says in one line how to build, with exit 3', () => {
    const dir = checkout(false);
    const result = spawnSync(process.execPath, [join(dir, 'bin', 'arbbot.js'), 'positions'], { cwd: dir, encoding: 'utf8' });
    expect(result.status).toBe(3);
    expect(result.stderr).toBe('arbbot: not built yet: run `npm run build` in the arbbot folder (npm install does it too)\n');
    expect(existsSync(join(dir, 'arbbot.db'))).toBe(false);
  });

  it('runs the bundle once it is built', () => {
    const dir = checkout(true);
    const result = spawnSync(process.execPath, [join(dir, 'bin', 'arbbot.js')], { cwd: dir, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('ran\n');
  });
});

describe('prepare builds only when the sources are newer than the bundle', () => {
  /** A project with the real script and a stand-in `build` that writes the bundle and counts its runs. */
  function project(): string {
    const dir = tempDir();
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'src'));
    copyFileSync(join(ROOT, 'scripts', 'build-if-stale.js'), join(dir, 'scripts', 'build-if-stale.js'));
    writeFileSync(join(dir, 'src', 'main.ts'), 'export {};\n');
    const build = "const fs=require('fs');fs.mkdirSync('dist/bundle',{recursive:true});fs.writeFileSync('dist/bundle/main.js','built');fs.appendFileSync('builds','x')";
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', type: 'module', scripts: { build: `node -e "${build}"` } }));
    return dir;
  }
  const prepare = (dir: string) => spawnSync(process.execPath, ['scripts/build-if-stale.js'], { cwd: dir, encoding: 'utf8' });
  const builds = (dir: string) => (existsSync(join(dir, 'builds')) ? readFileSync(join(dir, 'builds'), 'utf8').length : 0);

  it('builds a fresh checkout, skips a current one, and rebuilds after a source changes', () => {
    const dir = project();
    const first = prepare(dir);
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('building the CLI (first build)');
    expect(builds(dir)).toBe(1);

    // The bundle is newer than every source: nothing to do, and it says so.
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'src', 'main.ts'), past, past);
    utimesSync(join(dir, 'src'), past, past);
    const current = prepare(dir);
    expect(current.status).toBe(0);
    expect(current.stderr).toContain('not rebuilding');
    expect(builds(dir)).toBe(1);

    // A source edited after the build: built again.
    const future = new Date(statSync(join(dir, 'dist', 'bundle', 'main.js')).mtimeMs + 60_000);
    utimesSync(join(dir, 'src', 'main.ts'), future, future);
    const stale = prepare(dir);
    expect(stale.stderr).toContain('building the CLI (sources changed)');
    expect(builds(dir)).toBe(2);
  });
});

describe('docs/deploy/crontab', () => {
  /** Each job's shell command, with its working directory pointed at `dir`. */
  function jobs(dir: string): string[] {
    return readFileSync(join(DEPLOY, 'crontab'), 'utf8')
      .split('\n')
      .filter((line) => /^[\d*]/.test(line))
      .map((line) => line.trim().split(/\s+/).slice(5).join(' ').replace('cd /var/lib/arbbot', `cd '${dir}'`));
  }
  const runJob = (command: string, env: NodeJS.ProcessEnv) => spawnSync('/bin/sh', ['-c', command], { env, encoding: 'utf8' });

  it('lists the three checks, each silent on healthy books', () => {
    const { dir } = cliDir('100');
    const { env } = onPath();
    const commands = jobs(dir);
    expect(commands.map((command) => /arbbot ([\w-]+(?: --deep)?)/.exec(command)?.[1])).toEqual(['reconcile', 'wallet-check', 'wallet-check --deep']);
    for (const command of commands) {
      const result = runJob(command, env);
      expect({ command, status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ command, status: 0, stdout: '', stderr: '' });
    }
  });

  it('prints the report when the books are broken, and what reconcile repaired, so cron mails it', () => {
    const { dir, db } = cliDir('100');
    rawSql(db, "UPDATE wallets SET deficit = deficit + 1000000 WHERE venue = 'paper'");
    const { env } = onPath();
    const [reconcile, hourly, nightly] = jobs(dir);
    for (const check of [hourly!, nightly!]) expect(runJob(check, env).stdout).toContain('deficit_matches_log');
    // Reconcile rebuilds the row from its log (exit 0) and says so; after it every job is quiet again.
    expect(runJob(reconcile!, env).stdout).toContain('⟳ repaired paper');
    for (const command of jobs(dir)) expect(runJob(command, env).stdout).toBe('');
  });
});

describe('docs/deploy service files', () => {
  it("the systemd unit's command is one the CLI accepts", () => {
    const unit = readFileSync(join(DEPLOY, 'arbbot.service'), 'utf8');
    const exec = /^ExecStart=\/usr\/bin\/env arbbot (.+)$/m.exec(unit)?.[1];
    expect(exec).toBe('run --no-demo');
    // The same arguments, bounded so the run ends: accepted, and the engine starts and stops cleanly.
    const dir = tempDir();
    const result = cli(dir, [...exec!.split(' '), '--max-ticks', '50', '--speed', 'max']);
    expect(result.stderr).not.toMatch(/unknown option|error:/i);
    expect(result.code).toBe(0);
    // Exit 2 (bad input, or a second engine on the ledger) is one a restart cannot fix.
    expect(unit).toMatch(/^RestartPreventExitStatus=2$/m);
  });

  it('every file the Dockerfile copies exists in the repository', () => {
    const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1]!.split(' '));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
    expect(dockerfile).toMatch(/^FROM node:20/m);
  });
});
