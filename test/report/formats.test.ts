/** SARIF validated by Microsoft's SARIF multitool (the real validator); GitHub workflow commands escaped as the runner expects. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty } from '../../src/report/formatters/github.js';
import { REPO_ROOT } from '../support/paths.js';
import { tempProject } from '../support/lint-helpers.js';

const BIN = join(REPO_ROOT, 'dist/src/cli/bin.js');
const DEMO = join(REPO_ROOT, 'fixtures/projects/too-many-clients-guide');
const run = (args: string[], cwd = REPO_ROOT) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });

function multitool(): string | null {
  try {
    const req = createRequire(join(REPO_ROOT, 'package.json'));
    const p = req.resolve('@microsoft/sarif-multitool/bin.js');
    return existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

interface SarifLog {
  runs: Array<{
    tool: { driver: { rules: Array<{ id: string; helpUri: string; defaultConfiguration: { level: string } }> } };
    results: Array<{ ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: unknown[]; relatedLocations?: unknown[]; partialFingerprints: Record<string, string> }>;
    invocations: Array<{ toolExecutionNotifications: Array<{ level: string }> }>;
  }>;
}

describe('--format sarif', () => {
  const tool = multitool();
  it('is valid SARIF 2.1.0 according to the SARIF multitool', () => {
    if (!tool) {
      if (process.env.CI === 'true') throw new Error('@microsoft/sarif-multitool is not installed (npm ci)');
      return;
    }
    const dir = tempProject({ 'bad/pgbouncer.ini': Buffer.from([0, 1, 2]), 'pgbouncer.ini': '[pgbouncer]\nauth_type = trust\nlisten_addr = *\n' });
    for (const target of [DEMO, dir]) {
      const r = run(['--format', 'sarif', target], target);
      const file = join(dir, `out-${target === DEMO ? 'demo' : 'tmp'}.sarif`);
      writeFileSync(file, r.stdout);
      const out = join(dir, 'validation.sarif');
      const v = spawnSync(process.execPath, [tool, 'validate', file, '-o', out, '--log', 'ForceOverwrite'], { encoding: 'utf8', timeout: 120_000 });
      expect(v.status, v.stdout + v.stderr).toBe(0);
      const report = JSON.parse(readFileSync(out, 'utf8')) as SarifLog;
      const problems = report.runs[0]!.results.filter((x) => x.level === 'error' || x.level === 'warning').map((x) => `${x.ruleId}: ${x.message.text}`);
      expect(problems).toEqual([]);
    }
  });

  it('lists the rules from their metadata, with related locations and stable fingerprints', () => {
    const log = JSON.parse(run(['--format', 'sarif', DEMO], DEMO).stdout) as SarifLog;
    const sarifRun = log.runs[0]!;
    const ids = sarifRun.tool.driver.rules.map((r) => r.id);
    expect(ids).toContain('unknown-setting');
    expect(sarifRun.tool.driver.rules.find((r) => r.id === 'unknown-setting')!.defaultConfiguration.level).toBe('error');
    for (const res of sarifRun.results) expect(ids[res.ruleIndex]).toBe(res.ruleId);
    expect(sarifRun.results.some((r) => (r.relatedLocations ?? []).length > 0)).toBe(true);

    // Adding lines above a finding keeps its fingerprint.
    const a = tempProject({ 'pgbouncer.ini': '[pgbouncer]\nserver_pool_size = 20\n' });
    const b = tempProject({ 'pgbouncer.ini': '; a comment\n\n[pgbouncer]\nlisten_port = 6432\nserver_pool_size = 20\n' });
    const fp = (dir: string) => (JSON.parse(run(['--format', 'sarif', dir], dir).stdout) as SarifLog).runs[0]!.results.find((r) => r.ruleId === 'unknown-setting')!.partialFingerprints;
    expect(fp(a)).toEqual(fp(b));
  });

  it('puts unreadable input in toolExecutionNotifications', () => {
    const dir = tempProject({ 'pgbouncer.ini': Buffer.from([0, 1, 2]) });
    const log = JSON.parse(run(['--format', 'sarif', dir], dir).stdout) as SarifLog;
    expect(log.runs[0]!.invocations[0]!.toolExecutionNotifications[0]!.level).toBe('error');
  });
});

describe('--format github', () => {
  it('escapes data and properties as the Actions runner requires', () => {
    expect(escapeData('50% a\nb\rc')).toBe('50%25 a%0Ab%0Dc');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });

  it('prints one workflow command per finding', () => {
    const r = run(['--format', 'github', DEMO], DEMO);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines).toContainEqual(expect.stringMatching(/^::error file=pgbouncer\/pgbouncer\.ini,line=13,col=1,endLine=13,endColumn=17,title=pgconn-lint\(unknown-setting\)::PgBouncer .*%0Ahelp: Did you mean "default_pool_size"\?%0Adocs: https/));
    for (const l of lines) expect(l).toMatch(/^::(error|warning) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[^:]+::[^\n]+$/);
  });

  it('carries the related locations in the annotation text (issue 12)', () => {
    const dir = tempProject({ 'postgresql.conf': 'max_connections = 100\nmax_connections = 200\n' });
    const r = run(['--format', 'github', '--rule', 'idle-in-transaction-timeout:off', dir], dir);
    expect(r.stdout.trim()).toMatch(/^::warning file=postgresql\.conf,line=1,.*title=pgconn-lint\(duplicate-setting\)::.*%0Asee postgresql\.conf:2:1: max_connections = 200 takes effect here%0Adocs: /);
  });
});
