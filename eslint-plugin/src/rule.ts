import { isAbsolute, resolve } from 'node:path';
import type { Rule as EslintRule } from 'eslint';
import { nonProductionNote, nonProductionVerdict, renderTemplate, type ReportDescriptor, type Rule, type RuleContext } from '../../src/engine/rule.js';
import { isSuppressed, parseSuppressions } from '../../src/engine/suppressions.js';
import { projectFacts, type ProjectFacts } from '../../src/model/project.js';
import { buildProjectModel, type ProjectModel } from '../../src/model/project-model.js';
import type { LintSettings } from '../../src/engine/settings.js';
import { redactSecrets } from '../../src/core/redact.js';
import { escapeText, neutraliseCommands } from '../../src/report/escape.js';
import type { SourceRange } from '../../src/core/location.js';
import type { TextEdit } from '../../src/core/diagnostic.js';
import type { SourceCode as EslintSourceCode } from 'eslint';
import { factsForFile } from './file-facts.js';
import { tsTreeOf } from './eslint-tree.js';
import { eslintMetaOf, HELP_KEY, HELP_SEPARATOR, optionValues } from './meta.js';
import { lintSettingsFor, pluginSettingsOf } from './settings.js';
import { modelKeyOf, projectFactsFor, needsProjectModel } from './project-model.js';

/**
 * One pgconn-lint rule as an ESLint rule. `check` is the rule's own code, run over the facts
 * a CLI run in ESLint's working directory reads, with this file's replaced by the editor's
 * text; with `settings.pgconn.projectModel: false`, over the facts of this file and the
 * modules it imports (rules that read more than code are then off). Only findings in this
 * file are reported.
 */
export function toEslintRule(rule: Rule): EslintRule.RuleModule {
  return {
    meta: eslintMetaOf(rule),
    create(context) {
      return {
        'Program:exit'() {
          const file = isAbsolute(context.filename) ? context.filename : resolve(context.cwd, context.filename);
          const text = context.sourceCode.text;
          let facts: ProjectFacts;
          const sourceCode = context.sourceCode;
          // The tree ESLint's parser built, when the analyses can use it (typescript-eslint): no second parse.
          const tree = tsTreeOf(sourceCode);
          if (pluginSettingsOf(context.settings).projectModel) facts = projectFactsFor(file, text, context.cwd, sourceCode, tree);
          else if (needsProjectModel(rule)) return;
          else {
            const fileFacts = factsForFile(file, text, tree);
            facts = codeOnlyFacts(fileFacts.root, fileFacts.js, { file, text });
          }
          // pgconn-lint's own comments; ESLint's `eslint-disable… pgconn/<id>` are ESLint's to apply (and to report when unused).
          const directives = parseSuppressions(text, 'js').filter((d) => d.foreign !== true);
          const settings = lintSettingsFor(file, context.cwd, sourceCode);
          const ctx: RuleContext = {
            facts,
            model: modelOf(facts, settings),
            settings,
            options: optionValues(rule, context.options),
            report(d: ReportDescriptor) {
              const range = rangeInFile(d, file);
              if (range === undefined || isSuppressed(directives, rule.meta.id, range.line)) return;
              // Shown here for a related location: a suppression where the CLI reports it hides it too.
              if (range !== d.range && suppressedAt(facts, rule.meta.id, d.range)) return;
              // The same non-production policy as the CLI (src/engine/rule.ts); ESLint has one severity per
              // rule, so a `warn` finding keeps the configured severity and says why it is lesser.
              const np = nonProductionVerdict(rule, ctx.model, d.range.file);
              if (np?.action === 'skip') return;
              const help = d.helpId !== undefined ? rule.meta.messages[d.helpId] : undefined;
              const data: Record<string, string> = {};
              // ESLint prints the message as rendered here: redacted and escaped like every pgconn-lint output
              // (docs/security.md; ESLint's own formatters print it raw).
              const safe = (s: string) => neutraliseCommands(escapeText(redactSecrets(s)));
              for (const [k, v] of Object.entries(d.data ?? {})) data[k] = safe(String(v));
              const npNote = np?.action === 'warn' ? nonProductionNote(np.match) : undefined;
              const helpText = [help !== undefined ? renderTemplate(help, d.data) : undefined, npNote].filter((x): x is string => x !== undefined).join(' ');
              data[HELP_KEY] = helpText !== '' ? `${HELP_SEPARATOR}${safe(helpText)}` : '';
              // The CLI's `--fix` edits are ESLint fixes, and suggestions are suggestions, when every edit is in this file.
              const fix = d.fix && rule.meta.fixable ? eslintFix(context.sourceCode, file, d.fix) : undefined;
              const suggest = rule.meta.hasSuggestions
                ? (d.suggest ?? []).flatMap((sg) => {
                    const f = eslintFix(context.sourceCode, file, sg.fix);
                    return f ? [{ desc: safe(sg.desc), fix: f }] : [];
                  })
                : [];
              context.report({
                messageId: d.messageId,
                data,
                loc: {
                  start: { line: range.line, column: range.column - 1 },
                  end: { line: range.endLine, column: range.endColumn - 1 },
                },
                ...(fix ? { fix } : {}),
                ...(suggest.length > 0 ? { suggest } : {}),
              });
            },
          };
          rule.check(ctx);
        },
      };
    },
  };
}

/**
 * pgconn-lint's edits (1-based lines, 1-based UTF-16 columns, end exclusive) as an ESLint fix on
 * this file's text; none when an edit is in another file or outside the text.
 */
function eslintFix(source: EslintSourceCode, file: string, edits: readonly TextEdit[]): EslintRule.ReportFixer | undefined {
  const ranges: Array<[number, number, string]> = [];
  const lines = source.lines.length;
  for (const e of edits) {
    if (e.range.file !== file || e.range.line > lines || e.range.endLine > lines) return undefined;
    try {
      const start = source.getIndexFromLoc({ line: e.range.line, column: e.range.column - 1 });
      const end = source.getIndexFromLoc({ line: e.range.endLine, column: e.range.endColumn - 1 });
      if (end < start) return undefined;
      ranges.push([start, end, e.text]);
    } catch {
      return undefined; // a location past a line's end: the editor's text changed under the facts
    }
  }
  return (fixer) => ranges.map(([a, b, t]) => fixer.replaceTextRange([a, b], t));
}

/** Every pgconn rule on one file's facts shares one model, as the rules of a CLI run do. */
const models = new WeakMap<ProjectFacts, { settings: LintSettings; model: ProjectModel }>();

function modelOf(facts: ProjectFacts, settings: LintSettings): ProjectModel {
  // Facts that differ from the last ones only in the editor's text share their model (project-model.ts).
  const key = modelKeyOf(facts);
  const hit = models.get(key);
  if (hit && hit.settings === settings) return hit.model;
  const model = buildProjectModel(key, settings);
  models.set(key, { settings, model });
  return model;
}

/**
 * Where a finding shows in this file: its own range, or else the first related location in
 * this file (a budget overflow reported at pgbouncer.ini names the pool that contributes to
 * it: the editor underlines the pool). Findings that do not touch the file are not shown.
 */
export function rangeInFile(d: Pick<ReportDescriptor, 'range' | 'related'>, file: string): SourceRange | undefined {
  if (d.range.file === file) return d.range;
  return d.related?.find((r) => r.range.file === file)?.range;
}

function suppressedAt(facts: ProjectFacts, ruleId: string, range: SourceRange): boolean {
  const source = facts.sources.get(range.file);
  return source !== undefined && isSuppressed(parseSuppressions(source.text, source.kind), ruleId, range.line);
}

/** Facts holding only code: what a rule that reads nothing but `js` needs. */
export function codeOnlyFacts(root: string, js: ProjectFacts['js'], source?: { file: string; text: string }): ProjectFacts {
  // The linted file's text: rules read it to write their fixes and suggestions.
  return projectFacts(root, { js, ...(source ? { sources: new Map([[source.file, { file: source.file, kind: 'js', text: source.text }]]) } : {}) });
}
