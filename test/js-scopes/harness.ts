/**
 * Runs one rule over real files with the JS extractor and the request-scope detector,
 * without the engine: facts → rule.check → reports. (The engine-level fixture test in
 * test/rules/ covers the same files once the rule is registered.)
 */
import { dirname } from 'node:path';
import { readTextFile } from '../../src/core/read-text.js';
import type { ReportDescriptor, Rule, RuleContext, RuleOptionValues } from '../../src/engine/rule.js';
import { renderTemplate } from '../../src/engine/rule.js';
import { projectFacts, type ProjectFacts } from '../../src/model/project.js';
import { buildProjectModel } from '../../src/model/project-model.js';
import { analyzeJsFiles } from '../../src/sources/js/project.js';
import { findRequestScopes } from '../../src/sources/js/scopes/index.js';
import type { JsFileFacts } from '../../src/sources/js/types.js';

export function jsFacts(paths: string[], repoRoot = dirname(paths[0]!)): JsFileFacts[] {
  const analysis = analyzeJsFiles(paths, { repoRoot, readFile: (p) => readTextFile(p) });
  return analysis.modules.map((m) => ({
    file: m.file,
    pools: analysis.pools.filter((p) => p.file === m.file),
    leaks: [],
    poolTransactions: [],
    requestScopes: findRequestScopes(m, { root: repoRoot }),
    problems: analysis.problems.filter((p) => p.range.file === m.file),
  }));
}

export interface Finding {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  help?: string;
}

export function runRule(rule: Rule, files: JsFileFacts[], options: RuleOptionValues = {}): Finding[] {
  const defaults = Object.fromEntries(Object.entries(rule.meta.options).map(([k, o]) => [k, o.default]));
  const out: Finding[] = [];
  const facts: ProjectFacts = projectFacts('/', { js: files });
  const settings = {} as RuleContext['settings'];
  const ctx: RuleContext = {
    facts,
    model: buildProjectModel(facts, settings),
    settings,
    options: { ...defaults, ...options },
    report(d: ReportDescriptor) {
      const f: Finding = {
        line: d.range.line,
        column: d.range.column,
        endLine: d.range.endLine,
        endColumn: d.range.endColumn,
        message: renderTemplate(rule.meta.messages[d.messageId]!, d.data),
      };
      if (d.helpId) f.help = renderTemplate(rule.meta.messages[d.helpId]!, d.data);
      out.push(f);
    },
  };
  rule.check(ctx);
  return out;
}
