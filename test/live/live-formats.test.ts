/** Findings located at a running server, in the machine formats: valid SARIF 2.1.0 (the SARIF multitool), GitHub annotations without a file. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { ALL_RULES } from '../../rules/index.js';
import { docsUrl } from '../../src/engine/rule.js';
import { formatGithub } from '../../src/report/formatters/github.js';
import { formatSarif } from '../../src/report/formatters/sarif.js';
import { judgeRecorded, readRecorded } from '../support/live-recorded.js';
import { REPO_ROOT } from '../support/paths.js';

function recorded(name: string) {
  const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-live-fmt-'));
  cpSync(resolve(REPO_ROOT, 'fixtures', name), dir, { recursive: true });
  const ids = ALL_RULES.filter((r) => r.meta.inputs.includes('live')).map((r) => r.meta.id);
  const result = judgeRecorded(dir, readRecorded(join(dir, 'live.json')), ids);
  const ctx = { cwd: dir, color: false, docsUrl, rules: ALL_RULES, version: '0.0.0', sourceText: (f: string) => { const s = result.facts.sources.get(f); return s ? { text: s.text, kind: s.kind } : undefined; } };
  return { dir, result, ctx };
}

test('SARIF with findings at a server URL and at a repository line is valid', () => {
  const req = createRequire(join(REPO_ROOT, 'package.json'));
  let tool: string | undefined;
  try {
    tool = req.resolve('@microsoft/sarif-multitool/bin.js');
  } catch {
    tool = undefined;
  }
  const { dir, result, ctx } = recorded('live-config-drift/invalid-pending-restart');
  const sarif = formatSarif(result, ctx);
  const log = JSON.parse(sarif) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }> }> }> };
  expect(log.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation)).toEqual([
    { uri: 'postgresql://postgres@db:5432/postgres' },
    { uri: 'postgresql.conf', uriBaseId: '%SRCROOT%' },
  ]);
  if (!tool || !existsSync(tool)) {
    if (process.env.CI === 'true') throw new Error('@microsoft/sarif-multitool is not installed (npm ci)');
    return;
  }
  const file = join(dir, 'live.sarif');
  writeFileSync(file, sarif);
  const out = join(dir, 'validation.sarif');
  const v = spawnSync(process.execPath, [tool, 'validate', file, '-o', out, '--log', 'ForceOverwrite'], { encoding: 'utf8', timeout: 120_000 });
  expect(v.status, v.stdout + v.stderr).toBe(0);
  const report = JSON.parse(readFileSync(out, 'utf8')) as { runs: Array<{ results: Array<{ level: string; ruleId: string; message: { text: string } }> }> };
  expect(report.runs[0]!.results.filter((x) => x.level === 'error' || x.level === 'warning').map((x) => `${x.ruleId}: ${x.message.text}`)).toEqual([]);
}, 180_000);

test('GitHub annotations: a server finding annotates no file and leads with the URL', () => {
  const { result, ctx } = recorded('live-connection-usage/invalid-full');
  const lines = formatGithub(result, ctx).trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]!.startsWith('::error title=pgconn-lint(live-connection-usage)::postgresql://postgres@db:5432/postgres: 97 connections in use, 97 available')).toBe(true);
});
