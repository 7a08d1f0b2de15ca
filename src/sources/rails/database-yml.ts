import { basename, dirname, relative, sep } from 'node:path';
import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';
import type { AppPool, AppSetting } from '../app/types.js';
import { expandErb, tagsIn, type ErbTag } from '../ruby/erb.js';
import { numberSetting, stringSetting } from '../ruby/values.js';
import { mapEntries, parseYaml, type LEntry, type LNode } from '../yaml/located.js';

/**
 * Rails config/database.yml: per environment, one database configuration (two-tier: `production:
 * {adapter: …}`) or several (three-tier, Rails 6+: `production: {primary: {…}, cache: {…}}`), each a
 * connection pool of its own in every process. Read as Rails reads it: ERB first (expandErb), then
 * YAML with anchors and `<<` merge keys (Psych; YAML 1.1 booleans are taken as Rails casts them).
 * Defaults, from ActiveRecord 8 (rails/rails activerecord/lib/active_record/…):
 * - database_configurations/hash_config.rb `max_connections`: `max_connections`, else `pool`, else 5;
 *   `checkout_timeout`: 5 (seconds);
 * - connection_adapters/abstract_adapter.rb: `prepared_statements` defaults to true
 *   (`default_prepared_statements`), `advisory_locks` to true (`@config.fetch(:advisory_locks, true)`);
 * - database_configurations.rb `environment_value_for`: `<NAME>_DATABASE_URL`, and DATABASE_URL for the
 *   configuration named "primary" (the only one of a two-tier file), replace the connection (the URL's
 *   parts win over the file's keys: UrlConfig merges the URL hash over the configuration);
 * - Rails.env is RAILS_ENV, else RACK_ENV, else "development" (railties lib/rails.rb).
 */
export interface RailsDatabaseFacts {
  file: string;
  pools: AppPool[];
  problems: InputProblem[];
}

/** ActiveModel::Type::Boolean FALSE_VALUES (activemodel/lib/active_model/type/boolean.rb), plus YAML 1.1's `no`/`off` read as text. */
const FALSE_TEXT = new Set(['false', 'f', '0', 'off', 'no', 'FALSE', 'F', 'OFF', 'NO', 'False', 'Off', 'No']);
const POSTGRES_ADAPTERS = new Set(['postgresql', 'postgis', 'postgres']);
const CONNECTION_KEYS = new Set(['adapter', 'url', 'database', 'host', 'port', 'username', 'password', 'pool', 'max_connections', 'encoding', 'prepared_statements', 'advisory_locks', 'checkout_timeout', 'schema_search_path', 'sslmode', 'timeout', 'min_connections', 'variables', 'replica', 'migrations_paths', 'database_tasks']);

const ACTIVE_RECORD = 'ActiveRecord 8 (activerecord/lib/active_record/database_configurations/hash_config.rb)';

export function extractRailsDatabaseYml(text: string, file: string, root: string): RailsDatabaseFacts {
  const erb = expandErb(text, file);
  const problems: InputProblem[] = [...erb.problems];
  const yaml = parseYaml(erb.text, file);
  problems.push(...yaml.problems);
  const pools: AppPool[] = [];
  const doc = yaml.documents[0]?.root;
  if (!doc || doc.kind !== 'map') {
    if (doc && !yaml.documents[0]!.hasErrors) problems.push({ message: 'config/database.yml is not a mapping of environments: Rails cannot read it.', range: doc.range, severity: 'error' });
    return { file, pools, problems };
  }
  const appDir = basename(dirname(file)) === 'config' ? dirname(dirname(file)) : dirname(file);
  const rel = relative(root, file).split(sep).join('/');
  for (const env of doc.entries) {
    if (env.value.kind !== 'map') continue;
    const configs = configsOf(env);
    for (const c of configs) {
      const pool = readConfig(c.name, c.node, c.keyRange, env.key, c.tiers, erb.tags, file, rel, appDir);
      if (pool) pools.push(pool);
    }
  }
  return { file, pools, problems };
}

/** Two-tier (`production: {adapter: …}`) or three-tier (`production: {primary: {…}, cache: {…}}`). */
function configsOf(env: LEntry): Array<{ name: string; node: LNode; keyRange: SourceRange; tiers: 2 | 3 }> {
  const entries = mapEntries(env.value);
  const threeTier = entries.length > 0 && entries.every((e) => e.value.kind === 'map') && !entries.some((e) => CONNECTION_KEYS.has(e.key));
  if (threeTier) return entries.map((e) => ({ name: e.key, node: e.value, keyRange: e.keyRange, tiers: 3 as const }));
  return [{ name: 'primary', node: env.value, keyRange: env.keyRange, tiers: 2 }];
}

/** A scalar of the file (after ERB) as a setting: literal, an ERB value, or unknown with the reason. */
function scalarSetting(node: LNode | undefined, tags: readonly ErbTag[]): { kind: 'number'; s: AppSetting<number> } | { kind: 'string'; s: AppSetting<string> } | { kind: 'bool'; s: AppSetting<boolean> } | undefined {
  if (!node) return undefined;
  const range = node.range;
  if (node.kind !== 'scalar') return { kind: 'string', s: { value: undefined, provenance: { kind: 'unknown', reason: 'not a scalar' }, range } };
  if (typeof node.value === 'number') return { kind: 'number', s: { value: node.value, provenance: { kind: 'literal' }, range } };
  if (typeof node.value === 'boolean') return { kind: 'bool', s: { value: node.value, provenance: { kind: 'literal' }, range } };
  if (node.value === null) return undefined;
  const text = node.value;
  const t = tagsIn(text, tags);
  if (t.whole) {
    const v = t.whole.value;
    if (v.kind === 'int' || v.kind === 'float') return { kind: 'number', s: numberSetting(v, t.whole.range) };
    if (v.kind === 'bool') return { kind: 'bool', s: { value: v.value, provenance: { kind: 'literal' }, range: t.whole.range } };
    return { kind: 'string', s: stringSetting(v, t.whole.range) };
  }
  if (t.parts.some((p) => typeof p !== 'string')) {
    // Text around Ruby values: known when every value is a literal.
    let out = '';
    for (const p of t.parts) {
      if (typeof p === 'string') out += p;
      else if (p.value.kind === 'string' || p.value.kind === 'int' || p.value.kind === 'float') out += String(p.value.value);
      else {
        const why = p.value.kind === 'env' ? `it joins text with ${p.value.envVar}, a variable read in Ruby (${p.code.trim()})` : `it joins text with Ruby code pgconn-lint does not evaluate (${p.code.trim()})`;
        return { kind: 'string', s: { value: undefined, provenance: { kind: 'unknown', reason: why }, range } };
      }
    }
    return { kind: 'string', s: { value: out.trim(), provenance: { kind: 'literal' }, range } };
  }
  return { kind: 'string', s: { value: text, provenance: { kind: 'literal' }, range } };
}

function numberOf(node: LNode | undefined, tags: readonly ErbTag[]): AppSetting<number> | undefined {
  const s = scalarSetting(node, tags);
  if (!s) return undefined;
  if (s.kind === 'number') return s.s;
  if (s.kind === 'string') {
    const v = s.s.value;
    if (s.s.provenance.kind === 'env') {
      const n = v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
      const { fallback: _text, ...rest } = s.s.provenance;
      void _text;
      return { ...(s.s as unknown as AppSetting<number>), value: n, provenance: { ...rest, ...(n !== undefined ? { fallback: n } : {}) } };
    }
    if (v !== undefined && /^\s*\d+\s*$/.test(v)) return { ...s.s, value: Number(v) } as AppSetting<number>;
    return { value: undefined, provenance: s.s.provenance.kind === 'unknown' ? s.s.provenance : { kind: 'unknown', reason: `"${v}" is not a number` }, ...(s.s.range ? { range: s.s.range } : {}) };
  }
  return { value: undefined, provenance: { kind: 'unknown', reason: 'a boolean is not a number' }, ...(s.s.range ? { range: s.s.range } : {}) };
}

function boolOf(node: LNode | undefined, tags: readonly ErbTag[]): AppSetting<boolean> | undefined {
  const s = scalarSetting(node, tags);
  if (!s) return undefined;
  if (s.kind === 'bool') return s.s;
  if (s.kind === 'number') return { value: s.s.value !== 0, provenance: s.s.provenance, ...(s.s.range ? { range: s.s.range } : {}) };
  const v = s.s.value;
  if (s.s.provenance.kind === 'env') {
    const fb = v === undefined ? undefined : !FALSE_TEXT.has(v.trim());
    return { value: fb, provenance: { kind: 'env', envVar: s.s.provenance.envVar, ...(fb !== undefined ? { fallback: fb } : {}) }, ...(s.s.range ? { range: s.s.range } : {}), ...(s.s.envOverrides ? { envOverrides: s.s.envOverrides } : {}) };
  }
  if (v === undefined) return { value: undefined, provenance: s.s.provenance, ...(s.s.range ? { range: s.s.range } : {}) };
  return { value: !FALSE_TEXT.has(v.trim()), provenance: { kind: 'literal' }, ...(s.s.range ? { range: s.s.range } : {}) };
}

function stringOf(node: LNode | undefined, tags: readonly ErbTag[]): AppSetting<string> | undefined {
  const s = scalarSetting(node, tags);
  if (!s) return undefined;
  if (s.kind === 'string') return s.s;
  return { value: s.s.value === undefined ? undefined : String(s.s.value), provenance: s.s.provenance, ...(s.s.range ? { range: s.s.range } : {}) } as AppSetting<string>;
}

function readConfig(name: string, node: LNode, keyRange: SourceRange, envName: string, tiers: 2 | 3, tags: readonly ErbTag[], file: string, rel: string, appDir: string): AppPool | undefined {
  const get = (k: string): LNode | undefined => mapEntries(node).find((e) => e.key === k)?.value;
  const adapter = stringOf(get('adapter'), tags);
  const url = stringOf(get('url'), tags);
  const urlText = url?.value;
  if (adapter?.value !== undefined && adapter.provenance.kind === 'literal' && !POSTGRES_ADAPTERS.has(adapter.value.trim())) return undefined;
  if (adapter === undefined && urlText !== undefined && url?.provenance.kind === 'literal' && !/^postgres(ql)?:/i.test(urlText.trim())) return undefined;

  const overrides = [`${name.toUpperCase()}_DATABASE_URL`, ...(name === 'primary' ? ['DATABASE_URL'] : [])];
  const maxKey = get('max_connections') !== undefined ? 'max_connections' : 'pool';
  const max = numberOf(get(maxKey), tags) ?? { value: 5, provenance: { kind: 'default' as const, note: `ActiveRecord: max_connections/pool defaults to 5 (${ACTIVE_RECORD})` } };
  const ps = boolOf(get('prepared_statements'), tags);
  const checkout = numberOf(get('checkout_timeout'), tags);
  const options: AppPool['options'] = [];
  for (const e of mapEntries(node)) {
    if (e.key === 'password') continue;
    const s = scalarSetting(e.value, tags);
    if (s) options.push({ name: e.key, value: s.s as AppSetting<unknown>, range: e.keyRange });
  }
  const at = keyRange;
  const connectionOptions: NonNullable<AppPool['connectionOptions']> = {};
  const host = stringOf(get('host'), tags);
  const port = stringOf(get('port'), tags) ?? numberOf(get('port'), tags);
  const database = stringOf(get('database'), tags);
  const user = stringOf(get('username'), tags);
  if (host) connectionOptions.host = host;
  if (port) connectionOptions.port = port as AppSetting<string | number>;
  if (database) connectionOptions.database = database;
  if (user) connectionOptions.user = user;
  const construct = `database.yml ${envName}${tiers === 3 ? `.${name}` : ''}`;
  const pool: AppPool = {
    id: `${rel}:${at.line}:${at.column}`,
    language: 'ruby',
    library: 'activerecord',
    construct,
    file,
    range: at,
    appDir,
    scope: { kind: 'module' },
    peak: { terms: [{ name: maxKey, value: max }], explanation: `${maxKey} ${max.value ?? '?'}${max.provenance.kind === 'default' ? ' (ActiveRecord default)' : ''}` },
    // Each thread checks out at most one connection of a pool (ActiveRecord::ConnectionAdapters::ConnectionPool#lease_connection).
    use: 'per-thread',
    connectionString: url ? { ...url, envOverrides: overrides } : { value: undefined, provenance: { kind: 'default', note: 'no url in database.yml' }, envOverrides: overrides },
    ...(Object.keys(connectionOptions).length > 0 ? { connectionOptions } : {}),
    preparedStatements: ps
      ? { ...ps, why: ps.value === false ? 'prepared_statements: false' : 'prepared_statements is on' }
      : { value: true, provenance: { kind: 'default', note: 'ActiveRecord prepares statements unless prepared_statements: false (abstract_adapter.rb default_prepared_statements)' }, why: 'ActiveRecord prepares statements by default (prepared_statements defaults to true)' },
    acquireTimeoutMs: checkout ? { ...checkout, value: checkout.value !== undefined ? checkout.value * 1000 : undefined } : { value: 5000, provenance: { kind: 'default', note: `ActiveRecord checkout_timeout defaults to 5 seconds (${ACTIVE_RECORD})` } },
    options,
    environment: {
      name: envName,
      variables: ['RAILS_ENV', 'RACK_ENV'],
      judgedByDefault: envName === 'production',
      defaultReason: 'RAILS_ENV and RACK_ENV are not set in its environment as compose, Kubernetes and .env files give it (a Dockerfile ENV is not read): the production configuration is judged',
    },
    group: `${rel}#${name}`,
  };
  return pool;
}
