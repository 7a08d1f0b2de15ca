import { defineRule } from '../src/engine/rule.js';
import { getPgSetting } from '../src/catalog/postgresql/catalog.js';
import { parsePgSettingValue } from '../src/catalog/postgresql/values.js';
import { getPgbouncerSetting, pgbouncerConnstringParam, parsePgbouncerValue } from '../src/catalog/pgbouncer/catalog.js';
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
          data: { version: major, name: e.name, value: e.rawValue, reason: endSentence(r.message), hint: r.hint ?? defaultPgHint(def.vartype, def.unit, def.min, def.max, def.enumvals) },
          range: e.valueRange,
        });
      }
    }
    const version = ctx.settings.pgbouncer.version;
    for (const cfg of ctx.facts.pgbouncer) {
      for (const e of cfg.settings) {
        const def = getPgbouncerSetting(e.key, version);
        if (!def) continue;
        const r = parsePgbouncerValue(def, e.value);
        if (r.ok) continue;
        ctx.report({
          messageId: 'bouncerInvalid',
          helpId: 'hint',
          data: { version, name: e.key, value: e.value === '' ? "''" : e.value, reason: endSentence(r.message), hint: r.hint ?? 'Check the value against the PgBouncer documentation.' },
          range: e.valueRange,
        });
      }
      const sections = [
        ['[databases]', 'database', cfg.databases],
        ['[users]', 'user', cfg.users],
      ] as const;
      for (const [section, kind, entries] of sections) {
        for (const db of entries) {
          for (const item of db.items) {
            const def = pgbouncerConnstringParam(kind, item.key, version);
            if (!def) continue;
            const r = parsePgbouncerValue(def, item.value);
            if (r.ok) continue;
            ctx.report({
              messageId: 'bouncerParamInvalid',
              helpId: 'hint',
              data: { version, section, entry: db.name, name: item.key, value: item.value, reason: endSentence(r.message), hint: r.hint ?? 'Check the value against the PgBouncer documentation.' },
              range: item.valueRange,
            });
          }
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
