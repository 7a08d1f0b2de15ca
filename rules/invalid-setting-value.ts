import { defineRule } from '../src/engine/rule.js';
import { redactSettingValue } from '../src/report/redact.js';
import { getPgSetting } from '../src/catalog/postgresql/catalog.js';
import { parsePgSettingValue, suggestPgValueFix } from '../src/catalog/postgresql/values.js';
import { pgbouncerStartupErrors } from '../src/sources/pgbouncer-ini/validate.js';
import { pgMajorOf } from '../src/model/settings.js';

export default defineRule({
  meta: {
    id: 'invalid-setting-value',
    description: 'Report values that PostgreSQL or PgBouncer rejects: wrong type, bad or wrongly-cased unit, out of range, unknown enum value.',
    type: 'problem',
    category: 'correctness',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['postgresql-conf', 'pgbouncer-ini'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    messages: {
      pgInvalid: 'PostgreSQL {{version}} rejects {{name}} = {{value}}: {{reason}} The server refuses to start with this file.',
      bouncerInvalid: 'PgBouncer {{version}} rejects {{name}} = {{value}}: {{reason}} It refuses to start with this file.',
      bouncerParamInvalid: 'PgBouncer {{version}} rejects {{name}}={{value}} in the {{section}} entry for "{{entry}}": {{reason}} Clients cannot connect through this entry.',
      bouncerEntryInvalid: 'PgBouncer {{version}} refuses to start with this entry: {{reason}}',
      hint: '{{hint}}',
    },
    options: {},
  },
  check(ctx) {
    const major = pgMajorOf(ctx.settings.database.version);
    for (const cfg of ctx.facts.postgresql) {
      for (const e of cfg.entries) {
        const def = getPgSetting(e.key, major);
        if (!def) continue;
        const r = parsePgSettingValue(def, e.value);
        if (r.ok) continue;
        ctx.report({
          messageId: 'pgInvalid',
          helpId: 'hint',
          data: { version: major, name: e.name, value: redactSettingValue(e.key, e.rawValue, e.value), reason: endSentence(r.message), hint: suggestPgValueFix(def, e.value) ?? r.hint ?? defaultPgHint(def.vartype, def.unit, def.min, def.max, def.enumvals) },
          range: e.valueRange,
        });
      }
    }
    const version = ctx.settings.pgbouncer.version;
    for (const cfg of ctx.facts.pgbouncer) {
      // The same validation the differential test proves against the real PgBouncer.
      for (const err of pgbouncerStartupErrors(cfg, version)) {
        const hint = err.help ?? 'Check the value against the PgBouncer documentation.';
        if (err.kind === 'invalid-value') {
          const value = err.entry.value;
          ctx.report({
            messageId: 'bouncerInvalid',
            helpId: 'hint',
            data: { version, name: err.entry.key, value: value === '' ? "''" : value, reason: endSentence(err.message), hint },
            range: err.range,
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
