import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve, sep } from 'node:path';
import ts from './typescript.cjs';
import type { InputProblem } from '../../core/diagnostic.js';
import { missingFile, readFully, readTextFile, type TextFile } from '../../core/read-text.js';
import type { ExtractContext } from './libraries/common.js';
import { JsModule, trace, type ModuleHost, type Trace } from './module.js';
import { parseJsFile, type ParsedJsFile } from './parse.js';
import { parseTsconfigText } from './tsconfig.js';
import { applyUsage, applyUsageFacts, ModuleExtractor, rereadConstruction, usageOf, type UsageFact } from './pools.js';
import { callerNames, CallerIndex } from './callers.js';
import { collectImportSpecifiers, importsUnlessDatabase, specifierBasename } from './prefilter.js';
import type { JsModuleContext, PoolDefinition } from './types.js';
import { isFunctionLike, returnExpressions } from './walk.js';
import { createsPoolWhenCalled } from './scopes/indirect.js';
import { youngGenerationCheckpoint } from '../../core/gc.js';
import { resolved, resolvedFrom } from '../../core/paths.js';

export interface AnalyzeJsOptions {
  repoRoot: string;
  /**
   * Reads a file as text, or as UTF-8 bytes (`readSourceBytes`): the pre-filter reads bytes, so
   * the files it rejects are never decoded.
   */
  readFile: (p: string) => SourceBytes;
  /**
   * The pre-filter's verdict on a file, when it is already known (the facts cache, src/facts/cache.ts):
   * the file is then not read by the pre-filter (a database file is still read and parsed).
   */
  prefiltered?: (path: string) => PrefilterVerdict | undefined;
  /** Record, per file read beyond the pre-filter (parsed modules, tsconfig.json, package.json), a digest of what was read. */
  recordReads?: boolean;
  /**
   * Called with each file the pre-filter of `analyzeJsFilesInParts` read and what it read, so a
   * caller with another test to run on every code file (connection strings, src/facts/build.ts)
   * does not read the tree a second time.
   */
  onFilterRead?: (path: string, content: Buffer | string) => void;
  /**
   * Parses a file's text (default `parseJsFile`). The ESLint plugin passes the tree ESLint's parser
   * already built for the linted file and keeps the trees of unchanged imported files between lints.
   */
  parse?: (path: string, text: string) => ParsedJsFile;
  /**
   * True only when `readFile(path)` would give `missingFile(path)` (read-text.ts): nothing there.
   * The analysis asks it before each of its probes, a package.json or tsconfig.json in every
   * directory above an analysed file, most of which do not exist: a `stat` is then the whole cost,
   * instead of a failed open with its exception and the reader's own `stat`s (~23 µs a probe; ~1,500
   * probes on the 10,000-file bench tree, ~5,900 at 50,000). The probe is recorded as the read
   * would have been. Without it, every probe is read.
   */
  missing?: (path: string) => boolean;
}

/** The pre-filter's verdict: a database file (parsed), or the specifiers a file imports (parsed only if one names a pool's module). */
export type PrefilterVerdict = 'database' | readonly string[];

/** A code file's bytes when they are plain UTF-8 text, else its text (what `readTextFile` made of it). */
export type SourceBytes = { ok: true; path: string; bytes: Buffer } | TextFile;

export interface JsAnalysis {
  /** Every parsed module: those that import a supported library, those that import a pool from them, and config modules read on the way. */
  modules: JsModuleContext[];
  pools: PoolDefinition[];
  problems: InputProblem[];
  stats: { filesRead: number; filesParsed: number };
  /**
   * With `recordReads`: every file the analysis read beyond the pre-filter's scan, with `sourceDigest`
   * of what it read (`null` when one file was read twice with different contents).
   */
  reads?: Map<string, string | null>;
}

const EXTERNAL = Symbol('external');
/** Extensions tried for an extension-less specifier, in TypeScript's order (moduleResolution bundler/node16). */
const RESOLVE_EXTS = ['.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.jsx', '.mjs', '.cjs'];
/** Each extension of RESOLVE_EXTS as a bit, in their order (`firstExt` finds the first by the lowest bit). */
const EXT_BIT = new Map(RESOLVE_EXTS.map((e, i) => [e, 1 << i] as const));
const TS_BIT = EXT_BIT.get('.ts')!;
const D_TS_BIT = EXT_BIT.get('.d.ts')!;
/** The first extension of RESOLVE_EXTS in a non-empty bit set. */
function firstExt(bits: number): string {
  return RESOLVE_EXTS[31 - Math.clz32(bits & -bits)]!;
}
/** `./db.js` in TypeScript ESM names `./db.ts` (TypeScript's NodeNext rule). */
const JS_TO_TS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };
/** Dependencies that mean "this package talks to PostgreSQL" when an ORM's dialect comes from the environment. */
const POSTGRES_DRIVERS = ['pg', 'postgres', 'pg-native', 'pg-promise', '@neondatabase/serverless', '@vercel/postgres', '@mikro-orm/postgresql', '@prisma/adapter-pg'];

interface PathAlias {
  prefix: string;
  suffix: string;
  wildcard: boolean;
  targets: string[];
}

class JsProject implements ModuleHost, ExtractContext {
  readonly known = new Set<string>();
  readonly modules = new Map<string, JsModule>();
  private readonly failed = new Set<string>();
  private readonly extractors = new Map<JsModule, ModuleExtractor>();
  /** `resolvePath`'s answers by directory and specifier (`EXTERNAL` for undefined: not a repository file). */
  private readonly resolveCache = new Map<string, Map<string, string | null | typeof EXTERNAL>>();
  private readonly pkgCache = new Map<string, boolean>();
  private aliases: PathAlias[] = [];
  readonly pools: PoolDefinition[] = [];
  readonly problems: InputProblem[] = [];
  readonly stats = { filesRead: 0, filesParsed: 0 };
  readonly reads: Map<string, string | null> | undefined;
  /** What the last `readForFilter` read (for `record`). */
  private lastRead: SourceBytes | undefined;

  constructor(
    readonly repoRoot: string,
    private readonly readFile: (p: string) => SourceBytes,
    recordReads: boolean,
    private readonly parse: (path: string, text: string) => ParsedJsFile = (path, text) => parseJsFile(text, path),
    private readonly missing?: (path: string) => boolean,
  ) {
    this.reads = recordReads ? new Map() : undefined;
  }

  /** Notes what was read of `path` (a file read twice with different contents is marked, and never cached). */
  record(path: string, read: SourceBytes | undefined): void {
    if (this.reads === undefined || read === undefined) return;
    const d = sourceDigest(read);
    const seen = this.reads.get(path);
    this.reads.set(path, seen === undefined || seen === d ? d : null);
  }

  read(path: string): string | undefined {
    const r = this.readForFilter(path);
    this.record(path, this.lastRead);
    return r === undefined ? undefined : 'bytes' in r ? analysedText(r.bytes) : r.text;
  }

  /** The file for the pre-filter: its bytes when the reader gives them (undecoded), else its text. */
  readForFilter(path: string): { bytes: Buffer } | { text: string } | undefined {
    this.stats.filesRead++;
    const f = this.readFile(path);
    this.lastRead = this.reads ? f : undefined;
    if (!f.ok) {
      this.problems.push(f.problem);
      return undefined;
    }
    if ('bytes' in f) return { bytes: f.bytes };
    this.problems.push(...f.problems);
    return { text: bomAsSpace(f.text) };
  }

  /** A configuration file (tsconfig.json, package.json) as text. */
  private readText(path: string): TextFile {
    const f = this.readFile(path);
    this.record(path, f);
    return decodeSource(f);
  }

  /** `readText` for a file that is likely not there (a package.json or tsconfig.json looked for): `missing` first. */
  private probe(path: string): TextFile {
    if (this.missing?.(path) !== true) return this.readText(path);
    const f = missingFile(path);
    this.record(path, f);
    return f;
  }

  /** What the last `readForFilter` read, when reads are recorded. */
  lastReadFile(): SourceBytes | undefined {
    return this.lastRead;
  }

  /** In a part of the analysis (`analyzeJsFilesInParts`): the files it may load; a load outside it sets `escaped`. */
  part: ReadonlySet<string> | undefined;
  escaped = false;

  /** Drops the part's modules (their syntax trees with them): the next part starts with none. */
  releaseModules(): void {
    this.modules.clear();
    this.extractors.clear();
    this.sites.clear();
    this.settled.clear();
    this.loadOrder.length = 0;
  }

  /** What a part changes of the project beyond its modules, to analyse it again (`restore`). */
  checkpoint(): { pools: number; problems: number; stats: { filesRead: number; filesParsed: number }; failed: Set<string> } {
    return { pools: this.pools.length, problems: this.problems.length, stats: { ...this.stats }, failed: new Set(this.failed) };
  }

  restore(c: ReturnType<JsProject['checkpoint']>): void {
    this.releaseModules();
    this.pools.length = c.pools;
    this.problems.length = c.problems;
    Object.assign(this.stats, c.stats);
    for (const f of [...this.failed]) if (!c.failed.has(f)) this.failed.delete(f);
    this.mustRedo = false;
  }

  // ---- modules settled early (analyzeJsFilesInParts) --------------------------
  //
  // A part's importers are most of its trees (D53: each database file's 45–49 importers on the
  // bench tree), and they lived until the part ended, promoted by every scavenge on the way. An
  // importer that nothing alive is likely to read again (`settleEarly`) is settled as soon as it is
  // extracted: `settle` (the caller's per-file facts) and its usage facts are read from its tree, then
  // the module is dropped, so its tree dies young. That gives the part's result only if nothing later
  // in the part would have read the tree; when something might have, the part is analysed again
  // without settling (`mustRedo`):
  // - a module loaded while settling (what settling read would then depend on when it ran), or a
  //   settled file asked for again (it would be parsed a second time), or a settled module's
  //   extractor asked for (a pool it would construct);
  // - a pool of the part sized by its callers whose function a settled module's text names
  //   (`resolveByCallers` reads the calls of the modules that name it, callers.ts `droppedMentions`).

  /** The caller's facts of a module, read before its tree is dropped (set by `analyzeJsFilesInParts`). */
  settle: ((m: JsModuleContext) => unknown) | undefined;
  /** The part's settled modules: what `settle` gave and their usage facts, by file. */
  readonly settled = new Map<string, { value: unknown; usage: UsageFact[]; text: string }>();
  /** The files of the part's modules, in the order they were loaded (settled ones included). */
  readonly loadOrder: string[] = [];
  private settling = false;
  /** Something read a settled tree, or might have: the part must be analysed again without settling. */
  mustRedo = false;

  /** The files that import each file, by the pre-filter's specifiers (`settleEarly`). */
  readonly importedBy = new Map<string, string[]>();
  /** Where the part's pools start in `pools`. */
  partPools = 0;

  /**
   * Settles a module (see above) when nothing is likely to ask for its tree again, so that the part
   * is seldom analysed twice: it constructs no pool; every file that imports it is settled (a module
   * alive may trace into it until the part ends); every local module it imports (`specifiers`) is
   * loaded and alive (reading its facts would otherwise load one, or a settled one again); and its
   * text names no function around a pool of the part sized by its callers (`callerNames`: where
   * `resolveByCallers` looks first). The caller knows it exports no connection.
   */
  settleEarly(m: JsModule, specifiers: readonly string[]): void {
    if (this.settle === undefined || this.hasDefinitions(m)) return;
    for (const f of this.importedBy.get(m.file) ?? []) if (!this.settled.has(f)) return;
    for (const s of specifiers) {
      const target = this.resolvePath(m.file, s);
      if (typeof target === 'string' && !this.modules.has(target)) return;
    }
    for (let i = this.partPools; i < this.pools.length; i++) {
      const def = this.pools[i]!;
      if (!this.needsCallers(def)) continue;
      for (const name of callerNames(this.sites.get(def)!.node)) if (m.sourceFile.text.includes(name)) return;
    }
    this.settling = true;
    try {
      const usage = usageOf(m);
      this.settled.set(m.file, { value: this.settle(m), usage, text: m.sourceFile.text });
    } finally {
      this.settling = false;
    }
    this.modules.delete(m.file);
    this.extractors.delete(m);
  }

  /** Usage facts (`applyUsageFacts`) of the part's modules in load order: the settled ones' as read, the others' now. */
  applyPartUsage(alive: readonly JsModule[]): void {
    if (this.settled.size === 0) return applyUsageFacts(alive);
    const byFile = new Map(alive.map((m) => [m.file, m]));
    for (const f of this.loadOrder) {
      const s = this.settled.get(f);
      if (s !== undefined) applyUsage(s.usage);
      else {
        const m = byFile.get(f);
        if (m !== undefined) applyUsage(usageOf(m));
      }
    }
  }

  /** Parses a file into a module (once). `text` when the caller has already read it. */
  load(path: string, text?: string): JsModule | undefined {
    const existing = this.modules.get(path);
    if (existing !== undefined) return existing;
    if (this.failed.has(path)) return undefined;
    if (this.part !== undefined && !this.part.has(path)) this.escaped = true;
    if (this.settling || this.settled.has(path)) this.mustRedo = true;
    youngGenerationCheckpoint();
    const t = text ?? this.read(path);
    if (t === undefined) {
      this.failed.add(path);
      return undefined;
    }
    const parsed = this.parse(path, t);
    this.stats.filesParsed++;
    this.problems.push(...parsed.problems);
    const m = new JsModule(path, parsed.sourceFile, this);
    this.modules.set(path, m);
    this.loadOrder.push(path);
    return m;
  }

  // ---- module resolution ----------------------------------------------------

  readTsconfigPaths(): void {
    const file = join(this.repoRoot, 'tsconfig.json');
    const f = this.probe(file);
    if (!f.ok) return;
    const parsed = parseTsconfigText(file, f.text);
    if (parsed.problem) this.problems.push(parsed.problem);
    const co = (parsed.config as { compilerOptions?: { baseUrl?: unknown; paths?: unknown } } | undefined)?.compilerOptions;
    if (co === undefined || typeof co.paths !== 'object' || co.paths === null) return;
    const base = resolve(this.repoRoot, typeof co.baseUrl === 'string' ? co.baseUrl : '.');
    for (const [pattern, targets] of Object.entries(co.paths as Record<string, unknown>)) {
      if (!Array.isArray(targets)) continue;
      const star = pattern.indexOf('*');
      this.aliases.push({
        prefix: star === -1 ? pattern : pattern.slice(0, star),
        suffix: star === -1 ? '' : pattern.slice(star + 1),
        wildcard: star !== -1,
        targets: targets.filter((t): t is string => typeof t === 'string').map((t) => resolve(base, t)),
      });
    }
    // longest prefix first, as TypeScript does
    this.aliases.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  private baseUrls = new Map<string, string | null>();

  /** The baseUrl (absolute) of the nearest tsconfig.json at or above dir, inside the repository; its `extends` is not followed. */
  private baseUrlOf(dir: string): string | undefined {
    const cached = this.baseUrls.get(dir);
    if (cached !== undefined) return cached ?? undefined;
    let out: string | null = null;
    const inRepo = dir === this.repoRoot || dir.startsWith(this.repoRoot.endsWith(sep) ? this.repoRoot : this.repoRoot + sep);
    const file = join(dir, 'tsconfig.json');
    const f = inRepo ? this.probe(file) : undefined;
    if (f?.ok) {
      const co = (parseTsconfigText(file, f.text).config as { compilerOptions?: { baseUrl?: unknown } } | undefined)?.compilerOptions;
      out = typeof co?.baseUrl === 'string' ? resolve(dir, co.baseUrl) : null;
    } else if (inRepo && dir !== this.repoRoot && dirname(dir) !== dir) out = this.baseUrlOf(dirname(dir)) ?? null;
    this.baseUrls.set(dir, out);
    return out ?? undefined;
  }

  private aliasTargets(spec: string): string[] | undefined {
    for (const a of this.aliases) {
      if (!a.wildcard) {
        if (spec === a.prefix) return a.targets;
        continue;
      }
      if (spec.startsWith(a.prefix) && spec.endsWith(a.suffix) && spec.length >= a.prefix.length + a.suffix.length) {
        const captured = spec.slice(a.prefix.length, spec.length - a.suffix.length);
        return a.targets.map((t) => t.replace('*', captured));
      }
    }
    return undefined;
  }

  /** Is this specifier one that could name a file of the repository (relative, absolute, a tsconfig alias or a workspace package)? */
  isLocalSpecifier(spec: string): boolean {
    return spec.startsWith('.') || isAbsolute(spec) || this.aliasTargets(spec) !== undefined || this.workspacePackageOf(spec) !== undefined;
  }

  // ---- workspace packages (npm/yarn `workspaces`, pnpm-workspace.yaml) --------

  private workspaceIndex: Map<string, { dir: string; pkg: Record<string, unknown> }> | null | undefined;

  /**
   * The repository's own packages by `name`, when the root declares workspaces (package.json
   * `workspaces`, or a pnpm-workspace.yaml): the package.json of every directory above an analysed
   * file. A monorepo's `import { pool } from '@acme/db'` then resolves to the package's source.
   */
  /** Does the repository declare workspace packages (their specifiers resolve across packages)? */
  hasWorkspaces(): boolean {
    return this.workspacePackages() !== null;
  }

  private workspacePackages(): Map<string, { dir: string; pkg: Record<string, unknown> }> | null {
    if (this.workspaceIndex !== undefined) return this.workspaceIndex;
    this.workspaceIndex = null;
    const root = this.repoRoot;
    const rootPkg = this.readJson(join(root, 'package.json'));
    const declared = rootPkg !== undefined && rootPkg.workspaces !== undefined;
    if (!declared && !this.probe(join(root, 'pnpm-workspace.yaml')).ok) return null;
    const dirs = new Set<string>();
    for (const f of this.known) {
      for (let d = dirname(f); d !== root && (d + sep).startsWith(root + sep) && !dirs.has(d) && dirs.size < MAX_WORKSPACE_DIRS; d = dirname(d)) dirs.add(d);
    }
    const index = new Map<string, { dir: string; pkg: Record<string, unknown> }>();
    for (const d of [...dirs].sort()) {
      if (/[/\\]node_modules(?:[/\\]|$)/.test(d)) continue;
      const pkg = this.readJson(join(d, 'package.json'));
      if (pkg !== undefined && typeof pkg.name === 'string' && !index.has(pkg.name)) index.set(pkg.name, { dir: d, pkg });
    }
    this.workspaceIndex = index;
    return index;
  }

  private readJson(path: string): Record<string, unknown> | undefined {
    const f = this.probe(path);
    if (!f.ok) return undefined;
    try {
      const v = JSON.parse(f.text) as unknown;
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  isWorkspaceSpecifier(spec: string): boolean {
    return this.workspacePackageOf(spec) !== undefined;
  }

  /** `@acme/db` or `@acme/db/schema` → the workspace package and the subpath. */
  private workspacePackageOf(spec: string): { dir: string; pkg: Record<string, unknown>; subpath: string } | undefined {
    if (spec.startsWith('.') || isAbsolute(spec) || spec.startsWith('node:')) return undefined;
    // The index is built once (on the first call) and depends on the specifier alone: the answer too.
    const idx = this.workspacePackages();
    if (idx === null) return undefined;
    const memo = this.workspaceOfSpec.get(spec);
    if (memo !== undefined) return memo ?? undefined;
    const parts = spec.split('/');
    const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    const hit = idx.get(name);
    const out = hit === undefined ? undefined : { ...hit, subpath: spec.slice(name.length + 1) };
    this.workspaceOfSpec.set(spec, out ?? null);
    return out;
  }

  /** `workspacePackageOf` by specifier (null: not a workspace package). */
  private readonly workspaceOfSpec = new Map<string, { dir: string; pkg: Record<string, unknown>; subpath: string } | null>();
  /** A workspace specifier's entry (`workspaceEntry`), by specifier: it depends on neither the importing file nor its directory. */
  private readonly workspaceEntryOfSpec = new Map<string, string | null>();

  /**
   * A workspace package's entry for a subpath, in its source: `exports` (conditions in any order),
   * else `main`/`module`/`types`, and, when those name build output (`dist/index.js`) that is not
   * among the analysed files, the same path under `src/` (how TypeScript monorepos lay it out).
   */
  private workspaceEntry(ws: { dir: string; pkg: Record<string, unknown>; subpath: string }): string | undefined {
    const targets: string[] = [];
    const collect = (v: unknown): void => {
      if (typeof v === 'string') targets.push(v);
      else if (typeof v === 'object' && v !== null && !Array.isArray(v)) for (const x of Object.values(v)) collect(x);
    };
    const key = ws.subpath === '' ? '.' : `./${ws.subpath}`;
    const exp = ws.pkg.exports;
    if (typeof exp === 'string' && key === '.') targets.push(exp);
    else if (typeof exp === 'object' && exp !== null && !Array.isArray(exp)) {
      const e = exp as Record<string, unknown>;
      if (Object.keys(e).some((k) => k.startsWith('.'))) collect(e[key]);
      else if (key === '.') collect(e);
    }
    if (ws.subpath === '') for (const f of ['main', 'module', 'types', 'typings']) if (typeof ws.pkg[f] === 'string') targets.push(ws.pkg[f] as string);
    else targets.push(ws.subpath, `src/${ws.subpath}`);
    targets.push(ws.subpath === '' ? 'src/index' : `src/${ws.subpath}`, ws.subpath === '' ? 'index' : ws.subpath);
    for (const t of targets) {
      const p = resolve(ws.dir, t);
      if (!(p + sep).startsWith(ws.dir + sep)) continue;
      const r = this.resolveFile(p) ?? this.resolveFile(p.replace(/\.d\.[cm]?ts$/, '').replace(/([/\\])(?:dist|build|lib|out)([/\\])/, '$1src$2'));
      if (r !== undefined) return r;
    }
    return undefined;
  }

  /**
   * The analysed files by stem, for `resolveFile`: each file under its path without each extension
   * it ends with (`a/x.d.ts` under `a/x.d` for `.ts` and `a/x` for `.d.ts`), with those extensions.
   * `base + ext` is an analysed file exactly when `ext` is among `base`'s, so a specifier is
   * resolved with one lookup instead of building up to 27 candidate paths (issue 11: garbage).
   */
  private stems: Map<string, number> | undefined;
  private stemsOf = 0;

  /** The stem index: each stem's extensions as a bit set (`EXT_BIT`), built from each file's last extension and `.d.ts`. */
  private stemIndex(): Map<string, number> {
    if (this.stems !== undefined && this.stemsOf === this.known.size) return this.stems;
    const stems = new Map<string, number>();
    const add = (stem: string, bit: number) => stems.set(stem, (stems.get(stem) ?? 0) | bit);
    for (const f of this.known) {
      // Every extension of RESOLVE_EXTS is one dot and a name, but `.d.ts`, which ends in `.ts`.
      const dot = f.lastIndexOf('.');
      if (dot < 0) continue;
      const bit = EXT_BIT.get(f.slice(dot));
      if (bit === undefined) continue;
      add(f.slice(0, dot), bit);
      if (bit === TS_BIT && f.endsWith('.d.ts')) add(f.slice(0, -5), D_TS_BIT);
    }
    this.stems = stems;
    this.stemsOf = this.known.size;
    return stems;
  }

  private resolveFile(base: string): string | undefined {
    const ext = extname(base);
    if (RESOLVE_EXTS.includes(ext) && this.known.has(base)) return base;
    const stems = this.stemIndex();
    const swapped = JS_TO_TS[ext];
    if (swapped) {
      const stem = base.slice(0, -ext.length);
      const exts = stems.get(stem);
      if (exts !== undefined) for (const e of swapped) if ((exts & EXT_BIT.get(e)!) !== 0) return stem + e;
    }
    const exts = stems.get(base);
    if (exts !== undefined) return base + firstExt(exts);
    // `join(base, 'index' + e)` is `join(base, 'index') + e`: normalising never reaches past the last segment.
    const index = join(base, 'index');
    const indexExts = stems.get(index);
    if (indexExts !== undefined) return index + firstExt(indexExts);
    return undefined;
  }

  /** The repository file a specifier names, if it is one of the analysed files. */
  resolvePath(fromFile: string, spec: string): string | undefined | null {
    return this.resolvePathFrom(dirname(fromFile), spec);
  }

  /** `resolvePath` for a file in `dir` (the import graph asks for each specifier of a file: one `dirname`). */
  resolvePathFrom(dir: string, spec: string): string | undefined | null {
    // Cached by directory, then specifier (no key string built per call).
    let inDir = this.resolveCache.get(dir);
    if (inDir === undefined) this.resolveCache.set(dir, (inDir = new Map()));
    const cached = inDir.get(spec);
    if (cached !== undefined) return cached === EXTERNAL ? undefined : cached;
    let result: string | null | undefined;
    if (spec.startsWith('.') || isAbsolute(spec)) result = this.resolveFile(resolvedFrom(dir, spec)) ?? null;
    else {
      const targets = this.aliasTargets(spec);
      const ws = targets === undefined ? this.workspacePackageOf(spec) : undefined;
      if (ws !== undefined) {
        let entry = this.workspaceEntryOfSpec.get(spec);
        if (entry === undefined) {
          entry = this.workspaceEntry(ws) ?? null;
          this.workspaceEntryOfSpec.set(spec, entry);
        }
        result = entry;
      }
      else if (targets === undefined) {
        // TypeScript's baseUrl: a bare specifier is first looked up under the nearest tsconfig's
        // baseUrl (TypeScript handbook, Module Resolution: "Base URL"); only a file of the analysed
        // set counts, anything else stays a package.
        const base = this.baseUrlOf(dir);
        result = base !== undefined ? this.resolveFile(resolve(base, spec)) : undefined;
      }
      else {
        result = null;
        for (const t of targets) {
          const r = this.resolveFile(t);
          if (r) {
            result = r;
            break;
          }
        }
      }
    }
    inDir.set(spec, result === undefined ? EXTERNAL : result);
    return result;
  }

  resolveImport(fromFile: string, specifier: string): { kind: 'local'; module: JsModule } | { kind: 'external'; specifier: string } | { kind: 'missing' } {
    const p = this.resolvePath(fromFile, specifier);
    if (p === undefined) return { kind: 'external', specifier };
    if (p === null) return { kind: 'missing' };
    const m = this.load(p);
    return m ? { kind: 'local', module: m } : { kind: 'missing' };
  }

  // ---- @nestjs/config namespaces ---------------------------------------------

  private configNamespaces: Map<string, string[]> | undefined;

  /**
   * `registerAs('database', () => ({ … }))`: the files that register each namespace, found once per
   * run by a text scan of the repository's JS/TS files (the module that calls
   * `configService.get('database.maxConnections')` does not import the factory: ConfigModule
   * loads it), then the one registering module is parsed.
   */
  configFactory(namespace: string): { node: ts.FunctionLikeDeclaration; module: JsModule } | { reason: string } {
    if (this.configNamespaces === undefined) {
      const index = new Map<string, string[]>();
      this.configNamespaces = index;
      for (const f of [...this.known].sort()) {
        if (!/\.[cm]?[jt]sx?$/.test(f) || /[/\\]node_modules[/\\]/.test(f)) continue;
        const loaded = this.modules.get(f);
        let text: string | undefined;
        if (loaded !== undefined) text = loaded.sourceFile.text;
        else {
          const r = this.readFile(f);
          this.record(f, r);
          if (!r.ok) continue;
          text = 'bytes' in r ? analysedText(r.bytes) : r.text;
        }
        if (!text.includes('registerAs')) continue;
        for (const m of text.matchAll(/\bregisterAs\s*(?:<[^>()]*>)?\s*\(\s*(['"`])([^'"`\n]+)\1/g)) {
          const list = index.get(m[2]!) ?? [];
          if (!list.includes(f)) list.push(f);
          index.set(m[2]!, list);
        }
      }
    }
    const files = this.configNamespaces.get(namespace);
    if (files === undefined) return { reason: `no registerAs('${namespace}', …) in the repository` };
    if (files.length > 1) return { reason: `registerAs('${namespace}', …) is defined in ${files.length} files` };
    const m = this.load(files[0]!);
    if (m === undefined) return { reason: `${files[0]} cannot be read` };
    let found: { node: ts.FunctionLikeDeclaration; module: JsModule } | { reason: string } = { reason: `registerAs('${namespace}', …) is not a call of @nestjs/config's registerAs with a function` };
    const visit = (n: ts.Node): void => {
      if ('node' in found) return;
      if (ts.isCallExpression(n) && n.arguments.length >= 2) {
        const a0 = n.arguments[0]!;
        const t = trace(n.expression, m, [], 'value');
        const p = t?.kind === 'external' ? (t.path[0] === 'default' ? t.path.slice(1) : t.path) : undefined;
        if (t?.kind === 'external' && t.specifier === '@nestjs/config' && p?.length === 1 && p[0] === 'registerAs' && ts.isStringLiteralLike(a0) && a0.text === namespace) {
          const fn = trace(n.arguments[1]!, m, [], 'object');
          if (fn?.kind === 'node' && fn.path.length === 0 && isFunctionLike(fn.node)) found = { node: fn.node, module: fn.module };
          return;
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(m.sourceFile);
    return found;
  }

  // ---- definitions ----------------------------------------------------------

  private extractor(m: JsModule): ModuleExtractor {
    let x = this.extractors.get(m);
    if (x === undefined) {
      if (this.settled.has(m.file) && this.modules.get(m.file) !== m) this.mustRedo = true;
      x = new ModuleExtractor(m, this, (node, def) => {
        this.pools.push(def);
        this.sites.set(def, { node, module: m });
      });
      this.extractors.set(m, x);
    }
    return x;
  }

  /** Where each registered definition is constructed (to read it again per chain of callers). */
  private readonly sites = new Map<PoolDefinition, { node: ts.Node; module: JsModule }>();

  /** Does a pool wait for its callers (`resolveByCallers`)? */
  private needsCallers(def: PoolDefinition): boolean {
    return def.max.provenance.kind === 'unknown' && def.scope.kind === 'function' && this.sites.has(def);
  }

  /**
   * Pools sized by their callers (callers.ts): each pool of unknown size constructed inside a
   * function is read again per chain of calls that reaches it, once every module of the analysis
   * (or of the part) is loaded. Splits go right after the pool they come from.
   */
  resolveByCallers(from = 0): void {
    const index = new CallerIndex({
      modules: () => this.modules.values(),
      repoRoot: this.repoRoot,
      nodeOf: (def) => this.sites.get(def)?.node,
      reread: (def) => {
        const at = this.sites.get(def);
        return at === undefined ? undefined : rereadConstruction(at.node, at.module, this);
      },
      // Callers are looked for where a module's text names the function: a settled module that
      // does would have been read (its tree is gone), one that does not would not.
      droppedMentions: (name) => {
        for (const s of this.settled.values()) {
          if (s.text.includes(name)) {
            this.mustRedo = true;
            return true;
          }
        }
        return false;
      },
    });
    const out: PoolDefinition[] = [];
    for (const def of this.pools.slice(from)) {
      if (!this.needsCallers(def)) {
        out.push(def);
        continue;
      }
      out.push(...index.resolve(def));
    }
    if (this.mustRedo) return;
    this.pools.splice(from, this.pools.length - from, ...out);
  }

  ensureExtracted(m: JsModule): void {
    this.extractor(m).run();
  }

  definitionAt(node: ts.Node, module: JsModule): PoolDefinition | undefined {
    return this.extractor(module).definitionFor(node);
  }

  hasDefinitions(m: JsModule): boolean {
    return this.pools.some((d) => d.file === m.file);
  }

  usesPostgresDriver(file: string): boolean {
    const root = resolve(this.repoRoot);
    let dir = dirname(resolve(file));
    const visited: string[] = [];
    let answer = false;
    for (;;) {
      const cached = this.pkgCache.get(dir);
      if (cached !== undefined) {
        answer = cached;
        break;
      }
      visited.push(dir);
      const f = this.probe(join(dir, 'package.json'));
      if (f.ok && packageUsesPostgres(f.text)) {
        answer = true;
        break;
      }
      const parent = dirname(dir);
      if (parent === dir || !(dir + sep).startsWith(root + sep) || dir === root) break;
      dir = parent;
    }
    for (const d of visited) this.pkgCache.set(d, answer);
    return answer;
  }

  /** Does the module export a pool/ORM object (or a function returning one, or re-export one)? */
  exportsConnection(m: JsModule, sources: ReadonlySet<JsModule>): boolean {
    if (this.hasDefinitions(m) && m.exportNames().length > 0) return true;
    for (const name of m.exportNames()) {
      if (this.isConnectionTrace(m.traceExport(name, [], 'object'), 0)) return true;
    }
    for (const spec of m.exports().stars) {
      const r = this.resolveImport(m.file, spec);
      if (r.kind === 'local' && sources.has(r.module)) return true;
    }
    return false;
  }

  private isConnectionTrace(t: Trace | undefined, depth: number): boolean {
    if (t === undefined || depth > 3) return false;
    if (t.kind === 'external') {
      const p = t.path[0] === 'default' ? t.path.slice(1) : t.path;
      return t.specifier === '@vercel/postgres' && p.length === 1 && (p[0] === 'sql' || p[0] === 'db');
    }
    if (t.kind !== 'node' || t.path.length > 0) return false;
    if (this.definitionAt(t.node, t.module) !== undefined) return true;
    if (isFunctionLike(t.node) && returnExpressions(t.node).some((r) => this.isConnectionTrace(trace(r, t.module, [], 'object'), depth + 1))) return true;
    // A factory or class that creates a pool when called (`createDb(url)`, `new PostgresMeta(config)`):
    // its importers may call it per request (pool-in-handler follows such calls).
    if (isFunctionLike(t.node) || ts.isClassDeclaration(t.node)) return createsPoolWhenCalled(t.node, t.module);
    return false;
  }
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
/** Directories looked at for workspace packages' package.json (a bound on a huge tree). */
const MAX_WORKSPACE_DIRS = 20000;

/** `readTextFile`'s options for source code: a NUL byte in valid UTF-8 is text (JavaScript allows U+0000 in source). */
const SOURCE_TEXT = { nulIsText: true } as const;

/** Is there nothing at `path` (no entry)? False on any other answer (ENOTDIR, EACCES): the reader says what that is. */
export function nothingAt(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) === undefined;
  } catch {
    return false;
  }
}

/**
 * Reads a source file's bytes for the code analysis in one open/fstat/read, without
 * `readTextFile`'s extra `stat` (two of them per file with the size check, ~10 % of a
 * 50,000-file run), and without decoding them (the pre-filter reads bytes). A file larger
 * than `maxBytes` reads as empty when `quietIfLarge` (a bundle or generated file is not
 * application code to lint). Anything unusual (an error, not a regular file, invalid UTF-8)
 * goes through `readTextFile` itself, so its problems are exactly the same. A NUL byte in valid
 * UTF-8 is text: JavaScript allows U+0000 in source (`readTextFile`'s `nulIsText`). `walkedFile`:
 * the walk found a regular file at `path` (a code file discovered, not one named on the command
 * line), so it is read to its end into `scratch` without the `fstat`.
 */
export function readSourceBytes(path: string, maxBytes: number, quietIfLarge: boolean, scratch?: ScratchBuffer, walkedFile = false): SourceBytes {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat below keeps regular files only.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return readTextFile(path, maxBytes, SOURCE_TEXT);
  }
  let bytes: Buffer | undefined;
  try {
    if (walkedFile && scratch !== undefined) {
      // A file the walk listed as a regular file (its directory entry's type, or a link's target
      // statted): read to its end without `fstat`, whose Stats object (four Dates on Node 20) cost
      // more than reading a typical code file (~1.2 KB of garbage a file, issue 11). A directory
      // fails the read (EISDIR) and takes the reader below, which says what it is.
      const n = readToEnd(fd, maxBytes + 1, scratch);
      if (n <= maxBytes) bytes = scratch.buf.subarray(0, n);
      else if (quietIfLarge) return { ok: true, path, bytes: Buffer.alloc(0) };
    } else {
      const st = fstatSync(fd);
      if (st.isFile()) {
        if (st.size > maxBytes) {
          if (quietIfLarge) return { ok: true, path, bytes: Buffer.alloc(0) };
        } else {
          let buf: Buffer;
          if (scratch !== undefined) {
            if (scratch.buf.length < st.size) scratch.buf = Buffer.allocUnsafe(Math.max(st.size, scratch.buf.length * 2, 64 * 1024));
            buf = scratch.buf.subarray(0, st.size);
          } else buf = Buffer.allocUnsafe(st.size);
          if (readFully(fd, buf) === buf.length) bytes = buf;
        }
      }
    }
  } catch {
    bytes = undefined;
  } finally {
    closeSync(fd);
  }
  if (bytes === undefined || !isUtf8(bytes)) return readTextFile(path, maxBytes, SOURCE_TEXT);
  return { ok: true, path, bytes };
}

/**
 * One buffer every read of a run reuses (`readSourceBytes`): the bytes it returns are then valid
 * until the next read, which is how the analysis uses them (scanned, hashed or decoded at once).
 * A fresh buffer per file is freed only when V8 feels the pressure of external memory (every
 * 64 MiB), which added ~65 MB to the peak memory of a 10,000-file run (issue 11).
 */
export interface ScratchBuffer {
  buf: Buffer;
}

/** Reads the file from its start into `scratch` (grown by doubling), up to `limit` bytes or its end; the bytes read. */
function readToEnd(fd: number, limit: number, scratch: ScratchBuffer): number {
  let n = 0;
  while (n < limit) {
    if (n === scratch.buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(limit, Math.max(64 * 1024, scratch.buf.length * 2)));
      scratch.buf.copy(grown, 0, 0, n);
      scratch.buf = grown;
    }
    const r = readSync(fd, scratch.buf, n, Math.min(scratch.buf.length, limit) - n, n);
    if (r === 0) break;
    n += r;
  }
  return n;
}

/** A file as text: bytes decoded (a BOM kept, as `readTextFile` keeps it); a text as it is. */
function decodeSource(r: SourceBytes): TextFile {
  if (!('bytes' in r)) return r;
  const text = utf8.decode(r.bytes);
  return { ok: true, path: r.path, text, hasBom: text.charCodeAt(0) === 0xfeff, problems: [] };
}

/** The text the analysis parses: a BOM becomes a space, so offsets stay those of the file. */
function bomAsSpace(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
}

/** Bytes already checked as UTF-8, as the analysis's text. */
function analysedText(bytes: Buffer): string {
  return bomAsSpace(utf8.decode(bytes));
}

/**
 * A digest of what a read gave (bytes, a decoded text with its problems, or the problem of a failed
 * read): the facts cache (src/facts/cache.ts) compares it to decide that a file is unchanged.
 */
export function sourceDigest(r: SourceBytes): string {
  const h = createHash('sha256');
  if (!r.ok) return `f${h.update(JSON.stringify(r.problem)).digest('base64url')}`;
  if ('bytes' in r) return `b${h.update(r.bytes).digest('base64url')}`;
  return `t${h.update(JSON.stringify([r.text, r.problems])).digest('base64url')}`;
}

/** The text the analysis parses from a read (what `JsModule.sourceFile` was parsed from), or undefined for a failed read. */
export function analysedSourceText(r: SourceBytes): string | undefined {
  if (!r.ok) return undefined;
  return 'bytes' in r ? analysedText(r.bytes) : bomAsSpace(r.text);
}

function packageUsesPostgres(text: string): boolean {
  try {
    const pkg = JSON.parse(text) as Record<string, unknown>;
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      const deps = pkg[field];
      if (typeof deps === 'object' && deps !== null && POSTGRES_DRIVERS.some((d) => d in deps)) return true;
    }
  } catch {
    // a broken package.json says nothing
  }
  return false;
}

/**
 * Finds the pools of a repository's JS/TS files. Pass 1 parses the files that
 * import a supported library; pass 2 the files that import a module exporting a
 * pool or ORM object (by basename first, then by real resolution), repeated while
 * re-exporting modules are found. Modules reached while resolving a value (config
 * modules) are parsed on demand.
 */
export function analyzeJsFiles(paths: readonly string[], opts: AnalyzeJsOptions): JsAnalysis {
  const project = new JsProject(resolve(opts.repoRoot), opts.readFile, opts.recordReads ?? false, opts.parse, opts.missing);
  const files = paths.map(resolved);
  for (const f of files) project.known.add(f);
  project.readTsconfigPaths();

  // pass 1
  const importers = new PendingImporters(project);
  const addPending = (f: string, specs: string[]) => importers.add(f, specs);
  const pass1: JsModule[] = [];
  for (const f of files) {
    if (project.modules.has(f)) {
      pass1.push(project.modules.get(f)!);
      continue;
    }
    const known = opts.prefiltered?.(f);
    if (known !== undefined) {
      if (known === 'database') {
        const m = project.load(f);
        if (m) pass1.push(m);
      } else {
        const specs = known.filter((s) => project.isLocalSpecifier(s));
        if (specs.length > 0) addPending(f, specs);
      }
      continue;
    }
    const src = project.readForFilter(f);
    if (src === undefined) continue;
    const imports = importsUnlessDatabase('bytes' in src ? src.bytes : src.text);
    if (imports === undefined) {
      project.record(f, project.lastReadFile());
      const m = project.load(f, 'bytes' in src ? analysedText(src.bytes) : src.text);
      if (m) pass1.push(m);
    } else {
      const specs = imports.filter((s) => project.isLocalSpecifier(s));
      if (specs.length > 0) addPending(f, specs);
    }
  }

  // pass 2 (it extracts pass 1's modules first)
  importers.follow(pass1);
  project.resolveByCallers();
  const modules = [...project.modules.values()];
  applyUsageFacts(modules);
  project.pools.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.range.line - b.range.line || a.range.column - b.range.column));
  return { modules, pools: project.pools, problems: project.problems, stats: project.stats, ...(project.reads ? { reads: project.reads } : {}) };
}

/** One part of the code analysis: its modules' files in the order they were loaded, the facts `factsOf` gave for each, and the pools found in them. */
export interface JsAnalysisPart<F> {
  files: string[];
  facts: F[];
  pools: PoolDefinition[];
}

/**
 * A module's facts, read by the caller from its tree (src/facts/build.ts `fileFactsOf`), with the
 * pools constructed in it. Called once per module and part, in the order the modules were loaded:
 * for an importer that nothing alive is likely to read again, as soon as it is extracted
 * (`JsProject.settleEarly`, its tree then dropped), else once the part's passes are done.
 */
export type JsFactsOf<F> = (m: JsModuleContext, pools: PoolDefinition[]) => F;

/**
 * `analyzeJsFiles` part by part, so that no syntax tree lives to the end of the analysis (issue 11):
 * the files are split into the connected parts of their import graph (every local specifier the
 * pre-filter sees, resolved as the analysis resolves them), each part is analysed on its own with
 * the same passes, its facts read (`factsOf`: those of importers nothing alive is likely to read
 * again as soon as they are extracted, so that their trees die young, the rest at the part's end),
 * handed to `onPart`, then dropped. A
 * trace never leaves its part, since traces follow imports; should a part load a file outside it
 * (an import the pre-filter did not see), the parts are dropped and the analysis runs whole
 * (`analyzeJsFiles`), so the facts are always those of the whole analysis. `onPart` may then be
 * called again from scratch: `onRestart` says so.
 */
export function analyzeJsFilesInParts<F>(
  paths: readonly string[],
  opts: AnalyzeJsOptions,
  factsOf: JsFactsOf<F>,
  onPart: (part: JsAnalysisPart<F>) => void,
  onRestart: () => void,
  beforePart?: (chars: number) => void,
): Omit<JsAnalysis, 'modules' | 'pools'> {
  const project = new JsProject(resolve(opts.repoRoot), opts.readFile, opts.recordReads ?? false, opts.parse, opts.missing);
  const files = paths.map(resolved);
  for (const f of files) project.known.add(f);
  project.readTsconfigPaths();
  // Workspace packages (`@acme/db`) are local specifiers too: `isLocalSpecifier` and `resolvePath`
  // follow them to the package's source, so the parts below join files across packages. A part
  // whose analysis still loads a file outside it (`escaped`) restarts as the whole analysis.

  const { database, groups } = partsToAnalyse(project, files, opts);
  for (const group of groups.values()) {
    // The previous part's trees are unreachable here, and this part's not yet built.
    beforePart?.(group.chars);
    if (!analyseOnePart(project, group, database, factsOf, onPart)) break;
  }
  if (project.escaped) {
    onRestart();
    const whole = analyzeJsFiles(paths, opts);
    const byFile = poolsByFile(whole.pools);
    onPart({ files: whole.modules.map((m) => m.file), facts: whole.modules.map((m) => factsOf(m, byFile.get(m.file) ?? [])), pools: whole.pools });
    return { problems: whole.problems, stats: whole.stats, ...(whole.reads ? { reads: whole.reads } : {}) };
  }
  return { problems: project.problems, stats: project.stats, ...(project.reads ? { reads: project.reads } : {}) };
}

/**
 * The pre-filter and the parts of `analyzeJsFilesInParts`: the database files' texts and the parts
 * that hold one. A function of its own so that what the pre-filter gathers for the graph (every
 * file's local specifiers, sizes, the index of every path: ~13 MB at 50,000 files) dies with its
 * frame: set to `undefined` in the caller's, it stayed reachable from the stack (a heap snapshot
 * at the first part; most likely an interpreter register that kept the value passed on), and every
 * collection during the parts marked it (issue 11). Each phase in a function of its own too:
 * TurboFan compiled the whole function on the stack for each loop (OSR), and threw it away when
 * the next phase first ran code without feedback (at 50,000 files 2–4 compilations, 47–55 ms of
 * compile jobs; the two functions 29–32 ms).
 */
function partsToAnalyse(project: JsProject, files: readonly string[], opts: AnalyzeJsOptions): { database: Map<string, string | undefined>; groups: Map<number, PartGroup> } {
  const indexOf = new Map<string, number>();
  for (let i = 0; i < files.length; i++) if (!indexOf.has(files[i]!)) indexOf.set(files[i]!, i);
  const filtered = prefilterFiles(project, files, indexOf, opts);
  return { database: filtered.database, groups: partsOf(project, files, indexOf, filtered) };
}

/** What the pre-filter of `analyzeJsFilesInParts` leaves: see there. */
interface Prefiltered {
  database: Map<string, string | undefined>;
  pending: Map<string, string[]>;
  edges: Array<string[] | undefined>;
  chars: number[];
}

/** The pre-filter over every file of `analyzeJsFilesInParts`. */
function prefilterFiles(project: JsProject, files: readonly string[], indexOf: ReadonlyMap<string, number>, opts: AnalyzeJsOptions): Prefiltered {
  // The pre-filter over every file: database files (kept as text until their part is parsed) and
  // the local specifiers of the others.
  const database = new Map<string, string | undefined>();
  const pending = new Map<string, string[]>();
  // By each file's index in `files` (its first occurrence): the graph below works on indices, not
  // on maps keyed by paths (issue 11: ~0.2 s of map upkeep at 50,000 files). `edges`: the file's
  // local specifiers; `chars`: the size read, for the size of a part's trees before they are built
  // (`beforePart`).
  const edges: Array<string[] | undefined> = new Array<string[] | undefined>(files.length).fill(undefined);
  const chars: number[] = new Array<number>(files.length).fill(0);
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    const at = indexOf.get(f)!;
    youngGenerationCheckpoint();
    const known = opts.prefiltered?.(f);
    let specs: readonly string[];
    if (known !== undefined && known !== 'database') {
      specs = known;
    } else {
      const src = project.readForFilter(f);
      if (src === undefined) continue;
      const content = 'bytes' in src ? src.bytes : src.text;
      chars[at] = content.length;
      opts.onFilterRead?.(f, content);
      const imports = known === 'database' ? undefined : importsUnlessDatabase(content);
      if (imports === undefined) {
        project.record(f, project.lastReadFile());
        database.set(f, 'bytes' in src ? analysedText(src.bytes) : src.text);
        specs = collectImportSpecifiers(content);
      } else specs = imports;
    }
    const local = specs.filter((s) => project.isLocalSpecifier(s));
    if (!database.has(f) && local.length > 0) pending.set(f, local);
    if (local.length > 0) edges[at] = local;
  }
  return { database, pending, edges, chars };
}

/** The parts of `analyzeJsFilesInParts` that hold a database file: their members, database files, pending files and size. */
function partsOf(project: JsProject, files: readonly string[], indexOf: Map<string, number>, { database, pending, edges, chars }: Prefiltered): Map<number, PartGroup> {
  // Parts: connected components of the import graph, in the order of their first database file.
  // Union-find over indices: `parent[i]` is -1 for a file outside the graph (no database file, no
  // local import), else its parent (itself for a root). A resolved target is an analysed file.
  const names = [...files];
  const parent: number[] = new Array<number>(files.length).fill(-1);
  const indexOfTarget = (target: string): number => {
    let t = indexOf.get(target);
    if (t === undefined) {
      t = parent.length;
      indexOf.set(target, t);
      names.push(target);
      parent.push(-1);
    }
    return t;
  };
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r]!;
    for (let y = x; y !== r; ) {
      const next = parent[y]!;
      parent[y] = r;
      y = next;
    }
    return r;
  };
  for (const f of database.keys()) {
    const i = indexOf.get(f)!;
    if (parent[i] === -1) parent[i] = i;
  }
  for (let i = 0; i < files.length; i++) {
    const specs = edges[i];
    if (specs === undefined) continue;
    const f = files[i]!;
    const dir = dirname(f);
    for (const s of specs) {
      const target = project.resolvePathFrom(dir, s);
      if (typeof target === 'string') {
        const t = indexOfTarget(target);
        if (parent[i] === -1) parent[i] = i;
        if (parent[t] === -1) parent[t] = t;
        const ra = find(i);
        const rb = find(t);
        if (ra !== rb) parent[rb] = ra;
        const by = project.importedBy.get(target);
        if (by === undefined) project.importedBy.set(target, [f]);
        else if (by[by.length - 1] !== f) by.push(f);
      }
    }
  }
  // Each part's members, database files and pending files, grouped in one pass over the files
  // (not a scan of every file per part), in the order of the part's first database file. Only
  // parts with a database file are analysed: only theirs are grouped.
  const groups = new Map<number, PartGroup>();
  for (const f of database.keys()) {
    const r = find(indexOf.get(f)!);
    let g = groups.get(r);
    if (g === undefined) groups.set(r, (g = { members: new Set(), db: [], pending: [], chars: 0 }));
    g.db.push(f);
  }
  for (let i = 0; i < parent.length; i++) {
    if (parent[i] === -1) continue;
    const g = groups.get(find(i));
    if (g === undefined) continue;
    g.members.add(names[i]!);
    if (i < chars.length) g.chars += chars[i]!;
  }
  for (const entry of pending) {
    const i = indexOf.get(entry[0])!;
    if (parent[i] !== -1) groups.get(find(i))?.pending.push(entry);
  }
  return groups;
}

/** One part of `analyzeJsFilesInParts`. */
interface PartGroup {
  members: Set<string>;
  db: string[];
  pending: Array<[string, string[]]>;
  chars: number;
}

/**
 * One part of `analyzeJsFilesInParts`: analysed, its facts read, handed to `onPart`, then dropped.
 * A function of its own so that nothing of the part stays on the caller's stack frame: a collection
 * before the next part (`beforePart`) would find its trees still reachable from a dead local there.
 * False when the part loaded a file outside it (`project.escaped`). A part whose settled trees
 * something would have read (`JsProject.mustRedo`) is analysed again, from the same state, without
 * settling: its facts are then those the part gives with every tree alive to its end.
 */
function analyseOnePart<F>(project: JsProject, group: { members: Set<string>; db: string[]; pending: Array<[string, string[]]> }, database: Map<string, string | undefined>, factsOf: JsFactsOf<F>, onPart: (part: JsAnalysisPart<F>) => void): boolean {
  project.part = group.members;
  const before = project.checkpoint();
  let part = analysePartFacts(project, group, database, factsOf, true);
  if (part === 'redo') {
    project.restore(before);
    part = analysePartFacts(project, group, database, factsOf, false);
  }
  if (part === 'escaped' || part === 'redo') return false;
  onPart(part);
  project.releaseModules();
  for (const f of group.db) database.set(f, undefined);
  return true;
}

/** The passes of one part and its facts; 'redo' when a settled tree would have been read (never without `settle`). */
function analysePartFacts<F>(project: JsProject, group: { db: string[]; pending: Array<[string, string[]]> }, database: Map<string, string | undefined>, factsOf: JsFactsOf<F>, settle: boolean): JsAnalysisPart<F> | 'escaped' | 'redo' {
  project.settle = settle ? (m) => factsOf(m, []) : undefined;
  const poolsBefore = project.pools.length;
  project.partPools = poolsBefore;
  const modules = analysePart(project, group.db.map((f) => ({ file: f, text: database.get(f) })), group.pending);
  project.settle = undefined;
  if (project.escaped) return 'escaped';
  if (project.mustRedo) return 'redo';
  const pools = project.pools.slice(poolsBefore).sort(comparePools);
  const byFile = poolsByFile(pools);
  const alive = new Map(modules.map((m) => [m.file, m]));
  const files = project.loadOrder.filter((f) => alive.has(f) || project.settled.has(f));
  const facts = files.map((f) => {
    const settled = project.settled.get(f);
    return settled !== undefined ? (settled.value as F) : factsOf(alive.get(f)!, byFile.get(f) ?? []);
  });
  if (project.escaped) return 'escaped';
  if (project.mustRedo) return 'redo';
  return { files, facts, pools };
}

/** Pools by the file they are constructed in, each file's in the order given. */
export function poolsByFile(pools: readonly PoolDefinition[]): Map<string, PoolDefinition[]> {
  const out = new Map<string, PoolDefinition[]>();
  for (const p of pools) {
    const list = out.get(p.file);
    if (list === undefined) out.set(p.file, [p]);
    else list.push(p);
  }
  return out;
}

function comparePools(a: PoolDefinition, b: PoolDefinition): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.range.line - b.range.line || a.range.column - b.range.column;
}

/**
 * The files waiting for pass 2 (they import something local but no database library), and pass 2
 * itself: from the modules that export a connection, load the pending files that import them, until
 * no new module exports one. Pending files are looked up by the basenames of their specifiers
 * instead of being scanned all at each round. One piece for the whole analysis and its parts.
 */
class PendingImporters {
  readonly files = new Map<string, string[]>();
  private readonly order = new Map<string, number>();
  private readonly byBasename = new Map<string, string[]>();
  private readonly withDot: string[] = [];

  constructor(private readonly project: JsProject) {}

  add(f: string, specs: string[]): void {
    this.files.set(f, specs);
    if (!this.order.has(f)) this.order.set(f, this.order.size);
    for (const s of specs) {
      const b = specifierBasename(s);
      const list = this.byBasename.get(b);
      if (list === undefined) this.byBasename.set(b, [f]);
      else if (list[list.length - 1] !== f) list.push(f);
      // `.`/`..` and workspace package names (`@acme/db`) do not end in the basename of the file they name.
      if (s === '.' || s === '..' || this.project.isWorkspaceSpecifier(s)) this.withDot.push(f);
    }
  }

  /** Pass 2 from the modules of pass 1; then every module loaded on demand is extracted too (a pool in a config module). */
  follow(pass1: readonly JsModule[]): void {
    const project = this.project;
    const pending = this.files;
    for (const m of pass1) project.ensureExtracted(m);
    const sources = new Set<JsModule>();
    for (const m of pass1) if (project.exportsConnection(m, sources)) sources.add(m);
    let frontier = [...sources];
    while (frontier.length > 0 && pending.size > 0) {
      const basenames = new Set(frontier.map((m) => specifierBasename(m.file)));
      const paths = new Set(frontier.map((m) => m.file));
      const next: JsModule[] = [];
      // The pending files that can be hits, in pending order (the order modules are loaded in).
      const candidates = new Set<string>();
      for (const b of basenames) for (const f of this.byBasename.get(b) ?? []) if (pending.has(f)) candidates.add(f);
      for (const f of this.withDot) if (pending.has(f)) candidates.add(f);
      const ordered = [...candidates].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
      for (const file of ordered) {
        const specs = pending.get(file)!;
        const hit = specs.some((s) => (basenames.has(specifierBasename(s)) || s === '.' || s === '..' || project.isWorkspaceSpecifier(s)) && paths.has(project.resolvePath(file, s) ?? ''));
        if (!hit) continue;
        pending.delete(file);
        const m = project.load(file);
        if (m === undefined) continue;
        project.ensureExtracted(m);
        if (!sources.has(m) && project.exportsConnection(m, sources)) {
          sources.add(m);
          next.push(m);
        } else if (!sources.has(m)) project.settleEarly(m, specs);
      }
      frontier = next;
    }
    for (const m of project.modules.values()) project.ensureExtracted(m);
  }
}

/** The passes of `analyzeJsFiles` over one part: its database files, then the files that import a pool from them. */
function analysePart(project: JsProject, database: ReadonlyArray<{ file: string; text: string | undefined }>, pendingFiles: ReadonlyArray<[string, string[]]>): JsModule[] {
  const poolsBefore = project.pools.length;
  const importers = new PendingImporters(project);
  for (const [f, specs] of pendingFiles) importers.add(f, specs);
  const pass1: JsModule[] = [];
  for (const { file, text } of database) {
    const m = project.load(file, text);
    if (m) pass1.push(m);
  }
  importers.follow(pass1);
  project.resolveByCallers(poolsBefore);
  const modules = [...project.modules.values()];
  project.applyPartUsage(modules);
  return modules;
}
