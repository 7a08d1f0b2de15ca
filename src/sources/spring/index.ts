import { basename, dirname, relative, sep } from 'node:path';
import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';
import type { AppFacts, AppPool, AppSetting } from '../app/types.js';
import { mapEntries, parseYaml, seqItems, type LNode } from '../yaml/located.js';
import { parseProperties } from './properties.js';

/**
 * Spring Boot configuration (config only, no Java): application.properties / application.yml and
 * their profile variants, read as Spring Boot 3 reads them (reference: "Externalized Configuration"):
 * - files `application[-{profile}].{properties,yml,yaml}` in src/main/resources (classpath:/) and
 *   src/main/resources/config (classpath:/config/, which wins); .properties wins over .yml in the same
 *   place; a profile's file wins over the base file;
 * - multi-document YAML (`---`, and `#---` in .properties): a document with
 *   `spring.config.activate.on-profile: p` (legacy `spring.profiles: p`) applies when p is active;
 * - active profiles: SPRING_PROFILES_ACTIVE in the environment, else `spring.profiles.active` of the
 *   files; relaxed binding: `maximum-pool-size`, `maximumPoolSize` and `maximum_pool_size` are one
 *   property, and the environment variable SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE overrides
 *   spring.datasource.hikari.maximum-pool-size ("Binding From Environment Variables": `.` → `_`,
 *   `-` removed, upper case);
 * - placeholders `${NAME}` / `${NAME:default}` resolve against other properties, then the environment.
 * The pool is HikariCP's (Spring Boot's default DataSource). HikariCP 5/6 defaults
 * (src/main/java/com/zaxxer/hikari/HikariConfig.java, README "Frequently used"): maximumPoolSize 10,
 * minimumIdle = maximumPoolSize, connectionTimeout 30 s (0 = Integer.MAX_VALUE ms, i.e. forever),
 * idleTimeout 10 min, maxLifetime 30 min, leakDetectionThreshold 0 (off).
 */
export interface SpringProperty {
  /** As written (`spring.datasource.hikari.maximumPoolSize`). */
  key: string;
  value: string;
  range: SourceRange;
  keyRange: SourceRange;
}

export interface SpringDocument {
  /** Profiles this document applies to (`on-profile`); absent: always. */
  onProfile?: string[];
  /** By canonical name (elements lower-cased, `-` and `_` removed). */
  props: Map<string, SpringProperty>;
}

export interface SpringConfigFile {
  file: string;
  /** `application-prod.yml` → prod. */
  profile?: string;
  /** true for classpath:/config/ (and ./config/): it wins over the same name in the parent. */
  configDir: boolean;
  format: 'properties' | 'yaml';
  documents: SpringDocument[];
  /** It has spring.* or server.* properties (an application.yml of another framework has not). */
  isSpring: boolean;
  problems: InputProblem[];
}

/** The canonical form of a property name for relaxed binding (ConfigurationPropertyName: elements compared without `-`/`_`, case-insensitively). */
export function canonicalName(key: string): string {
  return key
    .split('.')
    .map((e) => e.replace(/[-_]/g, '').toLowerCase())
    .join('.');
}

/** The environment variable that overrides a property (`spring.datasource.hikari.maximum-pool-size` → SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE). */
export function envVarFor(property: string): string {
  return property
    .split('.')
    .map((e) => e.replace(/-/g, '').toUpperCase())
    .join('_');
}

/** A Spring config file by its place: under src/main/resources, a config/ folder, or named on the command line. */
export function isSpringConfigFile(path: string): boolean {
  const p = path.split(sep).join('/');
  if (/\/(target|build|out|bin)\/(classes|resources)\//.test(p)) return false;
  return /\/src\/(main|test)\/resources\/(config\/)?[^/]+$/.test(p) || /(^|\/)config\/application[^/]*$/.test(p);
}

export function extractSpringConfig(text: string, file: string): SpringConfigFile {
  const name = basename(file);
  const m = /^application(?:-([\w.-]+))?\.(properties|ya?ml)$/.exec(name);
  const format = m?.[2] === 'properties' ? 'properties' : 'yaml';
  const out: SpringConfigFile = { file, configDir: basename(dirname(file)) === 'config', format, documents: [], isSpring: false, problems: [], ...(m?.[1] ? { profile: m[1] } : {}) };
  if (format === 'properties') {
    // `#---` (or `!---`) on its own line splits a .properties file into documents (Spring Boot 2.4+).
    const parts = text.split(/^[#!]---[ \t]*$/m);
    let lineOffset = 0;
    for (const part of parts) {
      const r = parseProperties(part, file);
      const doc: SpringDocument = { props: new Map() };
      for (const e of r.entries) {
        const shift = (x: SourceRange): SourceRange => ({ ...x, line: x.line + lineOffset, endLine: x.endLine + lineOffset });
        doc.props.set(canonicalName(e.key), { key: e.key, value: e.value, range: shift(e.valueRange), keyRange: shift(e.keyRange) });
      }
      out.problems.push(...r.problems.map((p) => ({ ...p, range: { ...p.range, line: p.range.line + lineOffset, endLine: p.range.endLine + lineOffset } })));
      setOnProfile(doc);
      out.documents.push(doc);
      lineOffset += part.split(/\r\n|\n|\r/).length - 1 + 1;
    }
  } else {
    const y = parseYaml(text, file);
    out.problems.push(...y.problems);
    for (const d of y.documents) {
      const doc: SpringDocument = { props: new Map() };
      flatten(d.root, '', doc.props, 0);
      setOnProfile(doc);
      out.documents.push(doc);
    }
  }
  out.isSpring = out.documents.some((d) => [...d.props.keys()].some((k) => /^(spring|server|management)\./.test(k)));
  return out;
}

function setOnProfile(doc: SpringDocument): void {
  const p = doc.props.get('spring.config.activate.onprofile') ?? doc.props.get('spring.profiles');
  if (p) doc.onProfile = p.value.split(',').map((x) => x.trim().replace(/^!/, '')).filter(Boolean);
}

function flatten(node: LNode | null | undefined, prefix: string, out: Map<string, SpringProperty>, depth: number): void {
  if (!node || depth > 64) return;
  if (node.kind === 'map') {
    for (const e of mapEntries(node)) {
      const key = prefix === '' ? e.key : `${prefix}.${e.key}`;
      if (e.value.kind === 'scalar') {
        const v = e.value.value;
        if (v === null) continue;
        out.set(canonicalName(key), { key, value: typeof v === 'string' ? v : e.value.source, range: e.value.range, keyRange: e.keyRange });
      } else if (e.value.kind === 'seq') {
        seqItems(e.value).forEach((item, i) => {
          if (item.kind === 'scalar' && item.value !== null) out.set(canonicalName(`${key}[${i}]`), { key: `${key}[${i}]`, value: String(item.value), range: item.range, keyRange: e.keyRange });
          else flatten(item, `${key}[${i}]`, out, depth + 1);
        });
        // `spring.profiles.active: [a, b]` is the list a,b.
        const items = seqItems(e.value).filter((x) => x.kind === 'scalar');
        if (items.length > 0) out.set(canonicalName(key), { key, value: items.map((x) => String((x as { value: unknown }).value)).join(','), range: e.value.range, keyRange: e.keyRange });
      } else flatten(e.value, key, out, depth + 1);
    }
  }
}

/* ---------------- the datasource of each module ---------------- */

const HIKARI = 'HikariCP (HikariConfig.java, README "Frequently used")';

/** One Spring module: its config files, by location. */
interface Module {
  dir: string;
  files: SpringConfigFile[];
}

/** The application folder of a config file: the module holding src/main/resources, or the folder of ./config. */
function moduleDir(file: string): string {
  const p = file.split(sep).join('/');
  const m = /^(.*)\/src\/(?:main|test)\/resources(?:\/config)?\/[^/]+$/.exec(p);
  if (m) return m[1]!.split('/').join(sep);
  const d = dirname(file);
  return basename(d) === 'config' ? dirname(d) : d;
}

/** The properties in force with these profiles active, each with the file line that wins. */
function effective(mod: Module, profiles: readonly string[]): Map<string, SpringProperty> {
  const out = new Map<string, SpringProperty>();
  // Lowest precedence first: resources/ before resources/config/; yaml before properties; base before profiles (in activation order).
  const rank = (f: SpringConfigFile) => (f.configDir ? 2 : 0) + (f.format === 'properties' ? 1 : 0);
  const test = (f: SpringConfigFile) => /\/src\/test\//.test(f.file.split(sep).join('/'));
  const files = mod.files.filter((f) => !test(f));
  const apply = (f: SpringConfigFile) => {
    for (const d of f.documents) {
      if (d.onProfile && !d.onProfile.some((p) => profiles.includes(p))) continue;
      for (const [k, v] of d.props) out.set(k, v);
    }
  };
  for (const f of files.filter((x) => x.profile === undefined).sort((a, b) => rank(a) - rank(b))) apply(f);
  for (const p of profiles) for (const f of files.filter((x) => x.profile === p).sort((a, b) => rank(a) - rank(b))) apply(f);
  return out;
}

/** A property value: literal, `${NAME:default}` (another property or an environment variable), or a template of them. */
function resolveValue(raw: string, props: Map<string, SpringProperty>, range: SourceRange, depth = 0): AppSetting<string> {
  const re = /\$\{([^}:]+)(?::([^}]*))?\}/g;
  if (!re.test(raw)) return { value: raw, provenance: { kind: 'literal' }, range };
  re.lastIndex = 0;
  const whole = /^\$\{([^}:]+)(?::([^}]*))?\}$/.exec(raw.trim());
  if (whole && depth < 8) {
    const name = whole[1]!.trim();
    const ref = props.get(canonicalName(name));
    if (ref) return resolveValue(ref.value, props, ref.range, depth + 1);
    const fb = whole[2];
    return { value: fb, provenance: { kind: 'env', envVar: envName(name), ...(fb !== undefined ? { fallback: fb } : {}) }, range };
  }
  const template: NonNullable<AppSetting<string>['template']> = [];
  let last = 0;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    if (m.index > last) template.push(raw.slice(last, m.index));
    const name = m[1]!.trim();
    const ref = props.get(canonicalName(name));
    if (ref && !/\$\{/.test(ref.value)) template.push(ref.value);
    else template.push({ envVar: envName(name), ...(m[2] !== undefined ? { fallback: m[2] } : {}) });
    last = m.index + m[0].length;
  }
  if (last < raw.length) template.push(raw.slice(last));
  return { value: undefined, provenance: { kind: 'unknown', reason: 'a template of environment variables' }, range, template };
}

/** A placeholder's name as an environment variable: as written when it looks like one, else its relaxed form. */
function envName(name: string): string {
  return /^[A-Z0-9_]+$/.test(name) ? name : envVarFor(name);
}

function numberValue(p: SpringProperty | undefined, props: Map<string, SpringProperty>, property: string, dflt: number | undefined, note: string): AppSetting<number> {
  const overrides = [envVarFor(property)];
  if (!p) return { value: dflt, provenance: { kind: 'default', note }, envOverrides: overrides };
  const s = resolveValue(p.value, props, p.range);
  const toNum = (x: string | undefined) => (x !== undefined && /^\s*-?\d+\s*$/.test(x) ? Number(x) : undefined);
  if (s.provenance.kind === 'env') {
    const fb = toNum(s.value);
    return { value: fb, provenance: { kind: 'env', envVar: s.provenance.envVar, ...(fb !== undefined ? { fallback: fb } : {}) }, range: p.range, envOverrides: overrides };
  }
  const n = toNum(s.value);
  if (n === undefined) return { value: undefined, provenance: { kind: 'unknown', reason: `${p.key} = ${p.value} is not a number` }, range: p.range, envOverrides: overrides };
  return { value: n, provenance: { kind: 'literal' }, range: p.range, envOverrides: overrides };
}

/** Every module's Hikari pool, per profile set, and the Spring modules found. */
export function springPools(files: readonly SpringConfigFile[], root: string): { pools: AppPool[]; roots: AppFacts['roots'] } {
  const modules = new Map<string, Module>();
  for (const f of files) {
    const dir = moduleDir(f.file);
    const m = modules.get(dir) ?? { dir, files: [] };
    m.files.push(f);
    modules.set(dir, m);
  }
  const pools: AppPool[] = [];
  const roots: AppFacts['roots'] = [];
  for (const mod of modules.values()) {
    const main = mod.files.find((f) => f.profile === undefined) ?? mod.files[0]!;
    roots.push({ dir: mod.dir, language: 'java', framework: 'spring-boot', file: main.file });
    const profiles = [...new Set(mod.files.flatMap((f) => [...(f.profile !== undefined ? [f.profile] : []), ...f.documents.flatMap((d) => d.onProfile ?? [])]))];
    const base = effective(mod, []);
    const defaultActive = base.get('spring.profiles.active')?.value.split(',').map((x) => x.trim()).filter(Boolean) ?? [];
    const variants: Array<{ name: string; active: string[] }> = [{ name: 'default', active: [] }, ...profiles.map((p) => ({ name: p, active: [p] }))];
    if (defaultActive.length > 0) variants.push({ name: defaultActive.join(','), active: defaultActive });
    const seen = new Set<string>();
    for (const v of variants) {
      if (seen.has(v.name)) continue;
      seen.add(v.name);
      const props = effective(mod, v.active);
      const pool = hikariPool(mod, props, v, defaultActive, root);
      if (pool) pools.push(pool);
    }
  }
  return { pools, roots };
}

function hikariPool(mod: Module, props: Map<string, SpringProperty>, variant: { name: string; active: string[] }, defaultActive: string[], root: string): AppPool | undefined {
  const get = (k: string) => props.get(canonicalName(k));
  const url = get('spring.datasource.url') ?? get('spring.datasource.hikari.jdbc-url');
  const hasDatasource = [...props.keys()].some((k) => k.startsWith('spring.datasource.'));
  if (!hasDatasource) return undefined;
  const type = get('spring.datasource.type')?.value;
  if (url && /^jdbc:(?!postgresql:)/i.test(url.value)) return undefined; // another database
  const anchor = url ?? [...props.values()].find((p) => canonicalName(p.key).startsWith('spring.datasource.'))!;
  const file = anchor.keyRange.file;
  const rel = relative(root, file).split(sep).join('/');
  const maxProp = get('spring.datasource.hikari.maximum-pool-size');
  const max = numberValue(maxProp, props, 'spring.datasource.hikari.maximum-pool-size', 10, `${HIKARI}: maximumPoolSize defaults to 10`);
  const notHikari = type !== undefined && !/hikari/i.test(type);
  const timeoutProp = get('spring.datasource.hikari.connection-timeout');
  const timeout = numberValue(timeoutProp, props, 'spring.datasource.hikari.connection-timeout', 30_000, `${HIKARI}: connectionTimeout defaults to 30000 ms`);
  // HikariConfig#setConnectionTimeout: 0 means Integer.MAX_VALUE ms (wait forever).
  const acquire: AppSetting<number> = timeout.value === 0 ? { ...timeout, value: 0 } : timeout;
  const options: AppPool['options'] = [];
  for (const p of props.values()) {
    const c = canonicalName(p.key);
    if (!c.startsWith('spring.datasource.') || /password/.test(c)) continue;
    options.push({ name: p.key, value: resolveValue(p.value, props, p.range) as AppSetting<unknown>, range: p.keyRange });
  }
  const dsThreshold = get('spring.datasource.hikari.data-source-properties.prepare-threshold') ?? get('spring.datasource.hikari.data-source-properties.prepareThreshold');
  const urlSetting: AppSetting<string> = url ? { ...resolveValue(url.value, props, url.range), envOverrides: ['SPRING_DATASOURCE_URL'] } : { value: undefined, provenance: { kind: 'default', note: 'no spring.datasource.url in the files' }, envOverrides: ['SPRING_DATASOURCE_URL'] };
  const user = get('spring.datasource.username');
  const isDefault = variant.name === (defaultActive.length > 0 ? defaultActive.join(',') : 'default');
  return {
    id: `${rel}:${anchor.keyRange.line}:${anchor.keyRange.column}`,
    language: 'java',
    library: 'hikaricp',
    construct: `spring.datasource${variant.name !== 'default' ? ` (profile ${variant.name})` : ''}`,
    file,
    range: anchor.keyRange,
    appDir: mod.dir,
    scope: { kind: 'module' },
    peak: notHikari
      ? { terms: [{ name: 'maximum-pool-size', value: { value: undefined, provenance: { kind: 'unknown', reason: `spring.datasource.type is ${type}, not HikariCP: its pool size settings are not read` } } }], explanation: `spring.datasource.type ${type}` }
      : { terms: [{ name: 'maximum-pool-size', value: max }], explanation: `maximum-pool-size ${max.value ?? '?'}${max.provenance.kind === 'default' ? ' (HikariCP default)' : ''}` },
    // Tomcat's request threads (200) do not bound HikariCP: its maximum-pool-size is the per-process peak.
    use: 'whole-pool',
    connectionString: urlSetting,
    ...(user ? { connectionOptions: { user: resolveValue(user.value, props, user.range) } } : {}),
    preparedStatements: dsThreshold
      ? { value: Number(dsThreshold.value) !== 0, provenance: { kind: 'literal' }, range: dsThreshold.range, why: `data-source-properties.prepareThreshold ${dsThreshold.value}` }
      : { value: true, provenance: { kind: 'default', note: 'PgJDBC prepareThreshold defaults to 5 (pgjdbc PGProperty.PREPARE_THRESHOLD)' }, why: 'PgJDBC turns a PreparedStatement into a named server-side statement on its 5th execution (prepareThreshold defaults to 5)' },
    acquireTimeoutMs: acquire,
    options,
    environment: {
      name: variant.name,
      variables: ['SPRING_PROFILES_ACTIVE'],
      judgedByDefault: isDefault,
      defaultReason: defaultActive.length > 0 ? `SPRING_PROFILES_ACTIVE is not set: spring.profiles.active ${defaultActive.join(',')} of the files applies` : 'no profile is active (SPRING_PROFILES_ACTIVE is not set): the base configuration applies',
    },
    group: `${relative(root, mod.dir).split(sep).join('/') || '.'}#spring.datasource`,
  };
}
