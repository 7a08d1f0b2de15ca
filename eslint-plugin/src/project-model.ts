import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ALL_RULES } from '../../rules/index.js';
import { findConfigFile, loadConfig } from '../../src/engine/config.js';
import { OTHER_LANGUAGE_INPUTS, type Rule } from '../../src/engine/rule.js';
import { discover, findRepoRoot } from '../../src/discovery/discover.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../src/core/read-text.js';
import { buildProjectFacts, type BuildOptions } from '../../src/facts/build.js';
import { FactsCache, type CacheSettings, type CacheStats } from '../../src/facts/cache.js';
import { limitCandidates } from '../../src/engine/lint.js';
import type { ProjectFacts } from '../../src/model/project.js';
import type ts from '../../src/sources/js/typescript.cjs';
import type { JsFileFacts } from '../../src/sources/js/types.js';
import { factsForFile, repoRootOf, type FileFacts } from './file-facts.js';

/**
 * The repository's facts, as a CLI run in ESLint's working directory reads them (configs,
 * manifests, .env files, every pool): built once per ESLint process and directory, rebuilt
 * when a config/manifest file (or a file defining a pool) changes on disk. Rules that judge
 * code against the deployment (pool budgets, pooler modes) cannot run without them.
 */
export function needsProjectModel(rule: Rule): boolean {
  // Python, Spring and Rails are other services' code, never context for a JS file: a file rule
  // that also reads them (missing-connection-timeout: HikariCP; pool-in-handler: Python routes)
  // judges this file on its own.
  return rule.meta.scope === 'project' || rule.meta.inputs.some((k) => k !== 'js' && !OTHER_LANGUAGE_INPUTS.has(k));
}

interface CachedProject {
  facts: ProjectFacts;
  /** mtime (or -1 when absent) of every file whose change must rebuild the facts. */
  stamps: Map<string, number>;
  /** When the stamps were last compared with the disk (`performance.now()`). */
  checkedAt: number;
}

/**
 * The staleness check stats every stamp: about 1,200 files and directories in a real monorepo
 * (medusajs/medusa), 15 ms per check on this 2-core machine, more than ESLint's own parse of the
 * file. It runs at most once per `intervalMs` per project (and once per lint of a file): a
 * config, manifest or pool file changed on disk is seen by the first lint after that (issue 11:
 * "at most once per lint run or per N ms"). Tests set 0 to check at every lint.
 */
export const staleness = { intervalMs: 1000 };

const projects = new Map<string, CachedProject>();
/** How many times the repository's facts were built (tests read it to prove the cache). */
export const projectBuilds = { count: 0 };
/** What the persistent cache did in the last build (tests read it). */
export const lastCacheStats: { stats?: CacheStats } = {};
/** How many staleness checks ran (tests read it: one per lint of a file, not one per rule). */
export const staleChecks = { count: 0 };

/** The directory a CLI run would scan: ESLint's working directory when the file is in it, else the file's repository. */
export function scanDirFor(file: string, cwd: string): string {
  const rel = relative(resolve(cwd), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? resolve(cwd) : repoRootOf(file);
}

/** Lints (ESLint's SourceCode objects) whose project was already checked for staleness, and the project then. */
const checkedRuns = new WeakMap<object, CachedProject | undefined>();

/** The merged facts of the last lint of each file's text: every rule on it gets the same object. */
const merged = new WeakMap<FileFacts, { project: CachedProject; facts: ProjectFacts }>();

/**
 * The facts of a CLI run in the directory, as the editor sees them: when the file's text is
 * the one read from disk, the run's own facts (exact parity with the CLI); otherwise those
 * facts with this file's code facts rebuilt from the text (the file and what it imports).
 */
export function projectFactsFor(file: string, text: string, cwd: string, run?: object, tree?: ts.SourceFile): ProjectFacts {
  const dir = scanDirFor(file, cwd);
  let cached = projects.get(dir);
  // The staleness check stats every config, manifest and pool file: once per lint of a file (`run` is
  // ESLint's SourceCode of this lint, shared by every rule), not once per rule (issue 11).
  const now = performance.now();
  const checked = cached !== undefined && ((run !== undefined && checkedRuns.get(run) === cached) || now - cached.checkedAt < staleness.intervalMs);
  if (cached === undefined || (!checked && isStale(cached))) {
    cached = buildProject(dir);
    projects.set(dir, cached);
  } else if (!checked) cached.checkedAt = now;
  if (run !== undefined) checkedRuns.set(run, cached);
  const onDisk = cached.facts.sources.get(file);
  if (onDisk !== undefined && onDisk.text === text) return cached.facts;
  const fileFacts = factsForFile(file, text, tree);
  const hit = merged.get(fileFacts);
  if (hit && hit.project === cached) return hit.facts;
  const own = fileFacts.js.filter((f) => f.file === file);
  // The editor's text replaces the file's on disk: rules write their fixes and suggestions against it.
  const sources = new Map(cached.facts.sources).set(file, { file, kind: 'js', text });
  const facts: ProjectFacts = { ...cached.facts, js: [...cached.facts.js.filter((f) => f.file !== file), ...own], sources };
  merged.set(fileFacts, { project: cached, facts });
  // The model (src/model/project-model.ts) is built once per facts object (eslint-plugin/src/rule.ts).
  // An edit that leaves the file's facts as they were (most keystrokes: a comment, a log line, code
  // that opens no connection) keeps the last model: the model reads the facts, never the text.
  const last = lastMerged.get(file);
  if (last !== undefined && last.project === cached && sameFacts(last.own, own)) modelKeys.set(facts, modelKeyOf(last.facts));
  lastMerged.delete(file);
  lastMerged.set(file, { project: cached, own, facts });
  if (lastMerged.size > LAST_MERGED_SIZE) lastMerged.delete(lastMerged.keys().next().value!);
  return facts;
}

/** Facts that differ from others only in the editor's text, and the facts whose model they share. */
const modelKeys = new WeakMap<ProjectFacts, ProjectFacts>();

/** The facts whose model these facts use (eslint-plugin/src/rule.ts builds one model per key). */
export function modelKeyOf(facts: ProjectFacts): ProjectFacts {
  return modelKeys.get(facts) ?? facts;
}

/** Per file (the last few edited): its own facts and the merged facts built from them. */
const lastMerged = new Map<string, { project: CachedProject; own: JsFileFacts[]; facts: ProjectFacts }>();
const LAST_MERGED_SIZE = 16;

/** Structural equality of facts (plain data: objects, arrays, Maps, Sets, primitives; facts hold no cycles). */
export function sameFacts(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameFacts(a[i], bb[i])) return false;
    return true;
  }
  if (a instanceof Map) {
    const bb = b as Map<unknown, unknown>;
    if (a.size !== bb.size) return false;
    for (const [k, v] of a) if (!bb.has(k) || !sameFacts(v, bb.get(k))) return false;
    return true;
  }
  if (a instanceof Set) {
    const bb = b as Set<unknown>;
    if (a.size !== bb.size) return false;
    for (const v of a) if (!bb.has(v)) return false;
    return true;
  }
  // Anything but plain data (a class instance, a syntax node) is equal only to itself.
  const proto = Object.getPrototypeOf(a) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !sameFacts((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

function mtimeOf(path: string): number {
  try {
    // No exception for a missing file: a stamp may be an absent config (`-1`), checked at every check.
    return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  } catch {
    return -1;
  }
}

function isStale(p: CachedProject): boolean {
  staleChecks.count++;
  for (const [path, mtime] of p.stamps) if (mtimeOf(path) !== mtime) return true;
  return false;
}

function buildProject(dir: string): CachedProject {
  projectBuilds.count++;
  let ignorePatterns: string[] = [];
  let maxFileBytes: number | undefined;
  let configDir: string | undefined;
  try {
    const config = loadConfig({ cwd: dir, rules: ALL_RULES });
    ignorePatterns = config.ignorePatterns;
    if (config.file) configDir = dirname(config.file);
    maxFileBytes = config.maxFileSize;
  } catch {
    // A config the CLI refuses: scan with the defaults (the CLI reports the mistake).
  }
  const options: BuildOptions = maxFileBytes !== undefined ? { maxFileBytes } : {};
  const cache = persistentCache(dir);
  // Opened before discovery, as the CLI does (src/engine/lint.ts): the cache file also holds the
  // walk, reused when no directory walked changed (issue 11: the walk was ~1 s of a first lint at 10k).
  const factsCache = cache ? new FactsCache(cache, findRepoRoot(resolve(dir)), maxFileBytes ?? DEFAULT_MAX_FILE_BYTES) : undefined;
  // The config file's ignorePatterns are relative to its directory, as in the CLI (src/engine/lint.ts).
  const discovery = discover({ cwd: dir, paths: [], ignorePatterns: [], configIgnore: { base: configDir ?? dir, patterns: ignorePatterns } }, factsCache?.walkCache());
  limitCandidates(discovery);
  if (cache && factsCache) {
    options.cache = cache;
    options.factsCache = factsCache;
    options.cacheStats = (stats) => (lastCacheStats.stats = stats);
  }
  const facts = buildProjectFacts(discovery, options);
  const stamps = new Map<string, number>();
  for (const c of discovery.candidates) if (c.kind !== 'js') stamps.set(c.path, mtimeOf(c.path));
  // Included files (a pgbouncer.ini's auth_file, postgresql.conf includes) and pools in other files count too.
  for (const [path, s] of facts.sources) if (s.kind !== 'js') stamps.set(path, mtimeOf(path));
  for (const f of facts.js) if (f.pools.length > 0) stamps.set(f.file, mtimeOf(f.file));
  // A new config or manifest beside the known ones (or a config file at the top) changes its directory's mtime.
  for (const path of [...stamps.keys()]) stamps.set(dirname(path), mtimeOf(dirname(path)));
  stamps.set(dir, mtimeOf(dir));
  const configFile = findConfigFile(dir);
  if (configFile !== null) stamps.set(configFile, mtimeOf(configFile));
  return { facts, stamps, checkedAt: performance.now() };
}

/**
 * The facts cache across ESLint processes (an editor restart, each `eslint` run): the CLI's
 * (src/facts/cache.ts, docs/cache.md), in `node_modules/.cache/pgconn-lint/` of the scanned
 * directory, where build tools keep theirs (find-cache-dir's convention), when that node_modules
 * exists. PGCONN_LINT_NO_CACHE=1 turns it off. Its notes (a corrupt file, replaced) are not
 * printed: an ESLint plugin does not write to the terminal.
 */
export function persistentCache(dir: string): CacheSettings | undefined {
  if (process.env.PGCONN_LINT_NO_CACHE) return undefined;
  const modules = join(dir, 'node_modules');
  try {
    if (!statSync(modules).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  return { file: join(modules, '.cache', 'pgconn-lint', 'facts.json'), strategy: 'metadata' };
}
