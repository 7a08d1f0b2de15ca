/**
 * `--list-rules` and `pgconn-lint explain <rule-id>` (issue 12): what each rule does, offline, from
 * the rules' `meta` and the rule docs shipped in the package (`rules/<id>.md`), the way
 * `squawk --list-rules` and ShellCheck's wiki pages work.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closestName } from '../catalog/suggest.js';
import { packageRoot } from '../core/package-version.js';
import { UsageError } from '../discovery/discover.js';
import { docsUrl, type Rule } from '../engine/rule.js';
import { wrapWords } from '../report/wrap.js';

/**
 * One line per rule: id, default severity, recommended, fixable, description. When the rows do not
 * fit `width` columns (80 when not a terminal), each description goes under its rule, wrapped and indented.
 */
export function listRules(rules: readonly Rule[], format: 'text' | 'json', width = Infinity): string {
  if (format === 'json') {
    const rows = rules.map((r) => ({
      id: r.meta.id,
      defaultSeverity: r.meta.defaultSeverity,
      recommended: r.meta.recommended,
      fixable: r.meta.fixable,
      category: r.meta.category,
      inputs: r.meta.inputs,
      description: r.meta.description,
      docs: docsUrl(r.meta.id),
    }));
    return JSON.stringify(rows, null, 2) + '\n';
  }
  const idWidth = Math.max(...rules.map((r) => r.meta.id.length));
  const rows = rules.map((r) => ({
    head: `${r.meta.id.padEnd(idWidth)}  ${r.meta.defaultSeverity.padEnd(7)} ${r.meta.recommended ? 'recommended' : '           '} ${r.meta.fixable ? 'fixable' : '       '}`,
    description: r.meta.description,
  }));
  const title = `${'rule'.padEnd(idWidth)}  ${'default'.padEnd(7)} ${'preset'.padEnd(11)} ${'fix'.padEnd(7)}`;
  const wide = rows.every((r) => r.head.length + 2 + [...r.description].length <= width);
  const lines = wide
    ? [`${title}  description`, ...rows.map((r) => `${r.head}  ${r.description}`)]
    : [title.trimEnd(), ...rows.flatMap((r) => [r.head.trimEnd(), ...wrapWords(r.description, width, 4, 4).map((l, i) => (i === 0 ? `    ${l}` : l))])];
  return `${lines.join('\n')}\n\npgconn-lint explain <rule> prints a rule's documentation.\n`;
}

/** The rule's documentation as shipped (rules/<id>.md), without the generated header markers. */
export function explainRule(rules: readonly Rule[], name: string): string {
  const id = name.replace(/^pgconn\//, '');
  const rule = rules.find((r) => r.meta.id === id);
  if (!rule) {
    const guess = closestName(id, rules.map((r) => r.meta.id));
    throw new UsageError(`explain: unknown rule "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}; pgconn-lint --list-rules lists them`);
  }
  const root = packageRoot();
  let text: string | undefined;
  if (root !== undefined) {
    try {
      text = readFileSync(join(root, 'rules', `${id}.md`), 'utf8');
    } catch {
      text = undefined;
    }
  }
  if (text === undefined) return `${id}: ${rule.meta.description}\n\nThe documentation is not installed with this copy; read it at ${docsUrl(id)}\n`;
  const body = text.replace(/<!-- header:(start|end) -->\n?/g, '').trimEnd();
  return `${body}\n\nOnline: ${docsUrl(id)}\n`;
}
