import type { ProjectModel } from '../../model/project-model.js';
import { budgetJson } from './json.js';
import { formatBudgetMermaid } from './mermaid.js';
import { formatBudgetText } from './text.js';
import { printableJson } from '../escape.js';

export const BUDGET_FORMATS = ['text', 'json', 'mermaid'] as const;
export type BudgetFormat = (typeof BUDGET_FORMATS)[number];

export function isBudgetFormat(f: string): f is BudgetFormat {
  return (BUDGET_FORMATS as readonly string[]).includes(f);
}

/** `pgconn-lint budget`: the rendered report, and whether any server or pooler is over its limit (exit code 1). */
export function budgetReport(model: ProjectModel, format: BudgetFormat, color: boolean, columns?: number): { output: string; over: boolean } {
  const json = budgetJson(model.deployment, model.facts.root);
  const over = json.servers.some((s) => s.status === 'over') || json.poolers.some((p) => p.status === 'over');
  const output = format === 'json' ? printableJson(json) : format === 'mermaid' ? formatBudgetMermaid(json) : formatBudgetText(json, { color, ...(columns ? { columns } : {}) });
  return { output, over };
}
