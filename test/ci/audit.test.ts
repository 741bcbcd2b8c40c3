// CI's advisory check (scripts/audit.js), run as CI runs it, with a stand-in `npm` first on PATH that answers with
// reports in npm's own format ("auditReportVersion": 2) or with the error npm prints when the registry does not serve
// the audit. Each rule both ways: what fails CI, and what is only listed.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/audit.js', import.meta.url));

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Vulnerability = { severity: string; fixAvailable: boolean | { name: string; version: string; isSemVerMajor: boolean } };

/** npm's audit report for these vulnerabilities (the fields the script reads, and the envelope around them). */
function report(vulnerabilities: Record<string, Vulnerability>): unknown {
  return {
    auditReportVersion: 2,
    vulnerabilities: Object.fromEntries(
      Object.entries(vulnerabilities).map(([name, v]) => [name, { name, severity: v.severity, isDirect: true, via: [], effects: [], range: '*', nodes: [`node_modules/${name}`], fixAvailable: v.fixAvailable }]),
    ),
    metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: Object.keys(vulnerabilities).length } },
  };
}

/** Runs the script with a stand-in npm answering `runtime` for --omit=dev and `all` otherwise. */
function runAudit(runtime: unknown, all: unknown = runtime): { code: number; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'arbbot-audit-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'runtime.json'), JSON.stringify(runtime));
  writeFileSync(join(dir, 'all.json'), JSON.stringify(all));
  const npm = join(dir, 'npm');
  writeFileSync(
    npm,
    `#!${process.execPath}\nconst fs = require('fs');\nconst file = process.argv.includes('--omit=dev') ? 'runtime.json' : 'all.json';\nprocess.stdout.write(fs.readFileSync(${JSON.stringify(dir)} + '/' + file, 'utf8'));\nprocess.exitCode = 1;\n`,
  );
  chmodSync(npm, 0o755);
  const result = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}` } });
  return { code: result.status ?? -1, stdout: result.stdout };
}

describe('CI advisory check', () => {
  it('fails on a high or critical advisory with a fix in a runtime dependency, naming it', () => {
    const result = runAudit(report({ 'left-pad': { severity: 'critical', fixAvailable: true } }));
    expect(result.stdout).toContain('npm audit FAILED: runtime dependency left-pad (critical): fix: npm audit fix');
    expect(result.code).toBe(1);
    const major = runAudit(report({ undici: { severity: 'high', fixAvailable: { name: 'undici', version: '7.0.0', isSemVerMajor: true } } }));
    expect(major.stdout).toContain('undici (high): fix: undici@7.0.0 (semver-major)');
    expect(major.code).toBe(1);
  });

  it('lists, without failing: advisories with no fix, moderate and low ones, and devDependencies only', () => {
    const runtime = report({ 'no-fix': { severity: 'critical', fixAvailable: false }, mild: { severity: 'moderate', fixAvailable: true } });
    const all = report({ 'no-fix': { severity: 'critical', fixAvailable: false }, mild: { severity: 'moderate', fixAvailable: true }, 'dev-tool': { severity: 'critical', fixAvailable: true } });
    const result = runAudit(runtime, all);
    expect(result.stdout).toContain('npm audit (not failing): no-fix (critical): no fix published');
    expect(result.stdout).toContain('npm audit (not failing): mild (moderate): fix: npm audit fix');
    expect(result.stdout).toContain('npm audit (not failing): dev-tool (critical): fix: npm audit fix');
    expect(result.code).toBe(0);
    expect(runAudit(report({})).stdout).toContain('npm audit: no high or critical advisory with a fix in runtime dependencies (0 other advisory(ies) listed)');
  });

  it('is skipped, with the reason printed, when the registry does not answer the audit', () => {
    // What npm prints when the registry (or a mirror of it) does not serve the advisories endpoint.
    const refused = { message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405, error: { summary: '', detail: '' } };
    const result = runAudit(refused);
    expect(result.stdout).toBe('npm audit skipped: the registry did not answer the audit (405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk)\n');
    expect(result.code).toBe(0);
    const offline = runAudit({ error: { code: 'ENOTFOUND', summary: 'request to https://registry.npmjs.org/-/npm/v1/security/advisories/bulk failed, reason: getaddrinfo ENOTFOUND', detail: '' } });
    expect(offline.stdout).toMatch(/^npm audit skipped: the registry did not answer the audit \(request to .* failed, reason: getaddrinfo ENOTFOUND\)\n$/);
    expect(offline.code).toBe(0);
  });
});
