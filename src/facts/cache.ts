import { createHash } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readSync, renameSync, statSync, unlinkSync, writeFileSync, fstatSync, constants } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import ts from '../sources/js/typescript.cjs';
import type { InputProblem } from '../core/diagnostic.js';
import { packageVersion } from '../core/package-version.js';
import { importsUnlessDatabase } from '../sources/js/prefilter.js';
import { analysedSourceText, sourceDigest, type PrefilterVerdict, type SourceBytes } from '../sources/js/project.js';
import type { JsFileFacts } from '../sources/js/types.js';
import { mayHoldConnectionLiteral } from '../sources/js/credentials.js';
import { decodeFacts, encodeFacts, holdsSecret } from './cache-codec.js';
import type { WalkCache, WalkRecord } from '../discovery/walk-cache.js';

/**
 * The facts cache (`--cache`, docs/cache.md): what the code analysis learnt from the files, kept
 * between runs so that a re-run reads and parses only what changed. The model, the rules and the
 * report are built on every run from the facts; only the facts of code files are cached:
 *
 * - per code file, the pre-filter's verdict (a database file, or the specifiers it imports), keyed by
 *   its path and size + mtime (`metadata`) or its content's SHA-256 (`content`): an unchanged file is
 *   not read at all;
 * - the code analysis as a whole (every parsed module's facts, the analysis's problems), valid while
 *   every file's verdict is the same (a digest of them all, which also fixes the set of files import
 *   resolution sees) and every file it read beyond the pre-filter — the parsed modules, tsconfig.json,
 *   package.json files — has the same content (SHA-256 of what was read). Its facts cross files
 *   (a pool's options from another module's constants, usage in importers), so it is cached whole.
 *
 * Config files (postgresql.conf, pgbouncer.ini, .env, compose, Kubernetes, Prisma …) are few and
 * are read on every run. A fact that may hold a secret is never written: the analysis's facts are
 * then not cached (pre-filter verdicts still are). Nothing read from the cache names a file to read:
 * the cache is consulted for the files discovery found, and its paths are checked against them.
 */

export type CacheStrategy = 'metadata' | 'content';
export const CACHE_STRATEGIES: readonly CacheStrategy[] = ['metadata', 'content'];
/** The default location, in the working directory, as ESLint's `.eslintcache`. */
export const DEFAULT_CACHE_LOCATION = '.pgconn-lintcache';
/** A cache file larger than this is neither read nor written (a 50,000-file tree needs about 10 MB). */
export const MAX_CACHE_BYTES = 128 * 1024 * 1024;
/**
 * A file modified this recently before the run may still change within the same mtime tick: its
 * verdict is not stored by size + mtime (git's "racy clean" problem; coarse file systems tick in 1–2 s).
 */
const RACY_MS = 2_000;
const TOOL = 'pgconn-lint facts cache';
/** 2: a file's entry also says whether its text may hold a connection literal (issue 11). */
const FORMAT = 2;

export interface CacheSettings {
  /** The cache file (`resolveCacheFile` turns --cache-location into it). */
  file: string;
  strategy: CacheStrategy;
  /** Why the cache file was ignored or not written (corrupt, another version, too large …). */
  onNote?: (message: string) => void;
}

/** What the cache did in one run (for tests and --verbose). */
export interface CacheStats {
  /** Code files whose pre-filter verdict came from the cache, and those read. */
  verdictsReused: number;
  verdictsComputed: number;
  /** Was discovery's walk taken from the cache (src/discovery/walk-cache.ts)? */
  walkReused: boolean;
  /** Was the code analysis taken from the cache? */
  analysisReused: boolean;
  /** Why the analysis was not written to the cache, when it was not. */
  analysisNotStored?: string;
  written: boolean;
}

/**
 * ESLint's rule for --cache-location (lib/eslint/eslint-helpers.js `getCacheFile`): a path that is an
 * existing directory, or ends with a path separator, is a directory, and the file inside it is named
 * after a hash of the working directory; anything else is the cache file itself (lstat: a symbolic
 * link is not followed, so it is replaced, never written through).
 */
export function resolveCacheFile(location: string, cwd: string): string {
  const normalized = normalize(location);
  const resolved = resolve(cwd, normalized);
  const looksLikeDir = normalized.endsWith(sep) || location.endsWith('/');
  let isDir = false;
  try {
    isDir = lstatSync(resolved).isDirectory();
  } catch {
    isDir = false;
  }
  if (isDir || looksLikeDir) return join(resolved, `.cache_${createHash('sha256').update(cwd).digest('hex').slice(0, 16)}`);
  return resolved;
}

/**
 * `literal`: 1 when the file's text may hold a connection string (`mayHoldConnectionLiteral`), so
 * that an unchanged file without one is not read again for connection literals.
 */
type FileEntry = [size: number, mtimeMs: number, hash: string | null, verdict: 0 | string[], literal: 0 | 1];

interface JsEntry {
  digest: string;
  /** [path relative to the root, sourceDigest]. */
  reads: Array<[string, string]>;
  /** Parsed modules in the analysis's order: [relative path, 1 when the parse replaced the text by '' (too large)]. */
  modules: Array<[string, 0 | 1]>;
  facts: unknown;
  problems: unknown;
}

interface CacheFile {
  tool: string;
  format: number;
  version: string;
  key: string;
  files: Record<string, FileEntry>;
  js: JsEntry | null;
  /** Discovery's walk (src/discovery/walk-cache.ts), checked there; null when not kept. */
  walk: unknown;
}

/** The code analysis taken from the cache. */
export interface CachedAnalysis {
  facts: JsFileFacts[];
  problems: InputProblem[];
  /** Parsed modules in order, with the text they were parsed from (for suppressions and frames). */
  modules: Array<{ file: string; text: string }>;
}

const hashOf = (data: Buffer | string) => createHash('sha256').update(data).digest('base64url');

export class FactsCache {
  readonly stats: CacheStats = { verdictsReused: 0, verdictsComputed: 0, walkReused: false, analysisReused: false, written: false };
  private readonly key: string;
  private old: CacheFile | undefined;
  private readonly files: Record<string, FileEntry> = Object.create(null) as Record<string, FileEntry>;
  private js: JsEntry | null = null;
  private walk: WalkRecord | null = null;
  private walkUsed: 'reused' | 'new' | undefined;
  /** A verdict entry was stored that the cache file does not hold as it is. */
  private dirty = false;
  /**
   * Files whose verdict was computed but not kept (changed within RACY_MS, or a verdict that may
   * hold a secret): their old entries, if any, no longer match the file and are harmless to leave.
   */
  private readonly unstored = new Set<string>();
  private readonly started = Date.now();
  private readonly verdicts = new Map<string, PrefilterVerdict>();
  /** Per code file whose verdict is known this run: may its text hold a connection literal? */
  private readonly literals = new Map<string, boolean>();
  private digest: string | undefined;
  private rootPrefix: string | undefined;

  constructor(
    private readonly settings: CacheSettings,
    private readonly root: string,
    maxFileBytes: number,
  ) {
    // What the cached facts depend on besides the files: the linter and its parser, the root every
    // path is under, the strategy, and the one setting that changes what is read (maxFileSize).
    this.key = hashOf(JSON.stringify([FORMAT, packageVersion(), ts.version, resolve(root), settings.strategy, maxFileBytes]));
    this.old = this.load();
  }

  private note(message: string): void {
    this.settings.onNote?.(message);
  }

  /** Reads the cache file; anything unexpected is a note and an empty cache, never an error. */
  private load(): CacheFile | undefined {
    const file = this.settings.file;
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // No cache yet (or its directory is missing): a first run, nothing to say.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.note(`the cache file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): ignored`);
      return undefined;
    }
    let text: string;
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) {
        this.note(`the cache location ${file} is not a regular file: not used`);
        return undefined;
      }
      if (st.size > MAX_CACHE_BYTES) {
        this.note(`the cache file ${file} is larger than ${MAX_CACHE_BYTES / 1024 / 1024} MiB: ignored`);
        return undefined;
      }
      const buf = Buffer.alloc(st.size);
      let n = 0;
      while (n < buf.length) {
        const r = readSync(fd, buf, n, buf.length - n, n);
        if (r === 0) break;
        n += r;
      }
      text = buf.subarray(0, n).toString('utf8');
    } catch (err) {
      this.note(`the cache file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): ignored`);
      return undefined;
    } finally {
      closeSync(fd);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      this.note(`the cache file ${file} is not valid (truncated or corrupt): ignored, and rewritten`);
      return undefined;
    }
    const c = data as Partial<CacheFile> | null;
    if (c === null || typeof c !== 'object' || c.tool !== TOOL) {
      this.note(`${file} is not a pgconn-lint cache file: ignored, and replaced`);
      return undefined;
    }
    if (c.format !== FORMAT || c.version !== packageVersion()) {
      this.note(`the cache file ${file} was written by pgconn-lint ${typeof c.version === 'string' ? c.version : '(unknown)'}: ignored, and rewritten`);
      return undefined;
    }
    // Another root, strategy, maxFileSize or TypeScript: a different cache, rebuilt without a note.
    if (c.key !== this.key) return undefined;
    if (typeof c.files !== 'object' || c.files === null || (c.js !== null && typeof c.js !== 'object')) {
      this.note(`the cache file ${file} is not valid (corrupt): ignored, and rewritten`);
      return undefined;
    }
    return c as CacheFile;
  }

  private rel(path: string): string {
    // The common case without path.relative's two resolves (43,000 calls at 50k files): a normalised
    // absolute path under the root. Anything that may not be normalised (`/.`, `//`) takes relative().
    const prefix = (this.rootPrefix ??= resolve(this.root) + sep);
    if (path.startsWith(prefix) && !path.includes(`${sep}.`, prefix.length - 1) && !path.includes(`${sep}${sep}`)) return path.slice(prefix.length);
    return relative(this.root, path);
  }

  /**
   * The pre-filter's verdict on every code file: from the cache when the file is unchanged, else
   * read now (and stored). `explicit` files (named on the command line) and files whose read says
   * something (not plain UTF-8, unreadable) are left to the analysis, which reads them itself.
   * Returns the digest of all verdicts, the key of the cached analysis.
   */
  prefilter(paths: readonly string[], explicit: ReadonlySet<string>, readFile: (p: string) => SourceBytes): void {
    // The digest's input, hashed once at the end (the same bytes as one update per file, without
    // 43,000 calls into the hash at 50k files).
    const digest: string[] = [JSON.stringify([resolve(this.root), [...explicit].sort()])];
    const oldFiles = this.old?.files;
    const content = this.settings.strategy === 'content';
    for (const path of paths) {
      const rel = this.rel(path);
      let verdict: PrefilterVerdict | undefined;
      const cached = !explicit.has(path) && oldFiles !== undefined && Object.hasOwn(oldFiles, rel) ? oldFiles[rel] : undefined;
      if (cached !== undefined && !content) {
        let st: { size: number; mtimeMs: number } | undefined;
        try {
          st = statSync(path);
        } catch {
          st = undefined;
        }
        if (st !== undefined && validEntry(cached) && cached[0] === st.size && cached[1] === st.mtimeMs) {
          verdict = cached[3] === 0 ? 'database' : cached[3];
          this.literals.set(path, cached[4] === 1);
          this.files[rel] = cached;
          this.stats.verdictsReused++;
        }
      }
      if (verdict === undefined) {
        let st: { size: number; mtimeMs: number } | undefined;
        try {
          // Before the read: a change during the read leaves an older mtime, so it is seen next time.
          st = statSync(path);
        } catch {
          st = undefined;
        }
        const r = readFile(path);
        if (r.ok && 'bytes' in r && !explicit.has(path)) {
          const hash = content ? hashOf(r.bytes) : null;
          const literal = mayHoldConnectionLiteral(r.bytes);
          this.literals.set(path, literal);
          if (content && cached !== undefined && validEntry(cached) && cached[2] === hash) {
            verdict = cached[3] === 0 ? 'database' : cached[3];
            this.stats.verdictsReused++;
          } else {
            const imports = importsUnlessDatabase(r.bytes);
            verdict = imports === undefined ? 'database' : imports;
            this.stats.verdictsComputed++;
          }
          const entry: FileEntry = [st?.size ?? -1, st?.mtimeMs ?? -1, hash, verdict === 'database' ? 0 : [...verdict], literal ? 1 : 0];
          const racy = st === undefined || st.size !== r.bytes.length || st.mtimeMs >= this.started - RACY_MS;
          if ((content || !racy) && (verdict === 'database' || !holdsSecret(verdict))) {
            this.files[rel] = entry;
            if (!sameEntry(cached, entry)) this.dirty = true;
          } else if (cached === undefined) {
            // Nothing was kept for it before either: the file on disk does not need rewriting for it.
          } else this.unstored.add(rel);
        } else {
          // Read by the analysis itself, which reports what the read says: the digest takes the read as it is.
          digest.push(`${rel}\u0000?${sourceDigest(r)}\u0000`);
          continue;
        }
      }
      this.verdicts.set(path, verdict);
      digest.push(`${rel}\u0000${verdict === 'database' ? 'D' : JSON.stringify(verdict)}\u0000`);
    }
    this.digest = createHash('sha256').update(digest.join('')).digest('base64url');
  }

  /**
   * Whether a code file's text may hold a connection literal, when `prefilter` knows it (from the
   * cache or from its own read): `false` spares reading the file again for connection literals.
   */
  mayHoldLiteral(path: string): boolean | undefined {
    return this.literals.get(path);
  }

  /** Where discovery gets and leaves its walk (src/discovery/walk-cache.ts), kept in this file. */
  walkCache(): WalkCache {
    return {
      get: () => {
        const old = this.old?.walk;
        return old === undefined || old === null ? undefined : old;
      },
      put: (record) => {
        this.walk = record;
        this.walkUsed = 'new';
      },
      reused: () => this.walkReused(),
    };
  }

  /** Discovery reused the cached walk: it is kept as it is. */
  walkReused(): void {
    const old = this.old?.walk;
    if (old === undefined || old === null) return;
    this.walk = old as WalkRecord;
    this.walkUsed = 'reused';
    this.stats.walkReused = true;
  }

  /** The verdict `prefilter` found for a file, for the analysis (`AnalyzeJsOptions.prefiltered`). */
  verdict(path: string): PrefilterVerdict | undefined {
    return this.verdicts.get(path);
  }

  /**
   * The cached analysis, when its key matches and every file it read still reads the same. Reads
   * only files discovery found (`known`, the code files) or that the file guard allows (`readFile`).
   */
  analysis(known: ReadonlySet<string>, readFile: (p: string) => SourceBytes): CachedAnalysis | undefined {
    const js = this.old?.js;
    if (js === undefined || js === null || this.digest === undefined || js.digest !== this.digest) return undefined;
    try {
      const texts = new Map<string, string | undefined>();
      for (const [rel, digest] of js.reads) {
        const path = this.inside(rel);
        if (path === undefined) return undefined;
        const r = readFile(path);
        if (sourceDigest(r) !== digest) return undefined;
        texts.set(path, analysedSourceText(r));
      }
      const modules: CachedAnalysis['modules'] = [];
      for (const [rel, emptied] of js.modules) {
        const path = this.inside(rel);
        if (path === undefined || !known.has(path) || !texts.has(path)) return undefined;
        const text = emptied === 1 ? '' : texts.get(path);
        if (text === undefined) return undefined;
        modules.push({ file: path, text });
      }
      const facts = decodeFacts(js.facts) as JsFileFacts[];
      const problems = decodeFacts(js.problems) as InputProblem[];
      if (!Array.isArray(facts) || !Array.isArray(problems)) return undefined;
      this.js = js;
      this.stats.analysisReused = true;
      return { facts, problems, modules };
    } catch {
      this.note(`the cache file ${this.settings.file} is not valid (corrupt): its code facts were ignored`);
      return undefined;
    }
  }

  /** A path of the cache, under the root (a cache naming `../x` or an absolute path names nothing). */
  private inside(rel: unknown): string | undefined {
    if (typeof rel !== 'string' || rel === '' || isAbsolute(rel)) return undefined;
    const path = resolve(this.root, rel);
    const back = relative(this.root, path);
    return back === '' || back.startsWith('..') || isAbsolute(back) ? undefined : path;
  }

  /** Keeps this run's analysis for the next run, unless something in it may be a secret or it cannot be stored exactly. */
  storeAnalysis(facts: JsFileFacts[], problems: InputProblem[], modules: ReadonlyArray<{ file: string; text: string }>, reads: ReadonlyMap<string, string | null> | undefined): void {
    if (this.digest === undefined || reads === undefined) return;
    const why = (reason: string) => {
      this.stats.analysisNotStored = reason;
    };
    const readList: Array<[string, string]> = [];
    for (const [path, d] of reads) {
      const rel = this.inside(this.rel(path)) !== undefined ? this.rel(path) : undefined;
      if (d === null) return why(`${path} changed while it was read`);
      if (rel === undefined) return why(`${path} is outside the repository root`);
      readList.push([rel, d]);
    }
    const moduleList: Array<[string, 0 | 1]> = [];
    for (const m of modules) {
      if (!reads.has(m.file)) return why(`${m.file} was parsed from a text not recorded`);
      moduleList.push([this.rel(m.file), m.text === '' ? 1 : 0]);
    }
    if (holdsSecret(facts) || holdsSecret(problems)) return why('the code facts hold a password (never cached)');
    const encodedFacts = encodeFacts(facts);
    const encodedProblems = encodeFacts(problems);
    if (encodedFacts === undefined || encodedProblems === undefined) return why('the code facts cannot be stored exactly');
    this.js = { digest: this.digest, reads: readList, modules: moduleList, facts: encodedFacts, problems: encodedProblems };
  }

  /** Writes the cache: a temporary file beside it, then a rename (readers see the old file or the new one, never half of one). */
  save(): void {
    // Nothing learnt and nothing gone: the file on disk already says all of it.
    const old = this.old;
    // A file just edited (racy: its verdict is not kept yet) does not make it stale either: its old
    // entry no longer matches its size and mtime, so it is read again next time, as now.
    if (old !== undefined && !this.dirty && this.stats.analysisReused && this.walkUsed === 'reused' && Object.keys(old.files).length === Object.keys(this.files).length + this.unstored.size) return;
    const data: CacheFile = { tool: TOOL, format: FORMAT, version: packageVersion(), key: this.key, files: this.files, js: this.js, walk: this.walk };
    const text = JSON.stringify(data);
    const file = this.settings.file;
    if (Buffer.byteLength(text) > MAX_CACHE_BYTES) {
      this.note(`the cache would be larger than ${MAX_CACHE_BYTES / 1024 / 1024} MiB: not written`);
      return;
    }
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(dirname(file), { recursive: true });
      // 'wx': never through an existing file or link; 0600: the cache is the user's own.
      writeFileSync(tmp, text, { flag: 'wx', mode: 0o600 });
      renameSync(tmp, file);
      this.stats.written = true;
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        /* not created */
      }
      this.note(`the cache file ${file} cannot be written (${(err as NodeJS.ErrnoException).code ?? 'error'}): the next run starts cold`);
    }
  }
}

function sameEntry(a: FileEntry | undefined, b: FileEntry): boolean {
  return a !== undefined && a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[4] === b[4] && JSON.stringify(a[3]) === JSON.stringify(b[3]);
}

function validEntry(e: unknown): e is FileEntry {
  if (!Array.isArray(e) || e.length !== 5) return false;
  const [size, mtime, hash, verdict, literal] = e as unknown[];
  return (literal === 0 || literal === 1) && typeof size === 'number' && typeof mtime === 'number' && (hash === null || typeof hash === 'string') && (verdict === 0 || (Array.isArray(verdict) && verdict.every((s) => typeof s === 'string')));
}
