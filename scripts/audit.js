// CI's check of the lockfile against published advisories (`npm audit`), with a policy that fails only on what can
// and must be acted on:
//   - the registry's audit endpoint does not answer (offline, or a mirror that does not serve it): skipped, and the
//     reason printed;
//   - fails on a high or critical advisory against a runtime dependency (npm audit --omit=dev) that has a fix;
//   - lists everything else (moderate and low, devDependencies only, advisories with no fix published) without
//     failing: there is nothing to do about those here but watch them.
// The report format is npm's ("auditReportVersion": 2: vulnerabilities by package, each with its severity and
// fixAvailable: true, false, or the fix as {name, version, isSemVerMajor}).
import { spawnSync } from 'node:child_process';

const FAILING_SEVERITIES = new Set(['high', 'critical']);

/** Runs `npm audit --json` with `args`; the parsed report, or the reason there is none. */
function audit(args) {
  const result = spawnSync('npm', ['audit', '--json', ...args], { encoding: 'utf8', timeout: 120_000 });
  if (result.error) return { skipped: `npm could not be run (${result.error.code ?? result.error.message})` };
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    return { skipped: `npm audit printed no report (exit ${result.status})` };
  }
  if (report === null || typeof report !== 'object' || report.vulnerabilities === undefined) {
    const why = report?.error?.summary || report?.message || report?.error?.code || 'no report';
    return { skipped: `the registry did not answer the audit (${String(why).split('\n')[0]})` };
  }
  return { report };
}

/** One line per advisory: package, severity, whether a fix exists. */
function describe(name, vulnerability) {
  const fix = vulnerability.fixAvailable;
  const fixText = fix === false ? 'no fix published' : fix === true ? 'fix: npm audit fix' : `fix: ${fix.name}@${fix.version}${fix.isSemVerMajor ? ' (semver-major)' : ''}`;
  return `${name} (${vulnerability.severity}): ${fixText}`;
}

function main() {
  const runtime = audit(['--omit=dev']);
  if (runtime.skipped) {
    console.log(`npm audit skipped: ${runtime.skipped}`);
    return 0;
  }
  const all = audit([]);
  const failing = Object.entries(runtime.report.vulnerabilities).filter(([, v]) => FAILING_SEVERITIES.has(v.severity) && v.fixAvailable !== false);
  const others = Object.entries(all.report?.vulnerabilities ?? runtime.report.vulnerabilities).filter(([name]) => !failing.some(([failed]) => failed === name));
  for (const [name, vulnerability] of others) console.log(`npm audit (not failing): ${describe(name, vulnerability)}`);
  if (all.skipped) console.log(`npm audit of devDependencies skipped: ${all.skipped}`);
  for (const [name, vulnerability] of failing) console.log(`npm audit FAILED: runtime dependency ${describe(name, vulnerability)}`);
  if (failing.length > 0) return 1;
  console.log(`npm audit: no high or critical advisory with a fix in runtime dependencies (${others.length} other advisory(ies) listed)`);
  return 0;
}

process.exitCode = main();
