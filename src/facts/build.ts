import { basename, dirname, join, resolve } from 'node:path';
import { resolved } from '../core/paths.js';
import type { InputProblem } from '../core/diagnostic.js';
import { DEFAULT_MAX_FILE_BYTES, type TextFile } from '../core/read-text.js';
import type { DirListing, FileAccess } from '../core/file-access.js';
import { listedEntry, type DiscoveryResult } from '../discovery/discover.js';
import { loadPostgresqlConfig } from '../sources/postgresql-conf/load.js';
import { isPgbouncerIni } from '../sources/pgbouncer-ini/parse.js';
import { loadPgbouncerConfig } from '../sources/pgbouncer-ini/load.js';
import type { ProjectFacts, SourceKind, SourceText } from '../model/project.js';
import { analyzeJsFilesInParts, nothingAt, poolsByFile, readSourceBytes, sourceDigest, type JsAnalysis, type ScratchBuffer } from '../sources/js/project.js';
import { findConnectionLeaks, findPoolTransactions } from '../sources/js/lifecycle/index.js';
import { findRequestScopes } from '../sources/js/scopes/index.js';
import { findConnectionLiterals, mayHoldConnectionLiteral } from '../sources/js/credentials.js';
import { parseJsFile } from '../sources/js/parse.js';
import { findSessionStateStatements } from '../sources/js/session-state/index.js';
import type { JsFileFacts, JsModuleContext } from '../sources/js/types.js';
import { extractUwsgiIni, isUwsgiIni } from '../sources/python/uwsgi.js';
import type { ProcessConfigFile } from '../sources/app/types.js';
import { analyzePythonFiles, type PythonFacts, type PythonSource } from '../sources/python/index.js';
import { loadEnvFiles } from '../sources/env/files.js';
import { dotenvValues, parseDotenv } from '../sources/env/parse.js';
import { loadPrismaSchema } from '../sources/prisma/schema.js';
import { loadPrismaConfig } from '../sources/prisma/config.js';
import { classifyYamlFile, isComposeName, extractCompose, extractKubernetes, extractPm2, extractServerless } from '../sources/yaml/index.js';
import type { PgConfig } from '../sources/postgresql-conf/types.js';
import { parseDockerfile } from '../sources/dockerfile/parse.js';
import type { DockerfileFacts } from '../sources/dockerfile/types.js';
import type { PackageFacts } from '../model/project.js';
import { gitTrackedFiles } from '../discovery/git-tracked.js';
import { isPlatformFileName, platformFile, type PlatformFileFacts } from '../sources/platform/names.js';
import { parseAppJsonFormation, parseProcfile, type ProcfileFacts } from '../sources/platform/procfile.js';
import { extractNextConfig, NEXT_CONFIG, type NextConfigFacts } from '../sources/platform/next-config.js';
import { FactsCache, type CacheSettings, type CacheStats } from './cache.js';
import { buildAppFacts } from './app.js';
import { collectGarbage, heapUsed } from '../core/gc.js';

/**
 * How far the heap may grow, the next part's trees included, past what the last collection left
 * live, before the dropped syntax trees are collected: 32 MiB, or ¾ of the live heap when that is
 * more (each collection costs in proportion to what is live). On the bench trees: 10,000 files,
 * 4 collections and a peak of ~145 MB; 50,000 files, 8 collections and ~230 MB (with 32 MiB alone:
 * 16 collections, +0.4 s; with the whole live heap: 5 and 265 MB).
 */
const GC_HEADROOM = 32 * 1024 * 1024;
/**
 * Bytes of TypeScript syntax tree per character of source, its parents and node order included:
 * 25.3 on the files the 10,000-file bench tree parses, 24.5 on the 50,000-file tree's, since the
 * cut parser no longer gives nodes the checker's fields (36 before; docs/decisions.md D65). An
 * overestimate collects before parts that would fit: at 40, 11 full collections at 50,000 files
 * against 7.
 */
const TREE_BYTES_PER_CHAR = 28;

export interface BuildOptions {
  maxFileBytes?: number;
  /** The facts cache (`--cache`, src/facts/cache.ts): code facts of unchanged files are taken from it. */
  cache?: CacheSettings;
  /** The facts cache already opened (the CLI opens it before discovery, for the walk cache); else opened here from `cache`. */
  factsCache?: FactsCache;
  /** Filled with what the cache did, when `cache` is given. */
  cacheStats?: (stats: CacheStats) => void;
  /** The caller saves the cache (and reports its stats) itself, after adding the report. */
  deferSave?: boolean;
}

/**
 * Reads every candidate once and runs the extractors: files → facts. Every read goes through
 * `discovery.access`: nothing outside the repository, in `.git` or special is opened (docs/security.md).
 */
export function buildProjectFacts(discovery: DiscoveryResult, options: BuildOptions = {}): ProjectFacts {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const access = discovery.access;
  const sources = new Map<string, SourceText>();
  const problems: InputProblem[] = [...discovery.notes];
  const cache = new Map<string, TextFile>();

  const reader = (kind: SourceKind) => (path: string): TextFile => {
    let t = cache.get(path);
    if (!t) {
      t = access.readText(path, maxBytes);
      cache.set(path, t);
    }
    if (t.ok && !sources.has(path)) sources.set(path, { file: path, kind, text: t.text });
    return t;
  };

  // PostgreSQL: every postgresql.conf-like file is a root, unless another root reads it
  // (an include, or the postgresql.auto.conf that PostgreSQL reads after postgresql.conf).
  const pgCandidates = discovery.candidates.filter((c) => c.kind === 'postgresql-conf');
  const pgPaths = new Set(pgCandidates.map((c) => c.path));
  const pgRoots = pgCandidates.filter((c) => {
    if (basename(c.path) === 'postgresql.auto.conf' && !c.explicit) {
      const main = join(dirname(c.path), 'postgresql.conf');
      return !pgPaths.has(main) && !access.exists(main);
    }
    return true;
  });
  const postgresql = pgRoots.map((c) => softenUnreadIncludes(loadPostgresqlConfig(c.path, { readFile: reader('postgresql-conf'), listDir: (d) => access.listDir(d) }), access));
  const pgConfigs = keepRoots(postgresql, (cfg) => pgRoots.find((c) => c.path === cfg.mainFile)?.explicit ?? false);

  // PgBouncer: files named like it, and any .ini with a [pgbouncer] section; an .ini with a [uwsgi]
  // section is a uWSGI configuration (its process model).
  const bouncerRoots: string[] = [];
  const uwsgiConfigs: ProcessConfigFile[] = [];
  for (const c of discovery.candidates) {
    if (c.kind === 'pgbouncer-ini') bouncerRoots.push(c.path);
    else if (c.kind === 'maybe-ini') {
      const t = access.readText(c.path, maxBytes);
      if (t.ok && isPgbouncerIni(t.text, c.path)) {
        cache.set(c.path, t);
        bouncerRoots.push(c.path);
      } else if (t.ok && isUwsgiIni(t.text)) {
        const u = extractUwsgiIni(t.text, c.path);
        uwsgiConfigs.push(u);
        problems.push(...u.problems);
      } else if (!t.ok && c.explicit) {
        problems.push(t.problem);
      }
    }
  }
  const refusal = (p: string) => {
    const a = access.check(p);
    return a.ok ? undefined : a.reason;
  };
  const bouncers = bouncerRoots.map((p) => loadPgbouncerConfig(p, { repoRoot: discovery.root, readFile: reader('pgbouncer-ini'), refusal }));
  const pgbouncer = keepRoots(bouncers, (b) => discovery.candidates.find((c) => c.path === b.mainFile)?.explicit ?? false);
  for (const b of pgbouncer) {
    if (b.authFile) {
      const s = sources.get(b.authFile.path);
      if (s) s.kind = 'pgbouncer-userlist';
    }
  }

  const factsCache = options.factsCache ?? (options.cache ? new FactsCache(options.cache, discovery.root, maxBytes) : undefined);
  const js = buildJsFacts(discovery, maxBytes, sources, problems, factsCache);
  // Saved now unless the caller saves it (src/engine/lint.ts: the report goes in it too).
  if (factsCache && !options.deferSave) {
    factsCache.save();
    options.cacheStats?.(factsCache.stats);
  }
  const python = buildPythonFacts(discovery, maxBytes, sources, problems);
  const skippedInputs: ProjectFacts['skippedInputs'] = [];
  // Python, Spring Boot, Rails (src/facts/app.ts); YAML candidates that are not theirs are deployment files.
  const { app, notMine } = buildAppFacts(discovery, reader, problems);
  const config = buildConfigFacts(discovery, reader, problems, skippedInputs, notMine);
  const packages = discovery.packageJsons.map((p) => packageFacts(p, access));
  const dockerfiles: DockerfileFacts[] = [];
  for (const c of discovery.candidates) {
    if (c.kind !== 'dockerfile') continue;
    const t = reader('dockerfile')(c.path);
    if (!t.ok) {
      problems.push(t.problem);
      continue;
    }
    const d = parseDockerfile(t.text, c.path);
    dockerfiles.push(d);
    problems.push(...d.problems);
  }
  // A compose service's `build.args` set the Dockerfile's ARGs: the same file read with those values
  // (its problems are the file's, reported once above).
  const variants = new Set<string>();
  for (const compose of config.compose) {
    for (const svc of compose.services) {
      const b = svc.build;
      if (!b?.args) continue;
      const path = resolve(b.resolvedContext, b.dockerfile?.value ?? 'Dockerfile');
      const key = `${path}\0${JSON.stringify(Object.entries(b.args).sort())}`;
      if (variants.has(key) || !dockerfiles.some((d) => d.file === path)) continue;
      variants.add(key);
      const t = reader('dockerfile')(path);
      if (t.ok) dockerfiles.push(parseDockerfile(t.text, path, b.args));
    }
  }
  // How code runs (issue 15): platform config files by name, and next.config `output`.
  const platforms: PlatformFileFacts[] = [];
  const nextConfigs: NextConfigFacts[] = [];
  const procfiles: ProcfileFacts[] = [];
  for (const c of discovery.candidates) {
    const name = basename(c.path);
    const p = isPlatformFileName(name) ? platformFile(c.path) : undefined;
    if (p) platforms.push(p);
    if (name === 'Procfile') {
      const t = reader('procfile')(c.path);
      if (!t.ok) continue;
      const proc = parseProcfile(t.text, c.path);
      // app.json beside it: the dyno formation (quantity, size) of each process type.
      const appJson = join(dirname(c.path), 'app.json');
      if (access.isFile(appJson)) {
        const a = reader('procfile')(appJson);
        if (a.ok) proc.appJson = { file: appJson, formation: parseAppJsonFormation(a.text, appJson, problems) };
      }
      procfiles.push(proc);
    }
    if (c.kind === 'js' && NEXT_CONFIG.test(name)) {
      const t = reader('js')(c.path);
      if (t.ok) nextConfigs.push(extractNextConfig(t.text, c.path));
    }
  }
  app.pools.push(...python.pools);
  app.processConfigs.push(...python.processConfigs, ...uwsgiConfigs);
  app.roots.push(...python.roots);
  // Git is asked only about the files a finding can be in: every file read, and every input found
  // but code (code files a finding can be in were read).
  const asked = new Set<string>(sources.keys());
  for (const c of discovery.candidates) if (c.kind !== 'js' && c.kind !== 'python') asked.add(c.path);
  for (const p of discovery.packageJsons) asked.add(p);
  const git = factsCache?.trackedFiles(discovery.root, asked) ?? gitTrackedFiles(discovery.root, asked);
  const facts: ProjectFacts = { root: discovery.root, postgresql: pgConfigs, pgbouncer, js, python: python.files, app, sources, problems, packages, dockerfiles, platforms, nextConfigs, procfiles, git, skippedInputs, ...config };
  return facts;
}

/**
 * Code: the pre-filter decides which files are parsed at all; only the texts of parsed
 * modules are kept (for suppressions and frames), never the whole tree's.
 */
function buildJsFacts(discovery: DiscoveryResult, maxBytes: number, sources: Map<string, SourceText>, problems: InputProblem[], cache?: FactsCache): JsFileFacts[] {
  const paths = discovery.candidates.filter((c) => c.kind === 'js').map((c) => c.path);
  if (paths.length === 0) return [];
  const explicit = new Set(discovery.candidates.filter((c) => c.kind === 'js' && c.explicit).map((c) => c.path));
  // The code files the walk found as regular files: read without an `fstat` (readSourceBytes).
  const walked = new Set<string>();
  for (const c of discovery.candidates) if (c.kind === 'js' && !c.explicit) walked.add(c.path);
  // A bundle or generated file over the size limit is not application code to lint: skip it quietly
  // unless it was named on the command line.
  const access = discovery.access;
  const scratch: ScratchBuffer = { buf: Buffer.alloc(0) };
  const readFile = (p: string) => {
    // Not recorded for the report cache: the facts cache keeps what each of these reads gave.
    const a = access.checkUnrecorded(p);
    return a.ok ? readSourceBytes(p, maxBytes, !explicit.has(p), scratch, walked.has(p)) : { ok: false as const, path: p, problem: access.problemFor(p, a.reason) };
  };
  // What `readFile` gives for a path with nothing there (no entry, the access allowed) is
  // `missingFile`: the analysis's probes take this way (AnalyzeJsOptions.missing).
  // A probed name (package.json, tsconfig.json) in a directory the walk listed is answered from
  // its listing, without a `stat` and an `access` (discover.ts `listedEntry`).
  const missing = (p: string): boolean => {
    const listed = listedEntry(discovery.listed, p);
    if (listed !== undefined) return !listed && access.checkAbsent(p).ok;
    return nothingAt(p) && access.checkUnrecorded(p).ok;
  };
  // With the cache: unchanged files keep their pre-filter verdict unread; the analysis is reused
  // whole when nothing it depends on changed (src/facts/cache.ts), else run again on the verdicts.
  if (cache !== undefined) {
    cache.prefilter(paths, explicit, readFile);
    const cached = cache.analysis(new Set(paths), readFile);
    if (cached !== undefined) {
      for (const p of cached.problems) problems.push(p);
      for (const m of cached.modules) if (!sources.has(m.file)) sources.set(m.file, { file: m.file, kind: 'js', text: m.text });
      const facts = [...cached.facts];
      connectionLiteralFacts(paths, new Set(cached.modules.map((m) => m.file)), readFile, sources, facts, cache);
      return facts;
    }
  }
  // Part by part: each part's facts are extracted, then its syntax trees dropped (no tree lives to the end).
  // The pre-filter's reads also say which files cannot hold a connection string, so
  // `connectionLiteralFacts` does not read them again.
  const withoutLiteral = new Set<string>();
  let facts: JsFileFacts[] = [];
  let modules: Array<{ file: string; text: string }> = [];
  const root = discovery.root;
  // Dead trees are collected before a part, when the previous parts' trees are unreachable and
  // this part's not yet built, if building them would take the heap past GC_HEADROOM
  // (src/core/gc.ts), not when V8 gets to it.
  let liveAfterGc = heapUsed();
  const analysis = analyzeJsFilesInParts(
    paths,
    {
      repoRoot: discovery.root,
      readFile,
      missing,
      onFilterRead: (f, content) => {
        if (!mayHoldConnectionLiteral(content)) withoutLiteral.add(f);
      },
      ...(cache ? { prefiltered: (p: string) => cache.verdict(p), recordReads: true } : {}),
    },
    // Each module's facts and text are read while its tree is alive (a settled importer's as soon
    // as it is extracted: src/sources/js/project.ts `settleEarly`).
    (m, pools) => ({ facts: fileFactsOf(m, pools, root), text: m.sourceFile.text }),
    (part) => {
      for (let i = 0; i < part.files.length; i++) {
        const f = part.facts[i]!;
        facts.push(f.facts);
        modules.push({ file: part.files[i]!, text: f.text });
      }
    },
    () => {
      facts = [];
      modules = [];
    },
    (chars) => {
      if (heapUsed() + chars * TREE_BYTES_PER_CHAR - liveAfterGc > Math.max(GC_HEADROOM, liveAfterGc * 0.75)) {
        collectGarbage();
        liveAfterGc = heapUsed();
      }
    },
  );
  // The last parts' trees too, before the model and the rules allocate on top of them (~5 MB of
  // peak RSS on the 10,000-file bench tree, one collection).
  if (heapUsed() - liveAfterGc > GC_HEADROOM / 4) collectGarbage();
  for (const p of analysis.problems) problems.push(p);
  for (const m of modules) if (!sources.has(m.file)) sources.set(m.file, { file: m.file, kind: 'js', text: m.text });
  cache?.storeAnalysis(facts, analysis.problems, modules, analysis.reads);
  connectionLiteralFacts(paths, new Set(modules.map((m) => m.file)), readFile, sources, facts, cache, withoutLiteral);
  return facts;
}


/**
 * Files the code analysis did not parse may still hold a connection string with a password (a
 * constants module, a config object): parsed for that alone when their text mentions one. Not
 * cached (src/facts/cache.ts caches the analysis and never a password): it runs on every run, on
 * the files not analysed, except those the pre-filter or the cache knows cannot hold one (the same
 * cheap test, run when the file was last read).
 */
function connectionLiteralFacts(paths: readonly string[], analysed: ReadonlySet<string>, readFile: (p: string) => ReturnType<typeof readSourceBytes>, sources: Map<string, SourceText>, facts: JsFileFacts[], cache?: FactsCache, withoutLiteral?: ReadonlySet<string>): void {
  for (const p of paths) {
    const file = resolved(p);
    if (analysed.has(file) || withoutLiteral?.has(file)) continue;
    if (cache?.mayHoldLiteral(p) === false) continue;
    const f = readFile(p);
    if (!f.ok) continue;
    const bytes = 'bytes' in f ? f.bytes : undefined;
    if (!mayHoldConnectionLiteral(bytes ?? ('text' in f ? f.text : ''))) continue;
    const text = bytes !== undefined ? bytes.toString('utf8') : 'text' in f ? f.text : '';
    const parsed = parseJsFile(text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text, file);
    const rangeOf = (n: Parameters<Parameters<typeof findConnectionLiterals>[1]>[0]) => {
      const sf = parsed.sourceFile;
      const a = sf.getLineAndCharacterOfPosition(n.getStart(sf));
      const b = sf.getLineAndCharacterOfPosition(n.end);
      return { file, line: a.line + 1, column: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1 };
    };
    const literals = findConnectionLiterals(parsed.sourceFile, rangeOf);
    if (literals.length === 0) continue;
    if (!sources.has(file)) sources.set(file, { file, kind: 'js', text: parsed.sourceFile.text });
    facts.push({ file, pools: [], leaks: [], poolTransactions: [], requestScopes: [], problems: [], connectionLiterals: literals });
  }
}

/**
 * Python: the pre-filter reads each file's bytes; only files that mention a PostgreSQL library,
 * Django's DATABASES or a settings class (and the repository modules they import) are parsed, in
 * one worker (src/sources/tree-sitter/parse.ts). A tree without such a file never loads the parser.
 */
function buildPythonFacts(discovery: DiscoveryResult, maxBytes: number, sources: Map<string, SourceText>, problems: InputProblem[]): PythonFacts {
  const candidates = discovery.candidates.filter((c) => c.kind === 'python');
  const empty: PythonFacts = { files: [], pools: [], processConfigs: [], roots: [], texts: new Map(), problems: [], notParsed: [] };
  if (candidates.length === 0) return empty;
  const access = discovery.access;
  const inputs: PythonSource[] = [];
  for (const c of candidates) {
    const a = access.check(c.path);
    if (!a.ok) {
      problems.push(access.problemFor(c.path, a.reason));
      continue;
    }
    const r = readSourceBytes(c.path, maxBytes, !c.explicit);
    access.record(['s', c.path, sourceDigest(r), maxBytes]);
    if (!r.ok) {
      if (c.explicit) problems.push(r.problem);
      continue;
    }
    const bytes = 'bytes' in r ? r.bytes : Buffer.from(r.text, 'utf8');
    inputs.push({ path: c.path, bytes, explicit: c.explicit });
  }
  const appDirs = new Map<string, string>();
  const appDirOf = (file: string): string => {
    const start = dirname(file);
    let dir = start;
    for (let guard = 0; guard < 64; guard++) {
      const known = appDirs.get(dir);
      if (known !== undefined) return known;
      if (PYTHON_APP_MARKERS.some((m) => access.isFile(join(dir, m)))) break;
      if (dir === discovery.root || dirname(dir) === dir) {
        dir = start;
        break;
      }
      dir = dirname(dir);
    }
    appDirs.set(start, dir);
    return dir;
  };
  const facts = analyzePythonFiles(inputs, { root: discovery.root, appDirOf });
  for (const [file, text] of facts.texts) if (!sources.has(file)) sources.set(file, { file, kind: 'python', text });
  problems.push(...facts.problems);
  return facts;
}

/** Files at the root of a Python application (a Django project's manage.py, a package's pyproject.toml …). */
const PYTHON_APP_MARKERS = ['manage.py', 'pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', 'Pipfile', 'poetry.lock', 'uv.lock'];

/** The facts of every analysed module (the CLI and the ESLint plugin both build them here). */
export function jsFileFacts(analysis: Pick<JsAnalysis, 'modules' | 'pools'>, root: string): JsFileFacts[] {
  const byFile = poolsByFile(analysis.pools);
  return analysis.modules.map((m) => fileFactsOf(m, byFile.get(m.file) ?? [], root));
}

/** One analysed module's facts, with the pools constructed in it. */
export function fileFactsOf(m: JsModuleContext, pools: JsFileFacts['pools'], root: string): JsFileFacts {
  return {
    file: m.file,
    pools,
    leaks: findConnectionLeaks(m),
    poolTransactions: findPoolTransactions(m),
    requestScopes: findRequestScopes(m, { root }),
    sessionState: findSessionStateStatements(m),
    connectionLiterals: findConnectionLiterals(m.sourceFile, (n) => m.rangeOf(n)),
    problems: [],
  };
}

/**
 * A file another configuration reads (an include) is not a configuration of its own, unless it
 * was named on the command line. Largest configurations are kept first, so two files that include
 * each other still leave one root.
 */
function keepRoots<T extends { mainFile: string; files: string[] }>(all: T[], explicit: (c: T) => boolean): T[] {
  const kept: T[] = [];
  const bySize = [...all].sort((a, b) => new Set(b.files).size - new Set(a.files).size);
  for (const c of bySize) {
    if (explicit(c) || !kept.some((k) => k.files.includes(c.mainFile))) kept.push(c);
  }
  return all.filter((c) => kept.includes(c));
}

const UNREAD_NOTE = 'pgconn-lint reads nothing outside the repository (docs/security.md), so the settings of this file are unknown to it; PostgreSQL itself refuses to start if the file is missing on the server.';

/**
 * An include that may not be read — outside the repository (`include = '/etc/postgresql/logging.conf'`
 * exists only on the server), through a link that leaves it, or in `.git` — is a note that its settings
 * are unknown, not an error (docs/decisions.md D9); its content is never read.
 */
function softenUnreadIncludes(cfg: PgConfig, access: FileAccess): PgConfig {
  for (const inc of cfg.includes) {
    if (access.check(inc.resolved).ok) continue;
    for (const p of cfg.problems) {
      if (p.range.file === inc.file && p.range.line === inc.range.line && p.message.includes(inc.resolved)) {
        p.severity = 'warning';
        p.help = UNREAD_NOTE;
      }
    }
  }
  return cfg;
}

/** A folder's entries that may be read (discovery has already said why the others are not). */
function allowedEntries(dir: string, access: FileAccess): DirListing {
  const l = access.listDir(dir);
  return l.ok ? { ok: true, entries: l.entries.filter((e) => access.check(join(dir, e.name)).ok) } : l;
}

/** A package.json's directory, name and scripts (a broken one still marks a package). */
function packageFacts(path: string, access: FileAccess): PackageFacts {
  const dir = dirname(path);
  const t = access.readText(path);
  if (!t.ok) return { dir, scripts: [], dependencies: [] };
  const out: PackageFacts = { dir, scripts: [], dependencies: [] };
  try {
    const pkg = JSON.parse(t.text) as Record<string, unknown>;
    if (typeof pkg.name === 'string') out.name = pkg.name;
    if (pkg.scripts !== null && typeof pkg.scripts === 'object' && !Array.isArray(pkg.scripts)) {
      for (const [name, command] of Object.entries(pkg.scripts as Record<string, unknown>)) if (typeof command === 'string') out.scripts.push({ name, command });
    }
    // `prisma db seed` runs package.json "prisma": { "seed": "…" } (Prisma 5/6; prisma.config.ts in 7).
    const seed = pkg.prisma !== null && typeof pkg.prisma === 'object' ? (pkg.prisma as { seed?: unknown }).seed : undefined;
    if (typeof seed === 'string') out.scripts.push({ name: 'prisma.seed', command: seed });
    const deps = new Set<string>();
    for (const key of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
      const d = pkg[key];
      if (d !== null && typeof d === 'object' && !Array.isArray(d)) for (const n of Object.keys(d)) deps.add(n);
    }
    out.dependencies = [...deps];
    const runtime = new Set<string>();
    for (const key of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      const d = pkg[key];
      if (d !== null && typeof d === 'object' && !Array.isArray(d)) for (const n of Object.keys(d)) runtime.add(n);
    }
    const devOnly = out.dependencies.filter((n) => !runtime.has(n));
    if (devOnly.length > 0) out.devOnly = devOnly;
    // npm-packlist: `files` is the whitelist; main and bin are always included (docs.npmjs.com, package.json "files").
    if (pkg.private !== true && Array.isArray(pkg.files) && pkg.files.every((f) => typeof f === 'string')) {
      const bin = typeof pkg.bin === 'string' ? [pkg.bin] : pkg.bin !== null && typeof pkg.bin === 'object' ? Object.values(pkg.bin as Record<string, unknown>).filter((b): b is string => typeof b === 'string') : [];
      out.published = [...(pkg.files as string[]), ...(typeof pkg.main === 'string' ? [pkg.main] : []), ...bin];
    }
  } catch {
    /* not JSON: still a package */
  }
  return out;
}

type ConfigFacts = Pick<ProjectFacts, 'envFiles' | 'composeEnvFiles' | 'prismaSchemas' | 'prismaConfigs' | 'compose' | 'kubernetes' | 'pm2' | 'serverless'>;

/** .env files, Prisma schemas and configs, compose/Kubernetes/PM2/serverless files. */
function buildConfigFacts(discovery: DiscoveryResult, reader: (kind: SourceKind) => (path: string) => TextFile, problems: InputProblem[], skippedInputs: ProjectFacts['skippedInputs'], moreDeploymentFiles: readonly string[] = []): ConfigFacts {
  const access = discovery.access;
  const of = (kind: string) => discovery.candidates.filter((c) => c.kind === kind).map((c) => c.path);
  const envFiles = loadEnvFiles(of('env'), reader('env'));
  for (const f of envFiles) problems.push(...f.problems);

  // A folder of *.prisma files is one schema (multi-file schemas: the `prismaSchemaFolder` preview of
  // Prisma 5.15+, whose folder is `prisma/schema`, searched recursively; GA in 6.7, where the folder is
  // named by --schema, package.json or prisma.config.ts — docs "Schema location", multi-file Prisma
  // schema). Sibling files that each declare a datasource are separate schemas
  // (`schema.prisma` beside `schema.sqlite.prisma`): one schema may hold only one datasource.
  const schemaFiles = of('prisma-schema');
  const declaresDatasource = (file: string): boolean => {
    const t = reader('prisma')(file);
    return t.ok && /^[ \t]*datasource[ \t]+\w+[ \t]*\{/m.test(t.text);
  };
  const folderOf = (file: string): string | undefined => {
    const dir = dirname(file);
    if (basename(dir) === 'schema') return dir;
    for (let d = dirname(dir); d.length > discovery.root.length && d !== dirname(d); d = dirname(d)) {
      if (basename(d) === 'schema' && basename(dirname(d)) === 'prisma') return d;
    }
    const siblings = schemaFiles.filter((q) => dirname(q) === dir);
    return siblings.length > 1 && siblings.filter(declaresDatasource).length <= 1 ? dir : undefined;
  };
  const schemaPaths = new Set<string>();
  for (const p of schemaFiles) schemaPaths.add(folderOf(p) ?? p);
  // (loadPrismaSchema stats the path itself: a file, or a folder of *.prisma files; recorded here.)
  for (const path of schemaPaths) access.probeKind(path);
  const prismaSchemas = [...schemaPaths].map((path) => ({ path, ...loadPrismaSchema(path, reader('prisma'), (d) => allowedEntries(d, access)) }));
  for (const s of prismaSchemas) problems.push(...s.problems);
  const prismaConfigs = of('prisma-config').map((p) => loadPrismaConfig(p, reader('js')));
  for (const c of prismaConfigs) problems.push(...c.problems);

  const out: Pick<ConfigFacts, 'compose' | 'kubernetes' | 'pm2' | 'serverless'> = { compose: [], kubernetes: [], pm2: [], serverless: [] };
  for (const path of [...of('deployment'), ...moreDeploymentFiles]) {
    const t = reader('yaml')(path);
    if (!t.ok) {
      problems.push(t.problem);
      continue;
    }
    const kind = classifyYamlFile(path, t.text);
    if (kind === 'compose') {
      const facts = extractCompose(t.text, path, composeEnvironment(dirname(path), reader('env'), access));
      // A file only guessed to be compose (by its `services:` key) that is not a valid one is not ours:
      // skipped, said under --verbose, never a failing run.
      if (!isComposeName(path) && facts.problems.some((p) => (p.severity ?? 'error') === 'error')) {
        skippedInputs.push({ path, reason: `looks like a compose file (top-level services) but is not a valid one (${facts.problems[0]!.message}): not read as one` });
        continue;
      }
      out.compose.push(facts);
      problems.push(...facts.problems);
    } else if (kind === 'kubernetes') {
      const facts = extractKubernetes(t.text, path);
      out.kubernetes.push(facts);
      problems.push(...facts.problems);
    } else if (kind === 'pm2') {
      const facts = extractPm2(t.text, path);
      out.pm2.push(facts);
      problems.push(...facts.problems);
    } else if (kind === 'serverless') {
      const facts = extractServerless(t.text, path);
      out.serverless.push(facts);
      problems.push(...facts.problems);
    } else {
      skippedInputs.push({ path, reason: kind === 'helm-values' ? 'Helm values (input of a chart, not a manifest): not used' : 'not a compose, Kubernetes, PM2 or serverless file: not used' });
    }
  }
  // A compose env_file with another name (`db.env`) is read when a service names it.
  const known = new Set(envFiles.map((f) => f.file));
  const named = new Set(out.compose.flatMap((c) => c.services.flatMap((s) => s.envFiles.map((r) => r.resolvedPath))).filter((p): p is string => p !== undefined && !known.has(p)));
  const composeEnvFiles = loadEnvFiles([...named].filter((p) => access.exists(p)), reader('env'));
  for (const f of composeEnvFiles) for (const p of f.problems) problems.push(p);
  return { envFiles, composeEnvFiles, prismaSchemas, prismaConfigs, ...out };
}

/** Compose reads `.env` beside the compose file for ${VAR} interpolation. */
function composeEnvironment(dir: string, read: (path: string) => TextFile, access: FileAccess): Map<string, string> {
  const env = new Map<string, string>();
  const p = join(dir, '.env');
  if (!access.exists(p)) return env;
  const t = read(p);
  if (!t.ok) return env;
  for (const [key, entry] of dotenvValues(parseDotenv(t.text, p).entries)) env.set(key, entry.value);
  return env;
}
