/**
 * Every code rule under ESLint's own RuleTester, on the CLI's fixtures
 * (fixtures/<rule-id>/valid-* and invalid-*), with ESLint 10 and 9 and with both parsers
 * (espree reads the .js/.mjs/.cjs files). Each case expects exactly the CLI's findings in
 * that file: same message and help, same start and end.
 *
 * Rules that read only code run as the CLI's fixture test runs them: the file alone
 * (`projectModel: false`: the file and what it imports). Rules that read the deployment run on
 * a copy of the fixture made into its own repository (a directory fixture is a project), with
 * the CLI run over the same copy.
 */
import { afterAll, describe, it } from 'vitest';
import type { RuleTester as RuleTesterType } from 'eslint';
import pgconn, { CODE_RULES } from '../../eslint-plugin/src/index.js';
import { needsProjectModel } from '../../eslint-plugin/src/project-model.js';
import { cliFindings, eslintMessageOf, fixtureCases, FLAVOURS, PARSERS, projectCases, sourceTypeOf, type FixtureCase } from './support.js';
import type { Diagnostic } from '../../src/core/diagnostic.js';
import type { Rule } from '../../src/engine/rule.js';
import { applyEdits } from './support.js';

for (const flavour of FLAVOURS) {
  const { RuleTester } = flavour;
  RuleTester.describe = describe;
  RuleTester.it = it;
  RuleTester.itOnly = it.only;
  RuleTester.afterAll = afterAll;
}

/**
 * ESLint's error objects for the CLI's findings. A rule with suggestions lists exactly the CLI's
 * suggestions whose edits are all in this file (what the plugin offers), each with its output.
 */
function errorsOf(expected: readonly Diagnostic[], rule: Rule, file: string, code: string): RuleTesterType.TestCaseError[] {
  return expected.map((d) => ({
    message: eslintMessageOf(d),
    line: d.range.line,
    column: d.range.column,
    endLine: d.range.endLine,
    endColumn: d.range.endColumn,
    ...(rule.meta.hasSuggestions ? { suggestions: (d.suggestions ?? []).filter((sg) => sg.fix.every((e) => e.range.file === file)).map((sg) => ({ desc: sg.desc, output: applyEdits(code, sg.fix) })) } : {}),
  }));
}

/** The code after the CLI's fixes of this file's findings (what `eslint --fix` writes in one pass). */
function fixedOutput(expected: readonly Diagnostic[], file: string, code: string): string | null {
  const edits = expected.filter((d) => d.fix && d.fix.every((e) => e.range.file === file)).flatMap((d) => d.fix!);
  return edits.length > 0 ? applyEdits(code, edits) : null;
}

interface Prepared {
  valid: RuleTesterType.ValidTestCase[];
  invalid: RuleTesterType.InvalidTestCase[];
}

function prepare(rule: Rule, cases: Array<FixtureCase & { expected: Diagnostic[] }>, reads: (file: string) => boolean, settings: Record<string, unknown>): Prepared {
  const out: Prepared = { valid: [], invalid: [] };
  for (const c of cases) {
    if (!reads(c.file)) continue;
    const base = { name: c.name, code: c.code, filename: c.file, languageOptions: { sourceType: sourceTypeOf(c.file) }, settings };
    if (c.expected.length === 0) out.valid.push(base);
    else out.invalid.push({ ...base, errors: errorsOf(c.expected, rule, c.file, c.code), ...(rule.meta.fixable ? { output: fixedOutput(c.expected, c.file, c.code) } : {}) });
  }
  return out;
}

/** Computed once per rule: the CLI's findings do not depend on the ESLint flavour. */
const cases = new Map<string, Array<FixtureCase & { expected: Diagnostic[] }>>();
for (const rule of CODE_RULES) {
  const id = rule.meta.id;
  if (needsProjectModel(rule)) cases.set(id, projectCases(id));
  else
    cases.set(
      id,
      fixtureCases(id).map((c) => ({ ...c, expected: cliFindings(id, c) })),
    );
}

for (const flavour of FLAVOURS) {
  for (const parser of PARSERS) {
    describe(`${flavour.name} (${flavour.version}) with ${parser.name}`, () => {
      const tester = new flavour.RuleTester({ languageOptions: parser.languageOptions });
      for (const rule of CODE_RULES) {
        const id = rule.meta.id;
        const settings = needsProjectModel(rule) ? {} : { pgconn: { projectModel: false } };
        const { valid, invalid } = prepare(rule, cases.get(id) ?? [], parser.reads, settings);
        if (valid.length + invalid.length === 0) continue;
        tester.run(`pgconn/${id}`, pgconn.rules[id]!, { valid, invalid });
      }
    });
  }
}

describe('fixtures', () => {
  // A deployment rule may report only outside code (prisma-connection-limit reports the URL in .env):
  // ESLint then shows none of its findings, and that is checked above file by file.
  for (const rule of CODE_RULES.filter((r) => !needsProjectModel(r))) {
    const id = rule.meta.id;
    it(`${id}: the CLI's fixtures give ESLint both valid and invalid code`, ({ expect }) => {
      const all = cases.get(id) ?? [];
      expect(all.some((c) => c.expected.length > 0)).toBe(true);
      expect(all.some((c) => c.expected.length === 0)).toBe(true);
    });
  }
});
