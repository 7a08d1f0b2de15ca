import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_RULES } from '../../rules/index.js';
import { loadConfig, type ResolvedConfig } from '../../src/engine/config.js';
import { lint, type LintResult } from '../../src/engine/lint.js';
import type { DeploymentModel } from '../../src/model/deployment/types.js';
import { budgetJson, type BudgetJson } from '../../src/report/budget/json.js';
import { REPO_ROOT } from '../support/paths.js';
import { allDiagnostics, testConfig } from '../support/lint-helpers.js';
import type { Diagnostic } from '../../src/core/diagnostic.js';

/** A fixture project copied out of this repository (its .git and fixtures/ path do not apply). */
export function copyProject(rel: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgconn-lint-deploy-'));
  cpSync(join(REPO_ROOT, rel), dir, { recursive: true });
  return dir;
}

export interface ProjectRun {
  dir: string;
  config: ResolvedConfig;
  result: LintResult;
  model: DeploymentModel;
  budget: BudgetJson;
  diagnostics: Diagnostic[];
}

/** Lints a directory with its own config file (every rule on, as `strict`), and builds its budget. */
export function runProject(dir: string, edit?: (c: ResolvedConfig) => void): ProjectRun {
  const config = loadConfig({ cwd: dir, rules: ALL_RULES });
  config.rules = testConfig().rules;
  edit?.(config);
  const result = lint({ cwd: dir, paths: [dir], ignorePatterns: [], config, rules: ALL_RULES });
  const model = result.model.deployment;
  return { dir, config, result, model, budget: budgetJson(model, result.facts.root), diagnostics: allDiagnostics(result) };
}

/** The budget numbers the JSON shape promises, without sources and locations. */
export function numbers(b: BudgetJson): unknown {
  return {
    servers: b.servers.map((s) => ({
      name: s.name,
      maxConnections: s.maxConnections,
      reserved: s.reserved,
      available: s.available,
      demand: s.demand,
      ...(s.demandAtLeast !== undefined ? { demandAtLeast: s.demandAtLeast } : {}),
      status: s.status,
      clients: s.clients.map((c) => ({ name: c.name, kind: c.kind, instances: c.instances, perInstance: c.perInstance, total: c.total })),
    })),
    poolers: b.poolers.map((p) => ({
      name: p.name,
      mode: p.mode,
      instances: p.instances,
      maxClientConn: p.maxClientConn,
      clientDemand: p.clientDemand,
      serverConnections: p.serverConnections,
      status: p.status,
    })),
  };
}
