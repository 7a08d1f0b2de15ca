import { defineRule } from '../src/engine/rule.js';
import { redactSettingValue } from '../src/core/redact.js';
import { getPgSetting } from '../src/catalog/postgresql/catalog.js';
import { settingWhere } from '../src/model/parameters.js';
import { parsePgSettingValue, suggestPgValueFix } from '../src/catalog/postgresql/values.js';
import { pgbouncerStartupErrors } from '../src/sources/pgbouncer-ini/validate.js';
import type { IniEntry } from '../src/sources/pgbouncer-ini/types.js';
import type { TextEdit } from '../src/core/diagnostic.js';
import { LineIndex, rangeOnLine } from '../src/core/location.js';

export default defineRule({
  meta: {
    id: 'invalid-setting-value',
    description: 'Report values that PostgreSQL or PgBouncer rejects: wrong type, bad or wrongly-cased unit, out of range, unknown enum value.',
    type: 'problem',
    category: 'correctness',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['postgresql-conf', 'pgbouncer-ini', 'compose', 'kubernetes'],
    scope: 'file',
    fixable: true,
    since: '0.1.0',
    nonProduction: {
      action: 'warn',
      reason: 'A test server refuses the value too (the test run shows it at once), but no production server reads the file.',
    },
    messages: {
      pgInvalid: 'PostgreSQL {{version}} rejects {{name}} = {{value}}: {{reason}} The server refuses to start with this file.',
      pgInvalidArg: 'PostgreSQL {{version}} rejects {{name}} = {{value}} ({{where}}): {{reason}} The server refuses to start.',
      bouncerInvalid: 'PgBouncer {{version}} rejects {{name}} = {{value}}: {{reason}} It refuses to start with this file.',
      bouncerParamInvalid: 'PgBouncer {{version}} rejects {{name}}={{value}} in the {{section}} entry for "{{entry}}": {{reason}} Clients cannot connect through this entry.',
      bouncerEntryInvalid: 'PgBouncer {{version}} refuses to start with this entry: {{reason}}',
      bouncerTemplate:
        'This pgbouncer.ini is a template: {{count}} values are placeholders named after their setting ({{examples}}), which a deploy step fills in. PgBouncer refuses the file as it stands, and these settings are unknown here.',
      templateHint: 'Lint the rendered file (name it on the command line), or keep the template out of the run with ignorePatterns.',
      hint: '{{hint}}',
    },
    options: {},
  },
  check(ctx) {
    // Every server's settings from every source (conf lines, `-c` flags, image env, operator
    // parameters), judged with that server's version.
    for (const server of ctx.model.parameters.servers) {
      const major = server.version.major;
      for (const e of server.written()) {
        if (e.unresolved) continue;
        const def = getPgSetting(e.key, major);
        if (!def) continue;
        const r = parsePgSettingValue(def, e.value);
        if (r.ok) continue;
        ctx.report({
          messageId: e.origin === 'conf' ? 'pgInvalid' : 'pgInvalidArg',
          helpId: 'hint',
          data: { version: major, where: settingWhere(e), name: e.name, value: redactSettingValue(e.key, e.rawValue, e.value), reason: endSentence(r.message), hint: suggestPgValueFix(def, e.value) ?? r.hint ?? defaultPgHint(def.vartype, def.unit, def.min, def.max, def.enumvals) },
          range: e.valueRange,
        });
      }
    }
    for (const { config: cfg, version: used } of ctx.model.parameters.poolers) {
      const version = used.version;
      // The same validation the differential test proves against the real PgBouncer.
      const errors = pgbouncerStartupErrors(cfg, version);
      // A template (envsubst/sed fills `pool_mode = POOL_MODE` in at deploy time): one finding
      // that says so, not one error per placeholder.
      const placeholders = errors.filter((err) => err.kind === 'invalid-value' && isPlaceholder(err.entry.key, err.entry.value));
      if (placeholders.length >= 2) {
        const first = placeholders[0]!;
        ctx.report({
          messageId: 'bouncerTemplate',
          helpId: 'templateHint',
          severity: 'warning',
          data: { count: placeholders.length, examples: placeholders.slice(0, 3).map((p) => `${p.entry.key} = ${p.entry.value}`).join(', ') + (placeholders.length > 3 ? ', …' : '') },
          range: first.range,
          related: placeholders.slice(1).map((p) => ({ range: p.range, message: `${p.entry.key} = ${p.entry.value}` })),
        });
      }
      for (const err of errors) {
        if (placeholders.length >= 2 && placeholders.includes(err)) continue;
        const hint = err.help ?? 'Check the value against the PgBouncer documentation.';
        if (err.kind === 'invalid-value') {
          const value = err.entry.value;
          const fix = err.inlineComment ? moveCommentEdits(ctx.facts.sources.get(err.range.file), err.entry, err.inlineComment) : undefined;
          ctx.report({
            messageId: 'bouncerInvalid',
            helpId: 'hint',
            data: { version, name: err.entry.key, value: value === '' ? "''" : value, reason: endSentence(err.message), hint },
            range: err.range,
            ...(fix ? { fix } : {}),
          });
        } else if (err.kind === 'invalid-connstring-value' && err.item) {
          ctx.report({
            messageId: 'bouncerParamInvalid',
            helpId: 'hint',
            data: { version, section: `[${err.entry.section ?? 'databases'}]`, entry: err.entry.key, name: err.item.key, value: err.item.value, reason: endSentence(err.message), hint },
            range: err.range,
          });
        } else if (err.kind === 'reserved-database' || err.kind === 'invalid-peer') {
          ctx.report({ messageId: 'bouncerEntryInvalid', helpId: 'hint', data: { version, reason: endSentence(err.message), hint: err.help ?? 'Rename or fix the entry.' }, range: err.range });
        }
      }
    }
  },
});

/** `default_pool_size = DEFAULT_POOL_SIZE`: a value that is its own setting's name in capitals. */
function isPlaceholder(key: string, value: string): boolean {
  return value.length > 0 && value === key.toUpperCase() && /^[A-Z][A-Z0-9_]*$/.test(value);
}

function endSentence(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

function defaultPgHint(vartype: string, unit: string | null, min?: number, max?: number, enumvals?: string[]): string {
  if (vartype === 'enum' && enumvals) return `Available values: ${enumvals.join(', ')}.`;
  if (vartype === 'bool') return 'Use on or off.';
  if (min !== undefined && max !== undefined) return `Use a value from ${min} to ${max}${unit ? ` (unit ${unit})` : ''}.`;
  return 'Check the value against the PostgreSQL documentation.';
}

/**
 * `--fix` for a PgBouncer value with what its author meant as an inline comment
 * (`pool_mode = transaction ; main pool`): the comment goes on a line of its own above the entry,
 * with the entry's indentation, and the value keeps only its valid part. Only in a pgbouncer.ini
 * itself (an ini embedded in a ConfigMap is YAML around it: left as a finding).
 */
function moveCommentEdits(source: { kind: string; text: string } | undefined, entry: IniEntry, split: { value: string; comment: string }): TextEdit[] | undefined {
  if (!source || source.kind !== 'pgbouncer-ini') return undefined;
  const index = new LineIndex(source.text);
  const line = index.lineText(entry.range.line);
  const indent = /^[ \t]*/.exec(line)![0];
  return [
    { range: rangeOnLine(entry.range.file, entry.range.line, 1, 0), text: `${indent}${split.comment}${index.eol}` },
    { range: entry.valueRange, text: split.value },
  ];
}
