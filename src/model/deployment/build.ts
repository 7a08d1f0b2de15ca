import type { LintSettings } from '../../engine/settings.js';
import type { ProjectFacts } from '../project.js';
import type { CodePaths } from '../code-paths.js';
import { computeBudgets } from './budget.js';
import { createContext } from './context.js';
import { buildEdges } from './edges.js';
import { collectPoolers } from './poolers.js';
import { collectServers } from './servers.js';
import { collectServices } from './services.js';
import { collectRuntimes } from './runtime.js';
import type { DeploymentModel } from './types.js';

/**
 * The deployment model: servers, poolers, services with their peak instance counts, the edges
 * from every pool in code (or service environment) to the pooler or server it reaches, and the
 * connection budgets. `codePaths` is the project model's classifier: non-production code and the services
 * its deployment files define are never counted. Built once per run, as a part of the project model (src/model/project-model.ts).
 * Never throws on user input; what it cannot decide is in `notes` and in unknown quantities.
 */
export function buildDeploymentModel(facts: ProjectFacts, settings: LintSettings, codePaths: CodePaths): DeploymentModel {
  const ctx = createContext(facts, settings, codePaths);
  const servers = collectServers(ctx);
  const poolers = collectPoolers(ctx);
  const services = collectServices(ctx);
  const edges = buildEdges(ctx, services, servers, poolers);
  const { serverBudgets, poolerBudgets } = computeBudgets(ctx, servers, poolers, services, edges);
  for (const s of servers) for (const n of s.notes ?? []) ctx.notes.push({ message: `${s.name}: ${n}`, range: s.range });
  for (const s of services) for (const n of s.node.notes ?? []) ctx.notes.push({ message: `${s.node.name}: ${n}`, range: s.node.range });
  const model: DeploymentModel = {
    servers,
    poolers,
    services: services.map((s) => s.node),
    edges,
    serverBudgets,
    poolerBudgets,
    runtimes: collectRuntimes(ctx, services.map((s) => s.node)),
    notes: ctx.notes,
    configProblems: ctx.configProblems,
    settings: { headroom: ctx.headroom, ...(ctx.cpus !== undefined ? { cpus: ctx.cpus } : {}) },
  };
  return model;
}
