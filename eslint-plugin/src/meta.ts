import type { JSONSchema4 } from 'json-schema';
import type { Rule as EslintRule } from 'eslint';
import { docsUrl, type Rule, type RuleOptionValues } from '../../src/engine/rule.js';

/**
 * Data key that carries the rendered help line. Every ESLint message is the rule's own
 * template followed by this placeholder, so a finding keeps its messageId and still shows
 * the help (ESLint interpolates `{{ key }}` once, like `renderTemplate`).
 */
export const HELP_KEY = 'pgconnHelp';
/**
 * The help joins the message on its one line (issue 12 asked for one-line messages and the help in the
 * docs; the help carries numbers computed for this finding — "Lower the pool max of api to 11" — which
 * the rule's docs page cannot hold, so it stays, after this separator).
 */
export const HELP_SEPARATOR = ' — ';

/** ESLint's `meta`, generated from the shared RuleMeta: nothing about a rule is written twice. */
export function eslintMetaOf(rule: Rule): EslintRule.RuleMetaData {
  const { meta } = rule;
  const messages: Record<string, string> = {};
  for (const [id, template] of Object.entries(meta.messages)) messages[id] = `${template}{{ ${HELP_KEY} }}`;
  return {
    type: meta.type,
    docs: { description: meta.description, recommended: meta.recommended, url: docsUrl(meta.id) },
    messages,
    schema: optionsSchema(rule),
    ...(meta.fixable ? { fixable: 'code' as const } : {}),
    ...(meta.hasSuggestions ? { hasSuggestions: true } : {}),
  };
}

/** `[{ option: … }]`: one options object, as in `pgconn-lint.config.*` (`[severity, options]`). */
export function optionsSchema(rule: Rule): JSONSchema4[] {
  const entries = Object.entries(rule.meta.options);
  if (entries.length === 0) return [];
  const properties: Record<string, JSONSchema4> = {};
  for (const [name, o] of entries) {
    const p: JSONSchema4 = { type: o.type, description: o.description };
    if (o.minimum !== undefined) p.minimum = o.minimum;
    properties[name] = p;
  }
  return [{ type: 'object', properties, additionalProperties: false }];
}

/** The rule's defaults overlaid with what the ESLint config sets. */
export function optionValues(rule: Rule, configured: readonly unknown[]): RuleOptionValues {
  const out: RuleOptionValues = {};
  for (const [name, o] of Object.entries(rule.meta.options)) out[name] = o.default;
  const given = configured[0];
  if (typeof given === 'object' && given !== null) {
    for (const [k, v] of Object.entries(given)) {
      if (k in out && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')) out[k] = v;
    }
  }
  return out;
}
