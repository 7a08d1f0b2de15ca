import { defineRule } from '../src/engine/rule.js';
import { getPgSetting, majorsHaving, suggestPgSetting } from '../src/catalog/postgresql/catalog.js';
import { pgbouncerConnstringParamNames, pgbouncerSettingNames, pgbouncerVersionsHaving } from '../src/catalog/pgbouncer/catalog.js';
import { pgbouncerStartupErrors } from '../src/sources/pgbouncer-ini/validate.js';
import { closestName } from '../src/catalog/suggest.js';
import { pgMajorOf } from '../src/model/settings.js';

/**
 * Names widely copied from guides that PgBouncer never had, mapped to what the
 * author meant. `server_pool_size` comes from a popular "too many clients" article.
 */
const BOUNCER_FOLKLORE: Record<string, string> = {
  server_pool_size: 'default_pool_size',
  pool_size: 'default_pool_size',
  max_server_conn: 'max_db_connections',
};

export default defineRule({
  meta: {
    id: 'unknown-setting',
    description: 'Report setting names that PostgreSQL or PgBouncer does not know, which stop the server from starting.',
    type: 'problem',
    category: 'correctness',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['postgresql-conf', 'pgbouncer-ini'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    messages: {
      pgUnknown: 'PostgreSQL {{version}} has no parameter "{{name}}": the server refuses to start with this file (and ignores it on reload).',
      pgNotInVersion: 'PostgreSQL {{version}} has no parameter "{{name}}" (it exists in PostgreSQL {{majors}}): the server refuses to start with this file.',
      bouncerUnknown: 'PgBouncer {{version}} has no setting "{{name}}": it refuses to start with this file (and keeps the old configuration on reload).',
      bouncerNotInVersion: 'PgBouncer {{version}} has no setting "{{name}}" (it exists in PgBouncer {{versions}}): it refuses to start with this file.',
      bouncerParamUnknown: 'PgBouncer {{version}} does not know the {{section}} parameter "{{name}}" in the entry for "{{entry}}": the entry is rejected and clients cannot connect to it.',
      didYouMean: 'Did you mean "{{suggestion}}"?',
      removeOrFix: 'Remove the line, or check the spelling against the documentation of this version.',
      pgVersionHelp: 'Remove the line, or set database.version in pgconn-lint.config.json if you target another PostgreSQL version.',
      bouncerVersionHelp: 'Remove the line, or set pgbouncer.version in pgconn-lint.config.json if you run another PgBouncer version.',
    },
    options: {},
  },
  check(ctx) {
    const major = pgMajorOf(ctx.settings.database.version);
    for (const cfg of ctx.facts.postgresql) {
      for (const e of cfg.entries) {
        // A dotted name is a placeholder for an extension's parameter: PostgreSQL accepts it (guc.c).
        if (e.key.includes('.')) continue;
        if (getPgSetting(e.key, major)) continue;
        const others = majorsHaving(e.key);
        if (others.length > 0) {
          ctx.report({ messageId: 'pgNotInVersion', helpId: 'pgVersionHelp', data: { version: major, name: e.name, majors: others.join(', ') }, range: e.nameRange });
          continue;
        }
        const suggestion = suggestPgSetting(e.key, major);
        ctx.report({
          messageId: 'pgUnknown',
          helpId: suggestion ? 'didYouMean' : 'removeOrFix',
          data: { version: major, name: e.name, suggestion: suggestion ?? '' },
          range: e.nameRange,
        });
      }
    }
    const version = ctx.settings.pgbouncer.version;
    for (const cfg of ctx.facts.pgbouncer) {
      // The same validation the differential test proves against the real PgBouncer.
      for (const err of pgbouncerStartupErrors(cfg, version)) {
        if (err.kind === 'unknown-setting') {
          const name = err.entry.key;
          const others = pgbouncerVersionsHaving(name);
          if (others.length > 0) {
            ctx.report({ messageId: 'bouncerNotInVersion', helpId: 'bouncerVersionHelp', data: { version, name, versions: others.join(', ') }, range: err.range });
            continue;
          }
          const suggestion = BOUNCER_FOLKLORE[name] ?? closestName(name, pgbouncerSettingNames(version));
          ctx.report({
            messageId: 'bouncerUnknown',
            helpId: suggestion ? 'didYouMean' : 'removeOrFix',
            data: { version, name, suggestion: suggestion ?? '' },
            range: err.range,
          });
        } else if (err.kind === 'unknown-connstring-key' && err.item) {
          const section = err.entry.section ?? 'databases';
          const allowed = section === 'users' ? pgbouncerConnstringParamNames('users', version) : section === 'peers' ? pgbouncerConnstringParamNames('peers', version) : pgbouncerConnstringParamNames('databases', version);
          const suggestion = BOUNCER_FOLKLORE[err.item.key] ?? closestName(err.item.key, allowed);
          ctx.report({
            messageId: 'bouncerParamUnknown',
            helpId: suggestion ? 'didYouMean' : 'removeOrFix',
            data: { version, section: `[${section}]`, name: err.item.key, entry: err.entry.key, suggestion: suggestion ?? '' },
            range: err.range,
          });
        }
      }
    }
  },
});
