import { existsSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ALL_RULES } from '../../rules/index.js';
import { defaultRuleConfig, loadConfig, type ResolvedConfig } from '../../src/engine/config.js';
import { lint, type LintResult } from '../../src/engine/lint.js';
import { LATEST_PG_MAJOR, parsePgMajor } from '../../src/catalog/postgresql/catalog.js';
import { LATEST_PGBOUNCER } from '../../src/catalog/pgbouncer/catalog.js';
import { parseByteSize } from '../../src/catalog/postgresql/values.js';
import { formatStylish } from '../../src/report/formatters/stylish.js';
import { docsUrl } from '../../src/engine/rule.js';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import { REPO_ROOT } from './paths.js';

export interface TestSettings {
  database?: { version?: number | string; memory?: string };
  pgbouncer?: { version?: string };
}

/** A config with only `ruleIds` on (all rules when omitted) and the given settings. */
export function testConfig(ruleIds?: string[], settings: TestSettings = {}): ResolvedConfig {
  const rules = defaultRuleConfig(ALL_RULES, 'strict');
  if (ruleIds) for (const [id, e] of Object.entries(rules)) if (!ruleIds.includes(id)) e.severity = 'off';
  const memory = settings.database?.memory !== undefined ? parseByteSize(settings.database.memory) : undefined;
  const version = settings.database?.version !== undefined ? parsePgMajor(settings.database.version) : undefined;
  return {
    file: null,
    preset: 'strict',
    rules,
    ignorePatterns: [],
    settings: {
      database: {
        version: version ?? LATEST_PG_MAJOR,
        versionFromConfig: version !== undefined,
        ...(memory !== undefined ? { memoryBytes: memory, memoryText: settings.database!.memory! } : {}),
      },
      pgbouncer: { version: settings.pgbouncer?.version ?? LATEST_PGBOUNCER, versionFromConfig: settings.pgbouncer?.version !== undefined },
      // This repository's own fixtures/ folder holds the cases, linted in place: they are judged as
      // production code (folders inside a case, such as a case's test/, still match the defaults).
      codePaths: { nonProduction: ['!/fixtures/'], base: REPO_ROOT },
    },
  };
}

/** testConfig for a project fixture: its own `pgconn-lint.config.json`, when it has one, adds its `deployment` section. */
export function projectTestConfig(ruleIds: string[] | undefined, settings: TestSettings, dir: string): ResolvedConfig {
  const config = testConfig(ruleIds, settings);
  if (existsSync(join(dir, 'pgconn-lint.config.json'))) {
    const deployment = loadConfig({ cwd: dir, rules: ALL_RULES }).settings.deployment;
    if (deployment) config.settings.deployment = deployment;
  }
  return config;
}

export function lintPaths(cwd: string, paths: string[], config: ResolvedConfig): LintResult {
  return lint({ cwd, paths, ignorePatterns: [], config, rules: ALL_RULES });
}

export function allDiagnostics(result: LintResult): Diagnostic[] {
  return result.files.flatMap((f) => f.diagnostics);
}

/** Writes files (relative path → content) into a fresh temp dir and returns it. */
export function tempProject(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-test-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return dir;
}

/** The stylish rendering without colour, with paths relative to `cwd`: what a user sees. */
export function renderForSnapshot(result: LintResult, cwd: string): string {
  return formatStylish(result, {
    cwd,
    color: false,
    docsUrl,
    sourceText: (file) => {
      const s = result.facts.sources.get(file);
      return s ? { text: s.text, kind: s.kind } : undefined;
    },
  });
}

export function describeDiagnostic(d: Diagnostic, cwd: string): string {
  const r = d.range;
  return `${relative(cwd, r.file)}:${r.line}:${r.column}-${r.endLine}:${r.endColumn} ${d.severity} ${d.ruleId ?? 'fatal'}`;
}
