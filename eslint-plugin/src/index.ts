/**
 * eslint-plugin-pgconn: pgconn-lint's code rules for ESLint's flat config (ESLint 9 and 10).
 *
 *   import pgconn from 'eslint-plugin-pgconn';
 *   export default [pgconn.configs.recommended];
 *
 * Every rule is the CLI's rule (rules/<id>.ts) run through `toEslintRule`; its ESLint `meta`
 * and the configs below are generated from the rule's `meta`.
 */
import type { ESLint, Linter, Rule as EslintRule } from 'eslint';
import { ALL_RULES } from '../../rules/index.js';
import { packageVersion } from '../../src/core/package-version.js';
import type { Rule } from '../../src/engine/rule.js';
import { toEslintRule } from './rule.js';

/** The rules that read code: the only ones ESLint can run on the files it lints. */
export const CODE_RULES: readonly Rule[] = ALL_RULES.filter((r) => r.meta.inputs.includes('js'));

export const PLUGIN_PREFIX = 'pgconn';


export interface PgconnPlugin extends ESLint.Plugin {
  meta: { name: string; version: string; namespace: string };
  rules: Record<string, EslintRule.RuleModule>;
  configs: {
    /** The rules marked recommended, at their default severity. */
    recommended: Linter.Config;
    /** Every code rule. */
    strict: Linter.Config;
  };
}

function severity(rule: Rule): Linter.RuleSeverity {
  return rule.meta.defaultSeverity === 'error' ? 'error' : 'warn';
}

function configOf(name: string, rules: readonly Rule[], plugin: ESLint.Plugin): Linter.Config {
  const entries: Linter.RulesRecord = {};
  for (const r of rules) entries[`${PLUGIN_PREFIX}/${r.meta.id}`] = severity(r);
  // No `files`: the rules run on whatever the user's config lints (JS by default, TS once a
  // config object with the TypeScript parser covers it).
  return { name: `${PLUGIN_PREFIX}/${name}`, plugins: { [PLUGIN_PREFIX]: plugin }, rules: entries };
}

const rules: Record<string, EslintRule.RuleModule> = {};
for (const r of CODE_RULES) rules[r.meta.id] = toEslintRule(r);

const plugin = {
  meta: { name: 'eslint-plugin-pgconn', version: packageVersion(), namespace: PLUGIN_PREFIX },
  rules,
  configs: {} as PgconnPlugin['configs'],
} satisfies ESLint.Plugin;
plugin.configs.recommended = configOf('recommended', CODE_RULES.filter((r) => r.meta.recommended), plugin);
plugin.configs.strict = configOf('strict', CODE_RULES, plugin);

const pgconn: PgconnPlugin = plugin;
export default pgconn;
