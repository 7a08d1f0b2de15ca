import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, type Pair } from 'yaml';
import type { Rule, RuleOptionValues } from './rule.js';
import type { LintSettings } from './settings.js';
import { findRepoRoot, UsageError } from '../discovery/discover.js';
import { FileAccess } from '../core/file-access.js';
import { closestName } from '../catalog/suggest.js';
import { parseByteSize } from '../catalog/postgresql/values.js';
import { LATEST_PG_MAJOR, parsePgMajor, PG_MAJORS } from '../catalog/postgresql/catalog.js';
import { LATEST_PGBOUNCER, PGBOUNCER_VERSIONS, parsePgbouncerVersion } from '../catalog/pgbouncer/catalog.js';
import { readDeploymentSection, versionLosesDigits } from '../model/deployment/config.js';
import { parseYamlStream } from '../sources/yaml/stream.js';
import { DEFAULT_MAX_FILE_BYTES, formatBytes } from '../core/read-text.js';
import { MAX_YAML_TOKENS } from '../core/limits.js';

export const CONFIG_FILE_NAMES = ['pgconn-lint.config.json', 'pgconn-lint.config.yaml', 'pgconn-lint.config.yml'];

export type SeverityConfig = 'off' | 'warn' | 'error';

export interface RuleConfigEntry {
  severity: SeverityConfig;
  options: RuleOptionValues;
  /** True when the user set the severity (then it applies to every finding of the rule). */
  explicitSeverity: boolean;
}

export interface ResolvedConfig {
  /** The config file used, if any. */
  file: string | null;
  preset: 'recommended' | 'strict';
  rules: Record<string, RuleConfigEntry>;
  ignorePatterns: string[];
  settings: LintSettings;
  maxFileSize?: number;
}

export class ConfigError extends UsageError {}

/** Several configuration mistakes, reported together; each message is one line. */
export class ConfigErrors extends ConfigError {
  constructor(readonly messages: string[]) {
    super(`${messages.length} errors in the configuration: ${messages.join('; ')}`);
  }
}

/** The dot-file form, after the three names above in one directory. */
export const DOT_CONFIG_FILE = '.pgconn-lint.json';
/** The `"pgconn-lint"` key of a package.json: last in one directory. */
export const PACKAGE_JSON_KEY = 'pgconn-lint';

/** Does this package.json hold a `"pgconn-lint"` key? (Unreadable or invalid: no, the CLI reads the others.) */
function packageJsonHasConfig(p: string): boolean {
  try {
    const st = statSync(p);
    if (!st.isFile() || st.size > DEFAULT_MAX_FILE_BYTES) return false;
    const text = readFileSync(p, 'utf8');
    if (!text.includes(`"${PACKAGE_JSON_KEY}"`)) return false;
    const pkg = JSON.parse(text) as unknown;
    return typeof pkg === 'object' && pkg !== null && !Array.isArray(pkg) && Object.prototype.hasOwnProperty.call(pkg, PACKAGE_JSON_KEY);
  } catch {
    return false;
  }
}

/**
 * Finds the config file upward from `cwd` (stops at the filesystem root). In one directory the first
 * of: pgconn-lint.config.json, .yaml, .yml, .pgconn-lint.json, a package.json with a "pgconn-lint" key.
 */
export function findConfigFile(cwd: string): string | null {
  let dir = resolve(cwd);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
    const dot = join(dir, DOT_CONFIG_FILE);
    if (existsSync(dot)) return dot;
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && packageJsonHasConfig(pkg)) return pkg;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

const TOP_KEYS = ['$schema', 'preset', 'rules', 'ignorePatterns', 'codePaths', 'database', 'pgbouncer', 'maxFileSize', 'deployment'] as const;
const CODE_PATHS_KEYS = ['nonProduction'] as const;
const DATABASE_KEYS = ['version', 'memory'] as const;
const PGBOUNCER_KEYS = ['version'] as const;

interface Located {
  file: string;
  lc: LineCounter;
  /** False for a config file outside the repository: its content is never echoed (docs/security.md). */
  echo: boolean;
}

const NOT_ECHOED = 'invalid configuration (the file is outside the repository, so its content is not shown here)';

function where(loc: Located, node: Node | Pair | null | undefined): string {
  const target = (node && 'key' in node ? node.key : node) as { range?: [number, number, number] } | null | undefined;
  const start = target?.range?.[0] ?? 0;
  const pos = loc.lc.linePos(start);
  return `${loc.file}:${pos.line}:${pos.col}`;
}

function fail(loc: Located, node: Node | Pair | null | undefined, message: string): never {
  throw new ConfigError(`${where(loc, node)}: ${loc.echo ? message : NOT_ECHOED}`);
}

/**
 * Where a config file stands (docs/security.md): inside the repository it is an input like any other
 * (a link that leaves the repository is not read); outside it, found upward or named by --config, it
 * is read, but never echoed.
 */
function configAccess(file: string, cwd: string, named: boolean): { echo: boolean } {
  const root = findRepoRoot(cwd);
  const outside = FileAccess.namedOutside(root, cwd, [file]).length > 0;
  if (outside) return { echo: false };
  const a = new FileAccess(root).check(file);
  if (!a.ok) throw new ConfigError(`${file}${named ? ' (--config)' : ''} ${a.reason}`);
  return { echo: true };
}

function unknownKey(loc: Located, pair: Pair, key: string, allowed: readonly string[], context: string): never {
  const guess = closestName(key, allowed);
  fail(loc, pair, `unknown key "${key}" in ${context}${guess ? ` (did you mean "${guess}"?)` : ''}; allowed: ${allowed.join(', ')}`);
}

function severityOf(loc: Located, node: Node | null | undefined, ruleId: string): SeverityConfig {
  const v = isScalar(node) ? node.value : undefined;
  if (v === 'off' || v === 0) return 'off';
  if (v === 'warn' || v === 1) return 'warn';
  if (v === 'error' || v === 2) return 'error';
  fail(loc, node, `rule "${ruleId}": severity must be "off", "warn" or "error" (or 0, 1, 2), got ${JSON.stringify(v ?? null)}`);
}

export function defaultRuleConfig(rules: readonly Rule[], preset: 'recommended' | 'strict'): Record<string, RuleConfigEntry> {
  const out: Record<string, RuleConfigEntry> = {};
  for (const r of rules) {
    const options: RuleOptionValues = {};
    for (const [k, s] of Object.entries(r.meta.options)) options[k] = s.default;
    const on = preset === 'strict' || r.meta.recommended;
    out[r.meta.id] = {
      severity: on ? (r.meta.defaultSeverity === 'error' ? 'error' : 'warn') : 'off',
      options,
      explicitSeverity: false,
    };
  }
  return out;
}

/**
 * `codePathsBase`: what codePaths.nonProduction patterns are relative to: the config file's directory,
 * or without one the working directory (as ignorePatterns are, and as ESLint's are).
 */
export function defaultSettings(codePathsBase: string): LintSettings {
  return {
    database: { version: LATEST_PG_MAJOR, versionFromConfig: false },
    pgbouncer: { version: LATEST_PGBOUNCER, versionFromConfig: false },
    codePaths: { nonProduction: [], base: resolve(codePathsBase) },
  };
}

/**
 * `searchFrom`: where the upward search starts (the linted directory: `pgconn-lint path/to/project`
 * finds path/to/project's config); `cwd` by default. `--config` is relative to `cwd`.
 */
export function loadConfig(options: { cwd: string; configPath?: string; searchFrom?: string; rules: readonly Rule[] }): ResolvedConfig {
  const file = options.configPath ? resolve(options.cwd, options.configPath) : findConfigFile(options.searchFrom ?? options.cwd);
  if (options.configPath && !existsSync(file!)) throw new ConfigError(`Config file not found: ${options.configPath}`);
  if (!file) {
    return { file: null, preset: 'recommended', rules: defaultRuleConfig(options.rules, 'recommended'), ignorePatterns: [], settings: defaultSettings(options.cwd) };
  }
  const { echo } = configAccess(file, options.cwd, options.configPath !== undefined);
  let text: string;
  let size: number;
  try {
    const st = statSync(file);
    // A link to a device or FIFO never ends; a config file never needs more than the size cap of any input.
    if (!st.isFile()) throw new ConfigError(`${file}: not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (size > DEFAULT_MAX_FILE_BYTES) throw new ConfigError(`${file}: ${formatBytes(size)}, over the ${formatBytes(DEFAULT_MAX_FILE_BYTES)} limit for configuration files`);
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const lc = new LineCounter();
  // JSON is read by the same YAML 1.2 parser (JSON is a subset) so both report positions the same way,
  // with the caps every input gets (nesting depth, linear duplicate-key check: sources/yaml/stream.ts).
  const stream = parseYamlStream(text, { uniqueKeys: true, prettyErrors: false }, { onNewLine: lc.addNewLine, maxDocuments: 1 });
  const doc = stream.documents[0];
  const loc: Located = { file, lc, echo };
  const firstError = doc?.errors[0] ?? stream.streamErrors[0];
  if (firstError) {
    const pos = lc.linePos(firstError.pos[0]);
    throw new ConfigError(`${file}:${pos.line}:${pos.col}: ${echo ? firstError.message.split('\n')[0] : NOT_ECHOED}`);
  }
  if (stream.tokensCutAt !== undefined) {
    const pos = lc.linePos(stream.tokensCutAt);
    throw new ConfigError(`${file}:${pos.line}:${pos.col}: the configuration is too large to read (pgconn-lint's limit of ${MAX_YAML_TOKENS.toLocaleString('en-US')} YAML tokens)`);
  }
  if (stream.documentsCutAt !== undefined) {
    const pos = lc.linePos(stream.documentsCutAt);
    throw new ConfigError(`${file}:${pos.line}:${pos.col}: the configuration must be a single document`);
  }
  let root: Node | null = doc?.contents ?? null;
  // package.json: the configuration is the value of its "pgconn-lint" key (positions stay the file's).
  if (basename(file) === 'package.json') {
    root = isMap(root) ? ((root.get(PACKAGE_JSON_KEY, true) as Node | undefined) ?? null) : null;
  }
  if (root === null) {
    return { file, preset: 'recommended', rules: defaultRuleConfig(options.rules, 'recommended'), ignorePatterns: [], settings: defaultSettings(dirname(file)) };
  }
  if (!isMap(root)) fail(loc, root, 'the configuration must be an object');

  let preset: 'recommended' | 'strict' = 'recommended';
  const presetNode = root.get('preset', true) as Node | undefined;
  if (presetNode !== undefined) {
    const v = isScalar(presetNode) ? presetNode.value : undefined;
    if (v !== 'recommended' && v !== 'strict') fail(loc, presetNode, 'preset must be "recommended" or "strict"');
    preset = v;
  }
  const rules = defaultRuleConfig(options.rules, preset);
  const settings = defaultSettings(dirname(file));
  const ignorePatterns: string[] = [];
  let maxFileSize: number | undefined;
  const byId = new Map(options.rules.map((r) => [r.meta.id, r]));

  // Every mistake at once: each top-level key (and each rule entry) is read on its own, and the
  // errors are reported together.
  const errors: string[] = [];
  const collect = (read: () => void) => {
    try {
      read();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      errors.push(err.message);
    }
  };
  for (const pair of root.items) collect(() => {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const value = pair.value as Node | null;
    switch (key) {
      case '$schema':
      case 'preset':
        break;
      case 'rules': {
        if (!isMap(value)) fail(loc, pair, '"rules" must be an object of rule id → severity');
        for (const rp of value.items) collect(() => {
          const id = String(isScalar(rp.key) ? rp.key.value : rp.key);
          const rule = byId.get(id);
          if (!rule) {
            const guess = closestName(id, byId.keys());
            fail(loc, rp, `unknown rule "${id}"${guess ? ` (did you mean "${guess}"?)` : ''}`);
          }
          const entry = rules[id]!;
          const rv = rp.value as Node | null;
          if (isSeq(rv)) {
            entry.severity = severityOf(loc, rv.items[0] as Node, id);
            entry.explicitSeverity = true;
            const opts = rv.items[1] as Node | undefined;
            if (opts !== undefined) {
              if (!isMap(opts)) fail(loc, opts, `rule "${id}": options must be an object`);
              for (const op of opts.items) {
                const name = String(isScalar(op.key) ? op.key.value : op.key);
                const schema = rule.meta.options[name];
                if (!schema) {
                  const names = Object.keys(rule.meta.options);
                  fail(loc, op, `rule "${id}" has no option "${name}"${names.length ? `; its options: ${names.join(', ')}` : ' (it takes no options)'}`);
                }
                const ov = isScalar(op.value) ? op.value.value : undefined;
                const okType =
                  schema.type === 'boolean' ? typeof ov === 'boolean' :
                  schema.type === 'string' ? typeof ov === 'string' :
                  schema.type === 'integer' ? typeof ov === 'number' && Number.isInteger(ov) :
                  typeof ov === 'number';
                if (!okType) fail(loc, op, `rule "${id}": option "${name}" must be ${schema.type === 'integer' ? 'an integer' : `a ${schema.type}`}`);
                if (schema.minimum !== undefined && (ov as number) < schema.minimum) fail(loc, op, `rule "${id}": option "${name}" must be at least ${schema.minimum}`);
                entry.options[name] = ov as number | string | boolean;
              }
            }
          } else {
            entry.severity = severityOf(loc, rv, id);
            entry.explicitSeverity = true;
          }
        });
        break;
      }
      case 'ignorePatterns': {
        if (!isSeq(value) || !value.items.every((i) => isScalar(i) && typeof i.value === 'string')) fail(loc, pair, '"ignorePatterns" must be a list of strings');
        for (const i of value.items) ignorePatterns.push(String((i as { value: string }).value));
        break;
      }
      case 'codePaths': {
        if (!isMap(value)) fail(loc, pair, '"codePaths" must be an object');
        for (const cp of value.items) {
          const k = String(isScalar(cp.key) ? cp.key.value : cp.key);
          if (k !== 'nonProduction') unknownKey(loc, cp, k, CODE_PATHS_KEYS, '"codePaths"');
          const list = cp.value as Node | null;
          if (!isSeq(list) || !list.items.every((i) => isScalar(i) && typeof i.value === 'string' && i.value.trim() !== '' && i.value.trim() !== '!')) {
            fail(loc, cp, '"codePaths.nonProduction" must be a list of gitignore-style patterns (strings; "!pattern" takes a path back, "!**" drops every default)');
          }
          // Relative to the config file's directory, as ignorePatterns are.
          settings.codePaths = { nonProduction: list.items.map((i) => String((i as { value: string }).value).trim()), base: dirname(file) };
        }
        break;
      }
      case 'maxFileSize': {
        const v = isScalar(value) ? value.value : undefined;
        const n = typeof v === 'number' ? v : typeof v === 'string' ? parseByteSize(v) : undefined;
        if (n === undefined || n <= 0) fail(loc, pair, '"maxFileSize" must be a size such as "16MB" or a number of bytes');
        maxFileSize = n;
        break;
      }
      case 'database': {
        if (!isMap(value)) fail(loc, pair, '"database" must be an object');
        for (const dp of value.items) {
          const k = String(isScalar(dp.key) ? dp.key.value : dp.key);
          const dv = isScalar(dp.value) ? dp.value.value : undefined;
          if (k === 'version') {
            const major = typeof dv === 'string' || typeof dv === 'number' ? parsePgMajor(dv) : undefined;
            if (major === undefined) fail(loc, dp, `database.version must be a PostgreSQL major version from ${PG_MAJORS[0]} to ${PG_MAJORS[PG_MAJORS.length - 1]}`);
            settings.database.version = major;
            settings.database.versionFromConfig = true;
          } else if (k === 'memory') {
            const n = typeof dv === 'number' ? dv : typeof dv === 'string' ? parseByteSize(dv) : undefined;
            if (n === undefined || n <= 0) fail(loc, dp, 'database.memory must be a size such as "16GB"');
            settings.database.memoryBytes = n;
            settings.database.memoryText = String(dv);
          } else unknownKey(loc, dp, k, DATABASE_KEYS, '"database"');
        }
        break;
      }
      case 'pgbouncer': {
        if (!isMap(value)) fail(loc, pair, '"pgbouncer" must be an object');
        for (const bp of value.items) {
          const k = String(isScalar(bp.key) ? bp.key.value : bp.key);
          const bv = isScalar(bp.value) ? bp.value.value : undefined;
          if (k === 'version') {
            // 1.25 as a number is 1.25; 1.20 is the number 1.2, and the version must be quoted.
            const lost = versionLosesDigits(bp.value, 'pgbouncer.version');
            if (lost !== undefined) fail(loc, bp.value as Node, lost);
            const v = typeof bv === 'string' || typeof bv === 'number' ? parsePgbouncerVersion(String(bv)) : undefined;
            if (v === undefined) fail(loc, bp, `pgbouncer.version must be a PgBouncer version from ${PGBOUNCER_VERSIONS[0]} to ${PGBOUNCER_VERSIONS[PGBOUNCER_VERSIONS.length - 1]}`);
            settings.pgbouncer.version = v;
            settings.pgbouncer.versionFromConfig = true;
          } else unknownKey(loc, bp, k, PGBOUNCER_KEYS, '"pgbouncer"');
        }
        break;
      }
      case 'deployment':
        settings.deployment = readDeploymentSection(value, { file, lc, fail: (node, message) => fail(loc, node, message) });
        break;
      default:
        unknownKey(loc, pair, key, TOP_KEYS, 'the configuration');
    }
  });
  if (errors.length === 1) throw new ConfigError(errors[0]!);
  if (errors.length > 1) throw new ConfigErrors(errors);
  const out: ResolvedConfig = { file, preset, rules, ignorePatterns, settings };
  if (maxFileSize !== undefined) out.maxFileSize = maxFileSize;
  return out;
}

/** Applies `--rule id:severity` overrides (CLI beats the file). */
export function applyRuleOverrides(config: ResolvedConfig, overrides: string[], rules: readonly Rule[]): void {
  const ids = rules.map((r) => r.meta.id);
  for (const o of overrides) {
    // ESLint's name for the rule (pgconn/<id>) is accepted too.
    const m = /^(?:pgconn\/)?([a-z0-9-]+):(off|warn|error|0|1|2)$/.exec(o.trim());
    if (!m) throw new UsageError(`--rule expects id:off|warn|error, got "${o}"`);
    const id = m[1]!;
    const entry = config.rules[id];
    if (!entry) {
      const guess = closestName(id, ids);
      throw new UsageError(`--rule: unknown rule "${id}"${guess ? ` (did you mean "${guess}"?)` : ''}`);
    }
    const sev = m[2]!;
    entry.severity = sev === '0' || sev === 'off' ? 'off' : sev === '1' || sev === 'warn' ? 'warn' : 'error';
    entry.explicitSeverity = true;
  }
}
