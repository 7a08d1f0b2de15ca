import { defineRule } from '../src/engine/rule.js';
import { addedInMinor, majorsHaving, PG_MAJORS, suggestPgSetting } from '../src/catalog/postgresql/catalog.js';
import { getPgSetting } from '../src/catalog/postgresql/catalog.js';
import { comparePgbouncerVersions, PGBOUNCER_VERSIONS, pgbouncerConnstringParamNames, pgbouncerSettingNames, pgbouncerVersionsHaving } from '../src/catalog/pgbouncer/catalog.js';
import { closestName } from '../src/catalog/suggest.js';
import { pgbouncerStartupErrors } from '../src/sources/pgbouncer-ini/validate.js';
import { bouncerVersionText, pgReleaseText, pgVersionText, settingWhere } from '../src/model/parameters.js';

/** Names widely copied from guides and old versions, mapped to what the author meant. */
const PG_FOLKLORE: Record<string, string> = {
  checkpoint_segments: 'max_wal_size',
};
/** `server_pool_size` comes from a popular "too many clients" article; PgBouncer never had it. */
const BOUNCER_FOLKLORE: Record<string, string> = {
  server_pool_size: 'default_pool_size',
  pool_size: 'default_pool_size',
  max_server_conn: 'max_db_connections',
};
const ENTRY_FOLKLORE: Record<string, Record<string, string>> = {
  databases: { default_pool_size: 'pool_size', server_pool_size: 'pool_size', max_db_conn: 'max_db_connections' },
  users: { max_db_connections: 'max_user_connections', default_pool_size: 'pool_size' },
};

/** "added in 16", "removed in 17", or the list, for a name that exists in other versions only. */
function versionNote<V extends string | number>(having: readonly V[], target: V, all: readonly V[], cmp: (a: V, b: V) => number): string {
  if (having.every((v) => cmp(v, target) > 0)) return `added in ${having[0]}`;
  if (having.every((v) => cmp(v, target) < 0)) {
    const last = having[having.length - 1]!;
    const next = all.find((v) => cmp(v, last) > 0);
    return next !== undefined ? `removed in ${next}` : `exists up to ${last}`;
  }
  return `exists in ${having.join(', ')}`;
}

export default defineRule({
  meta: {
    id: 'unknown-setting',
    description: 'Report setting names that PostgreSQL or PgBouncer does not know, which stop the server from starting.',
    type: 'problem',
    category: 'correctness',
    defaultSeverity: 'error',
    recommended: true,
    inputs: ['postgresql-conf', 'pgbouncer-ini', 'compose', 'kubernetes'],
    scope: 'file',
    fixable: false,
    since: '0.1.0',
    nonProduction: {
      action: 'warn',
      reason: 'A test server refuses to start too (the test run shows it at once), but no production server reads the file.',
    },
    messages: {
      pgUnknown: 'PostgreSQL {{version}} has no parameter "{{name}}": the server refuses to start with this file, and a reload applies none of its changes.',
      pgNotInVersion: 'PostgreSQL {{version}} has no parameter "{{name}}" ({{note}}): the server refuses to start with this file, and a reload applies none of its changes.',
      pgUnknownArg: 'PostgreSQL {{version}} has no parameter "{{name}}" ({{where}}): the server refuses to start.',
      pgNotInVersionArg: 'PostgreSQL {{version}} has no parameter "{{name}}" ({{note}}; {{where}}): the server refuses to start.',
      pgNotInMinor: 'PostgreSQL {{version}} has no parameter "{{name}}" (added in {{since}}): the server refuses to start with this file, and a reload applies none of its changes.',
      pgNotInMinorArg: 'PostgreSQL {{version}} has no parameter "{{name}}" (added in {{since}}; {{where}}): the server refuses to start.',
      bouncerUnknown: 'PgBouncer {{version}} has no setting "{{name}}": it refuses to start with this file (a reload keeps the old configuration).',
      bouncerNotInVersion: 'PgBouncer {{version}} has no setting "{{name}}" ({{note}}): it refuses to start with this file (a reload keeps the old configuration).',
      bouncerParamUnknown: 'PgBouncer {{version}} has no {{section}} parameter "{{name}}" (in the entry "{{entry}}"): it refuses to start with this file (a reload keeps the old configuration).',
      didYouMean: 'Did you mean "{{suggestion}}"?',
      didYouMeanParam: 'Did you mean "{{suggestion}}"? Write {{suggestion}}={{value}} in the entry.',
      removeOrFix: 'Remove the line, or check the spelling against the documentation of this version.',
      removeParam: 'Remove {{name}}={{value}} from the entry, or check the spelling against the documentation of this version.',
      pgVersionHelp: 'Remove the line, or set database.version in pgconn-lint.config.json if the server runs another PostgreSQL version.',
      pgVersionHelpKnown: 'Remove the setting, or run a PostgreSQL version that has it (this one is {{version}}, from its {{versionSource}}).',
      pgMinorHelp: 'Remove the setting, or pin {{since}} or later (this server is {{version}}, from its {{versionSource}}).',
      bouncerVersionHelpKnown: 'Remove the line, or run a PgBouncer version that has it (this one is {{version}}, from its {{versionSource}}).',
      bouncerVersionHelp: 'Remove the line, or set pgbouncer.version in pgconn-lint.config.json if you run another PgBouncer version.',
    },
    options: {},
  },
  check(ctx) {
    // Every server's settings from every source (conf lines, `-c` flags, image env, operator
    // parameters), judged with that server's version (image tag, CRD, config file, else the newest).
    for (const server of ctx.model.parameters.servers) {
      const major = server.version.major;
      for (const e of server.written()) {
        // A dotted name is a placeholder for an extension's parameter: PostgreSQL accepts it (guc.c).
        if (e.key.includes('.')) continue;
        const def = getPgSetting(e.key, major);
        if (def) {
          // Added by a minor release of this major, on a server whose image pins an older minor.
          const sinceMinor = def.since !== undefined ? Number(def.since.split('.')[1]) : undefined;
          if (sinceMinor !== undefined && server.version.minor !== undefined && server.version.minor < sinceMinor) {
            ctx.report({
              messageId: e.origin !== 'conf' ? 'pgNotInMinorArg' : 'pgNotInMinor',
              helpId: 'pgMinorHelp',
              data: { version: pgReleaseText(server.version), name: e.name, since: def.since!, where: settingWhere(e), versionSource: server.version.source },
              range: e.nameRange,
            });
          }
          continue;
        }
        const arg = e.origin !== 'conf';
        const where = settingWhere(e);
        const others = majorsHaving(e.key);
        // Added by a minor release of another major (a back-patched parameter, such as
        // output_plugin_libraries in 15.19): this major's newer minors may have it too. Unknown, so
        // no finding.
        if (others.length > 0 && addedInMinor(e.key) !== undefined) continue;
        if (others.length > 0) {
          const note = versionNote(others, major, PG_MAJORS, (a, b) => a - b).replace(/(\d+)/, 'PostgreSQL $1');
          // Depends on the version: say whether it was declared, and where.
          ctx.report({
            messageId: arg ? 'pgNotInVersionArg' : 'pgNotInVersion',
            helpId: server.version.by === 'server' ? 'pgVersionHelpKnown' : 'pgVersionHelp',
            data: { version: pgVersionText(server.version), name: e.name, note, where, versionSource: server.version.source },
            range: e.nameRange,
          });
          continue;
        }
        const suggestion = PG_FOLKLORE[e.key] ?? suggestPgSetting(e.key, major);
        ctx.report({
          messageId: arg ? 'pgUnknownArg' : 'pgUnknown',
          helpId: suggestion ? 'didYouMean' : 'removeOrFix',
          data: { version: major, name: e.name, suggestion: suggestion ?? '', where },
          range: e.nameRange,
        });
      }
    }
    for (const { config: cfg, version: used } of ctx.model.parameters.poolers) {
      const version = used.version;
      // The same validation the differential test proves against the real PgBouncer.
      for (const err of pgbouncerStartupErrors(cfg, version)) {
        if (err.kind === 'unknown-setting') {
          const name = err.entry.key;
          const others = pgbouncerVersionsHaving(name);
          if (others.length > 0) {
            const note = versionNote(others, version, PGBOUNCER_VERSIONS as readonly string[], comparePgbouncerVersions).replace(/(\d+\.\d+)/, 'PgBouncer $1');
            ctx.report({
              messageId: 'bouncerNotInVersion',
              helpId: used.by === 'server' ? 'bouncerVersionHelpKnown' : 'bouncerVersionHelp',
              data: { version: bouncerVersionText(used), name, note, versionSource: used.source },
              range: err.range,
            });
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
          const section = err.entry.section === 'users' || err.entry.section === 'peers' ? err.entry.section : 'databases';
          const allowed = pgbouncerConnstringParamNames(section, version);
          const suggestion = ENTRY_FOLKLORE[section]?.[err.item.key] ?? closestName(err.item.key, allowed);
          ctx.report({
            messageId: 'bouncerParamUnknown',
            helpId: suggestion ? 'didYouMeanParam' : 'removeParam',
            data: { version, section: `[${section}]`, name: err.item.key, value: err.item.value, entry: err.entry.key, suggestion: suggestion ?? '' },
            range: err.range,
          });
        }
      }
    }
  },
});
