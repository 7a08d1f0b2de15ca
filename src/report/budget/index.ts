import type { ProjectModel } from '../../model/project-model.js';
import { budgetJson, type BudgetJson, type LiveBudgetJson } from './json.js';
import { formatBudgetMermaid } from './mermaid.js';
import { formatBudgetText } from './text.js';
import { printableJson } from '../escape.js';

export const BUDGET_FORMATS = ['text', 'json', 'mermaid'] as const;
export type BudgetFormat = (typeof BUDGET_FORMATS)[number];

export function isBudgetFormat(f: string): f is BudgetFormat {
  return (BUDGET_FORMATS as readonly string[]).includes(f);
}

/** `pgconn-lint budget`: the rendered report, and whether any server or pooler is over its limit (exit code 1). */
/** `budget --live`: running targets by the model node they were matched with (`node` undefined: matched none). */
export interface LiveBudgetEntry {
  node?: { kind: 'server' | 'pooler'; id: string };
  entry: LiveBudgetJson;
}

export function budgetReport(model: ProjectModel, format: BudgetFormat, color: boolean, columns?: number, live?: readonly LiveBudgetEntry[]): { output: string; over: boolean } {
  const json = budgetJson(model.deployment, model.facts.root);
  if (live) attachLive(json, live);
  const over = json.servers.some((s) => s.status === 'over') || json.poolers.some((p) => p.status === 'over');
  const output = format === 'json' ? printableJson(json) : format === 'mermaid' ? formatBudgetMermaid(json) : formatBudgetText(json, { color, ...(columns ? { columns } : {}) });
  return { output, over };
}

function attachLive(json: BudgetJson, live: readonly LiveBudgetEntry[]): void {
  for (const l of live) {
    const node = l.node;
    const s = node?.kind === 'server' ? json.servers.find((x) => x.id === node.id) : undefined;
    const p = node?.kind === 'pooler' ? json.poolers.find((x) => x.id === node.id) : undefined;
    const holder = s ?? p;
    if (holder) (holder.live ??= []).push(l.entry);
    else (json.liveUnmatched ??= []).push(l.entry);
    if (s && l.entry.byClient) for (const c of s.clients) c.now = (c.now ?? 0) + (l.entry.byClient[c.name] ?? 0);
  }
}
