import type { LintSettings } from '../../engine/settings.js';
import type { ProjectFacts } from '../project.js';
import { computeBudgets } from './budget.js';
import { createContext } from './context.js';
import { buildEdges } from './edges.js';
import { collectPoolers } from './poolers.js';
import { collectServers } from './servers.js';
import { collectServices } from './services.js';
import type { DeploymentModel } from './types.js';

const cache = new WeakMap<ProjectFacts, WeakMap<LintSettings, DeploymentModel>>();

/**
 * The deployment model: servers, poolers, services with their peak instance counts, the edges
 * from every pool in code (or service environment) to the pooler or server it reaches, and the
 * connection budgets. Built once per (facts, settings) pair: every rule that reads it shares it.
 * Never throws on user input; what it cannot decide is in `notes` and in unknown quantities.
 */
export function buildDeploymentModel(facts: ProjectFacts, settings: LintSettings): DeploymentModel {
  let bySettings = cache.get(facts);
  if (!bySettings) cache.set(facts, (bySettings = new WeakMap()));
  const hit = bySettings.get(settings);
  if (hit) return hit;
  const model = build(facts, settings);
  bySettings.set(settings, model);
  return model;
}

function build(facts: ProjectFacts, settings: LintSettings): DeploymentModel {
  const ctx = createContext(facts, settings);
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
    notes: ctx.notes,
    settings: { headroom: ctx.headroom, ...(ctx.cpus !== undefined ? { cpus: ctx.cpus } : {}) },
  };
  return model;
}
