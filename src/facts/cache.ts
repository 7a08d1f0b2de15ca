import { createHash } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeFileSync, fstatSync, constants, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from '../sources/js/typescript.cjs';
import type { InputProblem } from '../core/diagnostic.js';
import { packageVersion } from '../core/package-version.js';
import { importsUnlessDatabase } from '../sources/js/prefilter.js';
import { analysedSourceText, readSourceBytes, sourceDigest, type PrefilterVerdict, type SourceBytes } from '../sources/js/project.js';
import { missingFile, readFully } from '../core/read-text.js';
import type { JsFileFacts } from '../sources/js/types.js';
import { mayHoldConnectionLiteral } from '../sources/js/credentials.js';
import { decodeFacts, encodeFacts, holdsSecret } from './cache-codec.js';
import type { WalkCache, WalkRecord } from '../discovery/walk-cache.js';
import { earlySnapshotTime, GitChanges, isGitSnapshot, NOT_PLAIN, outlivesSnapshot, startGitSnapshot, trackedAmong, trackedFromSnapshot, type GitSnapshot, type IndexPaths, type PendingSnapshot } from './git-changes.js';
import type { GitTrackedFiles } from '../discovery/git-tracked.js';
import { unchangedWalkDirs } from '../discovery/walk-cache.js';
import { FileAccess } from '../core/file-access.js';
import { inputsUnchanged, isStoredReport, racyInputs, reusedReport, type ReusedReport, type StoredReport } from './report-cache.js';

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
/**
 * 2: a file's entry also says whether its text may hold a connection literal (issue 11).
 * 3: the git snapshot the entries were checked against (src/facts/git-changes.ts).
 * 4: the report (src/facts/report-cache.ts).
 * 5: the entries in buckets (`buckets`), and only the sections a run needs read from the file; the
 *    walk's candidates in a section of their own (`candidates`), and the report's code files.
 */
const FORMAT = 5;

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
  /** Was the whole report taken from the cache (src/facts/report-cache.ts)? */
  reportReused: boolean;
  /** Why this run's report was not kept for the next run, when it was not. */
  reportNotStored?: string;
  /** Files git vouched for (unchanged since the cache: neither statted nor read, src/facts/git-changes.ts). */
  gitUnchanged: number;
  /** Were the cache file's entries parsed (not when git vouched for all but a few files, `prefilterWithGit`)? */
  entriesParsed: boolean;
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

/** What `examine` found about one code file; `verdict` undefined: left to the analysis (`readDigest`). */
type Outcome =
  | { verdict: PrefilterVerdict; literal: boolean; how: 'git' | 'stat'; entry?: undefined; racy?: undefined; readDigest?: undefined }
  | { verdict: PrefilterVerdict; literal: boolean; how: 'hash' | 'read'; entry: FileEntry; racy: boolean; readDigest?: undefined }
  | { verdict: undefined; readDigest: string; literal?: undefined; how?: undefined; entry?: undefined; racy?: undefined };

/** Past this many files git does not vouch for, the entries are parsed rather than looked up one by one. */
const MAX_LOOKUPS = 64;

/**
 * The cache file is this header's line, then its sections (`sections`): the walk, the analysis (what
 * it read, then its facts), the report, and the entries (`files`: path → FileEntry), which a warm run
 * inside git does not parse (src/facts/git-changes.ts; 6.5 MB of JSON at 50k files).
 */
/** The parts of the cache file after its header, each JSON, at [offset, length] in bytes after the header's line break. */
type SectionName = 'walk' | 'candidates' | 'js' | 'jsFacts' | 'report' | 'files';
const SECTIONS: readonly SectionName[] = ['walk', 'candidates', 'js', 'jsFacts', 'report', 'files'];

interface CacheFile {
  sections: Record<SectionName, [number, number]>;
  /**
   * The entries (`files`) are written bucket by bucket (`entryBucket` of the path): bucket b's are
   * at bytes [buckets[b], buckets[b + 1]) of that section, so one entry is read without the rest.
   */
  buckets: number[];
  tool: string;
  format: number;
  version: string;
  key: string;
  /** How many entries the second line holds. */
  count: number;
  /** The entries whose text may hold a connection literal (FileEntry's `literal` is 1). */
  literal: string[];
  /**
   * Code files read by the run that wrote the file but given no entry (changed less than 2 s
   * before it): their verdicts and literal flags, so that the next run inside git can compare
   * theirs without parsing every entry (git names them: they are in the snapshot's `changed`).
   */
  pending: Record<string, [verdict: 0 | string[], literal: 0 | 1]>;
  js: JsEntry | null;
  /** Discovery's walk (src/discovery/walk-cache.ts), checked there; null when not kept. */
  walk: unknown;
  /** The walk without its candidates (the `walk` section alone). */
  walkHead: unknown;
  /** The candidates section's JSON text, unparsed (`[["path","kind"],…]`: 2.4 MB at 50k files). */
  candidates: Buffer;
  /** `git status` when the entries were checked (src/facts/git-changes.ts); null outside git. */
  git: GitSnapshot | null;
  /** The whole repository's findings, reused while nothing they depend on changed (src/facts/report-cache.ts); null when not kept. */
  report: CachedReport | null;
}

/**
 * The report as the cache keeps it: with the walk's code files that git's index did not hold when
 * it was stored (`untracked`) and how many code files there were. A later run then finds the code
 * files git cannot vouch for from these and from the paths git names, without the candidates.
 */
type CachedReport = StoredReport & { code: { count: number; untracked: string[] } };

function isCachedReport(x: unknown): x is CachedReport {
  if (!isStoredReport(x)) return false;
  const code = (x as Partial<CachedReport>).code;
  return code !== null && typeof code === 'object' && Number.isInteger(code.count) && Array.isArray(code.untracked) && code.untracked.every((r) => typeof r === 'string');
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
  readonly stats: CacheStats = { verdictsReused: 0, verdictsComputed: 0, walkReused: false, analysisReused: false, reportReused: false, gitUnchanged: 0, entriesParsed: false, written: false };
  private readonly key: string;
  private old: CacheFile | undefined;
  /** The cache file's entries section, read from the file on first need (`oldFiles`, `oldEntry`). */
  private oldBody: EntriesSection | undefined;
  private oldParsed: Record<string, FileEntry> | undefined;
  /** Code files whose entries are the cache file's, not parsed (`prefilterWithGit`); relative paths. */
  private carried: { rels: readonly string[]; checked: ReadonlySet<string>; literal: ReadonlySet<string> } | undefined;
  private carriedCount(): number {
    return this.carried === undefined ? 0 : this.carried.rels.length - this.carried.checked.size;
  }
  private readonly files: Record<string, FileEntry> = Object.create(null) as Record<string, FileEntry>;
  private js: JsEntry | null = null;
  private report: CachedReport | null = null;
  private walk: WalkRecord | null = null;
  private walkUsed: 'reused' | 'new' | undefined;
  private walkDirSet: Set<string> | undefined;
  /** A verdict entry was stored that the cache file does not hold as it is. */
  private dirty = false;
  /**
   * Files whose verdict was computed but not kept (changed within RACY_MS, or a verdict that may
   * hold a secret): their old entries, if any, no longer match the file and are harmless to leave.
   */
  private readonly unstored = new Set<string>();
  /** Verdicts read this run and not kept as entries (racy), for the header's `pending`. */
  private readonly pending: Record<string, [0 | string[], 0 | 1]> = Object.create(null) as Record<string, [0 | string[], 0 | 1]>;
  /** When the run started, for racy files: git's snapshot, if the CLI started it before its modules loaded, or now. */
  private readonly started: number;
  private readonly verdicts = new Map<string, PrefilterVerdict>();
  /** Per code file whose verdict is known this run: may its text hold a connection literal? */
  private readonly literals = new Map<string, boolean>();
  private digest: string | undefined;
  private rootPrefix: string | undefined;
  /** This run's `git status` (started in the constructor, taken on first use), stored with the entries. */
  private readonly gitPending: PendingSnapshot | undefined;
  private gitTaken: { now: GitSnapshot | undefined; changes: GitChanges | undefined } | undefined;
  /**
   * Files read this run that changed less than RACY_MS before it started (or while it ran): git's
   * snapshot, taken first, may predate the content read, so the next run checks them itself.
   */
  private readonly racy = new Set<string>();
  /** The cache file is tracked by git: never read nor written. */
  private tracked = false;
  /** The cache file was there when the run started (git's snapshot speaks of files that exist). */
  private fileExisted = false;
  /** The walk's directories as `checkAhead` found them, for the report and walk keys it was given (taken once). */
  private ahead: { key: string; walkKey: string; dirs: Set<string> | undefined } | undefined;
  /** What `checkAheadWithIndex` found from the index's paths, for the same keys (taken once). */
  private aheadIndexed: AheadIndexed | undefined;
  /** The notes said so far (`adopt` says them again). */
  private readonly notes: string[] = [];

  /**
   * The cache `keepForNextOpen` kept, when it is for the same file, strategy, root and maxFileSize
   * (its notes said again through `settings`), else a new one. What the CLI's run opens.
   */
  static open(settings: CacheSettings, root: string, maxFileBytes: number): FactsCache {
    const kept = keptForNextOpen;
    keptForNextOpen = undefined;
    if (kept !== undefined && kept.settings.file === settings.file && kept.settings.strategy === settings.strategy && kept.root === root && kept.maxFileBytes === maxFileBytes) {
      kept.adopt(settings);
      return kept;
    }
    return new FactsCache(settings, root, maxFileBytes);
  }

  constructor(
    private settings: CacheSettings,
    private readonly root: string,
    private readonly maxFileBytes: number,
  ) {
    // What the cached facts depend on besides the files: the linter and its parser, the root every
    // path is under, the strategy, and the one setting that changes what is read (maxFileSize).
    this.key = hashOf(JSON.stringify([FORMAT, packageVersion(), buildStamp(), ts.version, resolve(root), settings.strategy, maxFileBytes]));
    this.started = Math.min(Date.now(), earlySnapshotTime(root) ?? Infinity);
    this.gitPending = startGitSnapshot(root);
    this.old = this.load();
  }

  private gitState(): { now: GitSnapshot | undefined; changes: GitChanges | undefined } {
    if (this.gitTaken === undefined) {
      const now = this.gitPending?.();
      // A cache file git tracks came with the checkout (a pull request can ship one), not from a run
      // of pgconn-lint on this machine: its entries and facts could say anything about files git
      // vouches for. Not used, and not overwritten. (Its walk could not have been reused: that
      // needs the inode and change time of every directory of this checkout.)
      const file = this.settings.file;
      const rel = relative(this.root, file);
      if (now !== undefined && this.fileExisted && rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && trackedFromSnapshot(this.root, now, [file])?.files.has(rel.split(sep).join('/'))) {
        if (this.old !== undefined) this.note(`the cache file ${file} is tracked by git (it came with the checkout, not from a run of pgconn-lint): not used`);
        this.old = undefined;
        this.oldBody = undefined;
        this.tracked = true;
      }
      const oldGit = this.old?.git;
      this.gitTaken = { now, changes: GitChanges.between(this.root, isGitSnapshot(oldGit) ? oldGit : undefined, now) };
    }
    return this.gitTaken;
  }

  /** This run's `git status`. */
  private get gitNow(): GitSnapshot | undefined {
    return this.gitState().now;
  }

  /** What git vouches for since the cache file's snapshot (undefined: nothing). */
  private get git(): GitChanges | undefined {
    return this.gitState().changes;
  }

  /**
   * Which of `only` git tracks, from this run's `git status` (one process fewer than `git ls-files`),
   * when `root` is the cache's root and git answered; else undefined.
   */
  trackedFiles(root: string, only: Iterable<string>): GitTrackedFiles | undefined {
    const now = this.gitNow;
    return now === undefined || resolve(root) !== resolve(this.root) ? undefined : trackedFromSnapshot(this.root, now, only);
  }

  private note(message: string): void {
    this.notes.push(message);
    this.settings.onNote?.(message);
  }

  /**
   * The first step of `reusableReport` for the report `key` and the walk `walkKey`, taken ahead:
   * whether the walk's directories are unchanged (~6,150 `stat`s at 50,000 files). The CLI takes it
   * while git's status still runs (src/cli/main.ts `prepareRun`), then opens this cache again
   * (`keepForNextOpen`, `open`). Nothing of git is asked here.
   */
  checkAhead(key: string, walkKey: string): void {
    const old = this.old;
    const report = old?.report;
    if (old === undefined || report === null || report === undefined || report.key !== key) return;
    this.ahead = { key, walkKey, dirs: unchangedWalkDirs(old.walkHead, walkKey, this.root) };
  }

  /**
   * The second step of `reusableReport` taken ahead, once git's listing of the index ended while its
   * status may still run (src/cli/main.ts `runCliAsync`): what the report's check asks of the index's
   * paths alone — which of the analysis's reads remain once the files known missing are set aside,
   * which files git tracks among those a finding can be in, and the stored findings decoded (the
   * report's last step, kept for when the check passes). Nothing of git's status is asked here.
   */
  checkAheadWithIndex(): void {
    const ahead = this.ahead;
    const old = this.old;
    const report = old?.report;
    if (ahead === undefined || ahead.dirs === undefined || old === undefined || report === null || report === undefined || report.key !== ahead.key) return;
    const index = this.gitPending?.listedIndex?.();
    if (index === undefined || index === null) return;
    const dirs = ahead.dirs;
    // A read named outside the root stays: the check fails on it, as without this step.
    const reads = (old.js?.reads ?? []).filter(([rel, digest]) => {
      const path = this.inside(rel);
      return path === undefined || !stillMissing(path, digest, dirs);
    });
    const tracked = trackedAmong(this.root, index, report.tracked.asked);
    const reused = sameTracked(report, tracked) ? reusedReport(report, this.root, tracked.files, candidateTest(old)) : undefined;
    this.aheadIndexed = { key: ahead.key, walkKey: ahead.walkKey, dirs, index, reads, tracked, reused };
  }

  /** The next `FactsCache.open` of the same file, root and settings gets this cache (once). */
  keepForNextOpen(): void {
    keptForNextOpen = this;
  }

  /** Opened again by a run whose notes go through `settings`: the notes said so far are said there too. */
  private adopt(settings: CacheSettings): void {
    this.settings = settings;
    for (const message of this.notes) settings.onNote?.(message);
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
    this.fileExisted = true;
    let data: unknown;
    let body: Buffer;
    let identity: Stats;
    let bodyAt: number;
    try {
      identity = fstatSync(fd);
      if (!identity.isFile()) {
        this.note(`the cache location ${file} is not a regular file: not used`);
        return undefined;
      }
      if (identity.size > MAX_CACHE_BYTES) {
        this.note(`the cache file ${file} is larger than ${MAX_CACHE_BYTES / 1024 / 1024} MiB: ignored`);
        return undefined;
      }
      // The header line first (JSON.stringify never writes a line break: the first one ends it).
      const header = readHeaderLine(fd, identity.size);
      // No line break: not a cache file of this format (`bodyAt` past its end fails the checks below).
      bodyAt = header.complete ? header.line.length + 1 : identity.size + 1;
      try {
        data = JSON.parse(header.line.toString('utf8'));
      } catch {
        this.note(`the cache file ${file} is not valid (truncated or corrupt): ignored, and rewritten`);
        return undefined;
      }
      // Then the sections before the entries, in one read. The entries (6.5 MB of 11.7 at 50k
      // files) are read only when needed, and one bucket of them when one entry is.
      const entriesAt = (data as Partial<CacheFile> | null)?.sections?.files?.[0];
      body = readRange(fd, bodyAt, Number.isInteger(entriesAt) ? Math.max(0, Math.min(entriesAt!, identity.size - bodyAt)) : 0);
    } catch (err) {
      this.note(`the cache file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): ignored`);
      return undefined;
    } finally {
      closeSync(fd);
    }
    const c = data as Partial<CacheFile> | null;
    if (c === null || typeof c !== 'object' || c.tool !== TOOL) {
      this.note(`${file} is not a pgconn-lint cache file: ignored, and replaced`);
      return undefined;
    }
    if (c.version === packageVersion() && c.format !== FORMAT) {
      this.note(`the cache file ${file} is in another format (written by a development build of pgconn-lint ${packageVersion()}): ignored, and rewritten`);
      return undefined;
    }
    if (c.format !== FORMAT || c.version !== packageVersion()) {
      this.note(`the cache file ${file} was written by pgconn-lint ${typeof c.version === 'string' ? c.version : '(unknown)'}: ignored, and rewritten`);
      return undefined;
    }
    // Another root, strategy, maxFileSize or TypeScript: a different cache, rebuilt without a note.
    if (c.key !== this.key) return undefined;
    const sections = c.sections;
    const bodyLength = identity.size - bodyAt;
    const validSection = (name: SectionName) => {
      const at = sections?.[name];
      return Array.isArray(at) && at.length === 2 && Number.isInteger(at[0]) && Number.isInteger(at[1]) && at[0] >= 0 && at[1] >= 0 && at[0] + at[1] <= (name === 'files' ? bodyLength : body.length);
    };
    if (bodyLength < 0 || typeof c.count !== 'number' || !Array.isArray(c.literal) || !validPending(c.pending) || !c.literal.every((l) => typeof l === 'string') || (c.git !== null && !isGitSnapshot(c.git)) || sections === null || typeof sections !== 'object') {
      this.note(`the cache file ${file} is not valid (corrupt): ignored, and rewritten`);
      return undefined;
    }
    if (!SECTIONS.every(validSection) || !validBuckets(c.buckets, sections.files[1])) {
      this.note(`the cache file ${file} is not valid (truncated or corrupt): ignored, and rewritten`);
      return undefined;
    }
    const at = (name: SectionName) => body.subarray(sections[name][0], sections[name][0] + sections[name][1]);
    this.oldBody = new EntriesSection(file, identity, bodyAt + sections.files[0], sections.files[1], c.buckets);
    // The other sections, parsed on first use; a corrupt one is a note and nothing (null).
    const corrupt = (what: string) => this.note(`the cache file ${file} is not valid (corrupt): its ${what} ignored`);
    const lazy = <T>(name: SectionName, what: string, valid: (v: unknown) => v is T): (() => T | null) => {
      let memo: { v: T | null } | undefined;
      return () => {
        if (memo !== undefined) return memo.v;
        let v: unknown;
        try {
          v = JSON.parse(at(name).toString('utf8'));
        } catch {
          v = undefined;
        }
        if (v !== null && !valid(v)) {
          corrupt(what);
          v = null;
        }
        memo = { v: v as T | null };
        return memo.v;
      };
    };
    const js = lazy('js', 'code facts were', (v): v is Omit<JsEntry, 'facts' | 'problems'> => v !== null && typeof v === 'object' && typeof (v as JsEntry).digest === 'string' && Array.isArray((v as JsEntry).reads) && Array.isArray((v as JsEntry).modules));
    const jsFacts = lazy('jsFacts', 'code facts were', (v): v is Pick<JsEntry, 'facts' | 'problems'> => v !== null && typeof v === 'object');
    const walkHead = lazy('walk', 'walk was', (v): v is object => typeof v === 'object');
    const candidates = lazy('candidates', 'walk was', (v): v is unknown[] => Array.isArray(v));
    const report = lazy('report', 'report was', isCachedReport);
    const out = c as CacheFile;
    Object.defineProperty(out, 'walkHead', { get: walkHead, enumerable: true });
    Object.defineProperty(out, 'candidates', { value: at('candidates'), enumerable: true });
    // The whole walk (discovery's `reuseWalk`): the head and its candidates, parsed.
    let whole: { v: unknown } | undefined;
    Object.defineProperty(out, 'walk', {
      enumerable: true,
      get: () => {
        if (whole === undefined) {
          const head = walkHead();
          whole = { v: head === null || typeof head !== 'object' ? head : { ...head, candidates: candidates() } };
        }
        return whole.v;
      },
    });
    Object.defineProperty(out, 'report', { get: report, enumerable: true });
    Object.defineProperty(out, 'js', {
      enumerable: true,
      get: () => {
        const head = js();
        if (head === null) return null;
        // The facts themselves only when the analysis is reused.
        return {
          ...head,
          get facts() {
            return jsFacts()?.facts;
          },
          get problems() {
            return jsFacts()?.problems;
          },
        };
      },
    });
    return out;
  }

  private rel(path: string): string {
    // The common case without path.relative's two resolves (43,000 calls at 50k files): a normalised
    // absolute path under the root. Anything that may not be normalised (`/.`, `//`) takes relative().
    const prefix = this.prefix();
    if (path.startsWith(prefix) && !path.includes(`${sep}.`, prefix.length - 1) && !path.includes(`${sep}${sep}`)) return path.slice(prefix.length);
    return relative(this.root, path);
  }

  /** The cache file's entries, parsed on first need; undefined when there are none (or they are corrupt: a note). */
  private oldFiles(): Record<string, FileEntry> | undefined {
    if (this.oldParsed !== undefined || this.oldBody === undefined) return this.oldParsed;
    const body = this.oldBody.all();
    this.oldBody = undefined;
    this.stats.entriesParsed = true;
    // Replaced since its header was read (another run wrote it): no entries, every file examined.
    if (body === undefined) return (this.oldParsed = Object.create(null) as Record<string, FileEntry>);
    try {
      const files = JSON.parse(body.toString('utf8')) as unknown;
      if (files === null || typeof files !== 'object' || Array.isArray(files)) throw new Error('not an object');
      this.oldParsed = files as Record<string, FileEntry>;
    } catch {
      this.note(`the cache file ${this.settings.file} is not valid (corrupt): its entries were ignored`);
      this.oldParsed = Object.create(null) as Record<string, FileEntry>;
    }
    return this.oldParsed;
  }

  /**
   * One entry of the cache file without reading them all: in its bucket's bytes, found as `"path":[`
   * after `{` or `,` (inside a JSON string a quote is escaped, so no value can hold that), then
   * parsed alone. Undefined (the file is then examined as a new one) when it is not there.
   */
  private oldEntry(rel: string): FileEntry | undefined {
    if (this.oldParsed !== undefined || this.oldBody === undefined) {
      const files = this.oldFiles();
      return files !== undefined && Object.hasOwn(files, rel) ? files[rel] : undefined;
    }
    const body = this.oldBody.bucket(entryBucket(rel));
    if (body === undefined) return undefined;
    const needle = Buffer.from(`${JSON.stringify(rel)}:[`, 'utf8');
    for (let at = body.indexOf(needle); at >= 0; at = body.indexOf(needle, at + 1)) {
      if (body[at - 1] !== 0x7b && body[at - 1] !== 0x2c) continue;
      const start = at + needle.length - 1;
      const end = endOfArray(body, start);
      if (end < 0) return undefined;
      try {
        return JSON.parse(body.subarray(start, end + 1).toString('utf8')) as FileEntry;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /**
   * The pre-filter's verdict on every code file: from the cache when the file is unchanged, else
   * read now (and stored). `explicit` files (named on the command line) and files whose read says
   * something (not plain UTF-8, unreadable) are left to the analysis, which reads them itself.
   * Sets the digest of all verdicts, the key of the cached analysis.
   */
  prefilter(paths: readonly string[], explicit: ReadonlySet<string>, readFile: (p: string) => SourceBytes): void {
    if (this.prefilterWithGit(paths, explicit, readFile)) return;
    // The digest's input, hashed once at the end (the same bytes as one update per file, without
    // 43,000 calls into the hash at 50k files).
    const digest: string[] = [JSON.stringify([resolve(this.root), [...explicit].sort()])];
    const oldFiles = this.oldFiles();
    for (const path of paths) {
      const rel = this.rel(path);
      const cached = !explicit.has(path) && oldFiles !== undefined && Object.hasOwn(oldFiles, rel) ? oldFiles[rel] : undefined;
      const o = this.examine(path, rel, cached, explicit.has(path), readFile);
      if (o.verdict === undefined) {
        // Read by the analysis itself, which reports what the read says: the digest takes the read as it is.
        digest.push(`${rel}\u0000?${o.readDigest}\u0000`);
        continue;
      }
      this.apply(path, rel, cached, o);
      digest.push(`${rel}\u0000${o.verdict === 'database' ? 'D' : JSON.stringify(o.verdict)}\u0000`);
    }
    this.digest = createHash('sha256').update(digest.join('')).digest('base64url');
  }

  /**
   * One code file against its cache entry: git vouches for it, or its size and mtime (content: its
   * hash) match, or it is read now. No side effect but `racy` (the outcome is applied by `apply`).
   */
  private examine(path: string, rel: string, cached: FileEntry | undefined, isExplicit: boolean, readFile: (p: string) => SourceBytes): Outcome {
    const valid = cached !== undefined && validEntry(cached);
    if (valid && this.git?.unchanged(rel) === true) {
      // Git vouches the content is the one the entry was made from: no stat, no read.
      return { verdict: cached[3] === 0 ? 'database' : cached[3], literal: cached[4] === 1, how: 'git' };
    }
    const content = this.settings.strategy === 'content';
    let st: { size: number; mtimeMs: number } | undefined;
    try {
      // Before the read: a change during the read leaves an older mtime, so it is seen next time.
      st = statSync(path);
    } catch {
      st = undefined;
    }
    if (valid && !content && st !== undefined && cached[0] === st.size && cached[1] === st.mtimeMs) return { verdict: cached[3] === 0 ? 'database' : cached[3], literal: cached[4] === 1, how: 'stat' };
    const r = readFile(path);
    if (!r.ok || !('bytes' in r) || isExplicit) return { verdict: undefined, readDigest: sourceDigest(r) };
    const hash = content ? hashOf(r.bytes) : null;
    const literal = mayHoldConnectionLiteral(r.bytes);
    let verdict: PrefilterVerdict;
    let how: Outcome['how'];
    if (content && valid && cached[2] === hash) {
      verdict = cached[3] === 0 ? 'database' : cached[3];
      how = 'hash';
    } else {
      const imports = importsUnlessDatabase(r.bytes);
      verdict = imports === undefined ? 'database' : imports;
      how = 'read';
    }
    const entry: FileEntry = [st?.size ?? -1, st?.mtimeMs ?? -1, hash, verdict === 'database' ? 0 : [...verdict], literal ? 1 : 0];
    const racy = st === undefined || st.size !== r.bytes.length || st.mtimeMs >= this.started - RACY_MS;
    return { verdict, literal, how, entry, racy };
  }

  /** Records an outcome of `examine`: the verdict, and the entry kept for the next run. */
  private apply(path: string, rel: string, cached: FileEntry | undefined, o: Outcome & { verdict: PrefilterVerdict }): void {
    this.literals.set(path, o.literal === true);
    this.verdicts.set(path, o.verdict);
    if (o.how === 'git') this.stats.gitUnchanged++;
    if (o.how === 'read') this.stats.verdictsComputed++;
    else this.stats.verdictsReused++;
    if (o.entry === undefined) {
      if (cached !== undefined) this.files[rel] = cached;
      return;
    }
    if (o.racy) this.racy.add(rel);
    const content = this.settings.strategy === 'content';
    if ((content || !o.racy) && (o.verdict === 'database' || !holdsSecret(o.verdict))) {
      this.files[rel] = o.entry;
      // A pending verdict (no size or mtime) found the same: not worth rewriting the cache file for
      // (~0.3 s at 50k files); the file stays pending, and is read again next time (one file).
      const samePending = cached !== undefined && cached[0] === -1 && JSON.stringify(cached[3]) === JSON.stringify(o.entry[3]) && cached[4] === o.entry[4];
      if (!sameEntry(cached, o.entry) && !samePending) this.dirty = true;
    } else {
      if (o.verdict === 'database' || !holdsSecret(o.verdict)) this.pending[rel] = [o.entry[3], o.entry[4]];
      // Nothing was kept for it before either: the file on disk does not need rewriting for it.
      if (cached !== undefined) this.unstored.add(rel);
    }
  }

  /**
   * The common warm run inside git (src/facts/git-changes.ts): the walk was reused (the same code
   * files in the same order), git vouches for all but a few files, and those few have the verdicts
   * they had. Then every verdict is the cache's, so the digest is the cached analysis's, and the
   * cache file's entries are not even parsed: those few are found in its text. Anything else (a
   * verdict changed, a new file, many files git does not vouch for) returns false, with nothing
   * changed, and the full check runs.
   */
  private prefilterWithGit(paths: readonly string[], explicit: ReadonlySet<string>, readFile: (p: string) => SourceBytes): boolean {
    const old = this.old;
    const digest = old?.js?.digest;
    // Every code file has an entry or a pending verdict (entries are only ever made for the paths of
    // the walk the file was written with, and the walk is the same).
    if (this.git === undefined || old === undefined || digest === undefined || this.walkUsed !== 'reused' || explicit.size > 0 || old.count + Object.keys(old.pending).length !== paths.length) return false;
    const rels = paths.map((p) => this.rel(p));
    const checked: Array<[number, FileEntry, Outcome & { verdict: PrefilterVerdict }]> = [];
    for (let i = 0; i < rels.length; i++) {
      if (this.git.unchanged(rels[i]!)) continue;
      if (checked.length >= MAX_LOOKUPS) return false;
      const p = Object.hasOwn(old.pending, rels[i]!) ? old.pending[rels[i]!] : undefined;
      // A pending verdict has no size or mtime: the file is read.
      const cached = this.oldEntry(rels[i]!) ?? (p !== undefined ? ([-1, -1, null, p[0], p[1]] as FileEntry) : undefined);
      if (cached === undefined || !validEntry(cached)) return false;
      const o = this.examine(paths[i]!, rels[i]!, cached, false, readFile);
      if (o.verdict === undefined || JSON.stringify(o.verdict) !== JSON.stringify(cached[3] === 0 ? 'database' : cached[3])) return false;
      checked.push([i, cached, o as Outcome & { verdict: PrefilterVerdict }]);
    }
    // No per-file map for the ~43,000 others (garbage the run would pay for): their literal flags
    // are the header's list, their verdicts the entries', looked up when asked (`verdict`).
    this.carried = { rels, checked: new Set(checked.map(([i]) => rels[i]!)), literal: new Set(old.literal) };
    for (const [i, cached, o] of checked) this.apply(paths[i]!, rels[i]!, cached, o);
    this.stats.gitUnchanged += this.carriedCount();
    this.stats.verdictsReused += this.carriedCount();
    this.digest = digest;
    return true;
  }

  /**
   * Whether a code file's text may hold a connection literal, when `prefilter` knows it (from the
   * cache or from its own read): `false` spares reading the file again for connection literals.
   */
  mayHoldLiteral(path: string): boolean | undefined {
    // (Asked about the code files `prefilter` was given only.)
    const known = this.literals.get(path);
    if (known !== undefined || this.carried === undefined) return known;
    return this.carried.literal.has(this.rel(path));
  }

  /**
   * Keeps this run's report for the next run (src/facts/report-cache.ts), or says why not. Needs the
   * walk and the analysis kept in this file, and git's snapshot (which learns the inputs that
   * changed just before the run: git's may predate what was read).
   */
  storeReport(report: StoredReport | string): void {
    // (No code file at all — a Python, Rails or Spring service —: there is no analysis to keep.)
    const noCode = this.walk !== null && !this.walk.candidates.some((c) => c[1] === 'js');
    const why = typeof report === 'string' ? report : this.walk === null ? 'the walk was not kept' : this.js === null && !noCode ? 'the code analysis was not kept' : this.gitNow === undefined ? 'git gave no snapshot' : undefined;
    if (why !== undefined || typeof report === 'string') {
      this.stats.reportNotStored = why;
      this.report = null;
      return;
    }
    for (const rel of racyInputs(report.inputs, this.root, this.started - RACY_MS)) this.racy.add(rel);
    const index = this.gitNow?.index;
    if (index === undefined || this.walk === null) {
      this.stats.reportNotStored = 'git gave no index';
      this.report = null;
      return;
    }
    const code = this.walk.candidates.filter((c) => c[1] === 'js');
    const untracked = code.map((c) => c[0]).filter((rel) => !index.has(sep === '/' ? rel : rel.split(sep).join('/')));
    this.report = { ...report, code: { count: code.length, untracked } };
  }

  /**
   * The report stored by an earlier run, when nothing it was built from has changed (the conditions
   * are src/facts/report-cache.ts's), as the result of this run; else undefined, with nothing
   * changed but the code files examined (`examine` has no side effect).
   */
  reusableReport(key: string, walkKey: string): ReusedReport | undefined {
    const old = this.old;
    const report = old?.report;
    if (old === undefined || report === null || report === undefined || report.key !== key) return undefined;
    // The walk first: its directories are checked while git's status may still run on the other core
    // (by `checkAhead`, when the CLI took that step before awaiting git). Its candidates are not
    // parsed: the same walk finds the same ones.
    const ahead = this.ahead;
    this.ahead = undefined;
    const walkDirs = ahead !== undefined && ahead.key === key && ahead.walkKey === walkKey ? ahead.dirs : unchangedWalkDirs(old.walkHead, walkKey, this.root);
    if (walkDirs === undefined) return undefined;
    const git = this.git;
    const now = this.gitNow;
    if (git === undefined || now === undefined || this.old === undefined) return undefined;
    // What `checkAheadWithIndex` found, when it was for these keys, directories and index.
    const indexed = this.aheadIndexed;
    this.aheadIndexed = undefined;
    const pre = indexed !== undefined && indexed.key === key && indexed.walkKey === walkKey && indexed.dirs === walkDirs && indexed.index === now.index ? indexed : undefined;
    // No analysis kept: only a tree without code files had none to keep.
    const js = old.js;
    if (js === null && report.code.count > 0) return undefined;
    const isCandidate = candidateTest(old);
    // The code files git may not vouch for: those its index did not hold when the report was
    // stored (its index holds the same paths now but for those git names: an entry added or
    // removed since differs from HEAD or from the commit before, so status or diff-tree names it),
    // and the code files git names.
    const unvouched = new Set(report.code.untracked);
    for (const name of git.named()) {
      const rel = sep === '/' ? name : name.split('/').join(sep);
      if (!unvouched.has(rel) && isCandidate(rel, 'js')) unvouched.add(rel);
    }
    // The code files git does not vouch for: the same verdict, and no connection string then or now.
    const access = new FileAccess(this.root);
    const readFile = (p: string) => {
      const a = access.check(p);
      return a.ok ? readSourceBytes(p, this.maxFileBytes, true) : { ok: false as const, path: p, problem: access.problemFor(p, a.reason) };
    };
    let looked = 0;
    for (const rel of unvouched) {
      // A path the cache file names outside the root (the file is input) is not even statted.
      const path = this.inside(rel);
      if (path === undefined) return undefined;
      if (git.unchanged(rel)) continue;
      if (++looked > MAX_LOOKUPS) return undefined;
      const p = Object.hasOwn(old.pending, rel) ? old.pending[rel] : undefined;
      const cached = this.oldEntry(rel) ?? (p !== undefined ? ([-1, -1, null, p[0], p[1]] as FileEntry) : undefined);
      if (cached === undefined || !validEntry(cached) || cached[4] !== 0) return undefined;
      const o = this.examine(path, rel, cached, false, readFile);
      if (o.verdict === undefined || o.literal || JSON.stringify(o.verdict) !== JSON.stringify(cached[3] === 0 ? 'database' : cached[3])) return undefined;
    }
    // Every file the code analysis read (parsed modules, tsconfig.json, package.json) reads the same.
    for (const [rel, digest] of pre?.reads ?? js?.reads ?? []) {
      const path = this.inside(rel);
      if (path === undefined) return undefined;
      // Missing first: ~5,900 of the 7,300 reads at 50k files, none of them in git's index.
      if (stillMissing(path, digest, walkDirs) || git.unchanged(rel)) continue;
      if (readDigest(path, readFile(path)) !== digest) return undefined;
    }
    if (!inputsUnchanged(report.inputs, this.root, git)) return undefined;
    // Git tracks the same files among those a finding can be in.
    const tracked = pre !== undefined ? pre.tracked : trackedAmong(this.root, now, report.tracked.asked);
    if (!sameTracked(report, tracked)) return undefined;
    const reused = pre?.reused ?? reusedReport(report, this.root, tracked.files, isCandidate);
    if (reused === undefined) return undefined;
    this.stats.reportReused = true;
    this.stats.walkReused = true;
    this.stats.analysisReused = true;
    this.stats.gitUnchanged = report.code.count - looked;
    this.stats.verdictsReused = report.code.count;
    return reused;
  }

  /** The directories of the walk, when discovery reused it (each checked unchanged this run), absolute. */
  private walkDirs(): ReadonlySet<string> | undefined {
    if (this.walkUsed !== 'reused' || this.walk === null) return undefined;
    return (this.walkDirSet ??= new Set(this.walk.dirs.map((d) => resolve(this.root, d[0]))));
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
      exempt: this.settings.file,
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
    const known = this.verdicts.get(path);
    if (known !== undefined) return known;
    if (this.carried === undefined) return undefined;
    const rel = this.rel(path);
    const files = this.oldFiles();
    const e = files !== undefined && Object.hasOwn(files, rel) ? files[rel] : undefined;
    if (e === undefined || !validEntry(e)) return undefined;
    const v: PrefilterVerdict = e[3] === 0 ? 'database' : e[3];
    this.verdicts.set(path, v);
    return v;
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
      const moduleRels = new Set(js.modules.map(([rel]) => rel));
      const dirs = this.walkDirs();
      for (const [rel, digest] of js.reads) {
        const path = this.inside(rel);
        if (path === undefined) return undefined;
        if (!moduleRels.has(rel) && stillMissing(path, digest, dirs)) continue;
        if (this.git?.unchanged(rel) === true) {
          // Git vouches for it: only a parsed module's text is needed (suppressions, frames).
          if (!moduleRels.has(rel)) continue;
          const r = readFile(path);
          if (!r.ok) return undefined;
          texts.set(path, analysedSourceText(r));
          continue;
        }
        const r = readFile(path);
        if (readDigest(path, r) !== digest) return undefined;
        texts.set(path, analysedSourceText(r));
        // A symbolic link stays one git does not vouch for when this run rewrites the cache (`storeAnalysis`).
        if (this.gitNow !== undefined && lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() === true) this.racy.add(rel);
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

  /** The root with one separator after it. */
  private prefix(): string {
    if (this.rootPrefix === undefined) {
      const base = resolve(this.root);
      this.rootPrefix = base.endsWith(sep) ? base : base + sep;
    }
    return this.rootPrefix;
  }

  /** A path of the cache, under the root (a cache naming `../x` or an absolute path names nothing). */
  private inside(rel: unknown): string | undefined {
    if (typeof rel !== 'string' || rel === '' || isAbsolute(rel)) return undefined;
    // The common case without resolve and relative (7,300 reads at 50k files): no `.`, `..` or
    // empty segment, so the path is the root's and the name as written.
    if (sep === '/' && !NOT_PLAIN.test(rel)) return this.prefix() + rel;
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
      // Read after git's snapshot: a change just before or during the run is checked next time. A
      // symbolic link too, every time: git vouches for the link's text, not for what it leads to.
      if (this.gitNow !== undefined && outlivesSnapshot(path, this.started - RACY_MS)) this.racy.add(rel);
      readList.push([rel, d !== null && d.startsWith('f') && d === sourceDigest(missingFile(path)) ? MISSING : d]);
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
    // A tracked cache file is part of the repository, not ours to rewrite.
    if (this.gitState() && this.tracked) return;
    // Nothing learnt and nothing gone: the file on disk already says all of it.
    const old = this.old;
    // A file just edited (racy: its verdict is not kept yet) does not make it stale either: its old
    // entry no longer matches its size and mtime, so it is read again next time, as now.
    if (old !== undefined && !this.dirty && this.stats.analysisReused && this.walkUsed === 'reused' && old.count + Object.keys(old.pending).length === Object.keys(this.files).length + this.carriedCount() + this.unstored.size && JSON.stringify(old.report) === JSON.stringify(this.report)) return;
    // Entries carried over unparsed are parsed now, to be written again.
    if (this.carried !== undefined && this.carriedCount() > 0) {
      const oldFiles = this.oldFiles() ?? {};
      for (const rel of this.carried.rels) if (!this.carried.checked.has(rel) && Object.hasOwn(oldFiles, rel) && !Object.hasOwn(this.files, rel)) this.files[rel] = oldFiles[rel]!;
    }
    const literal = Object.keys(this.files).filter((rel) => this.files[rel]![4] === 1);
    const now = this.gitNow;
    const git = now === undefined ? null : { head: now.head, changed: [...new Set([...now.changed, ...[...this.racy].map((r) => r.split(sep).join('/'))])].sort() };
    const pending: CacheFile['pending'] = {};
    for (const [rel, v] of Object.entries(this.pending)) if (!Object.hasOwn(this.files, rel)) pending[rel] = v;
    const js = this.js;
    const entries = encodeEntries(this.files);
    const parts: Record<SectionName, Buffer> = {
      walk: Buffer.from(JSON.stringify(this.walk === null ? null : { ...this.walk, candidates: undefined })),
      candidates: Buffer.from(JSON.stringify(this.walk === null ? null : this.walk.candidates)),
      js: Buffer.from(JSON.stringify(js === null ? null : { digest: js.digest, reads: js.reads, modules: js.modules })),
      jsFacts: Buffer.from(JSON.stringify(js === null ? null : { facts: js.facts, problems: js.problems })),
      report: Buffer.from(JSON.stringify(this.report)),
      files: entries.bytes,
    };
    const sections = {} as Record<SectionName, [number, number]>;
    let offset = 0;
    for (const name of SECTIONS) {
      sections[name] = [offset, parts[name].length];
      offset += parts[name].length;
    }
    const header: Omit<CacheFile, 'js' | 'walk' | 'walkHead' | 'candidates' | 'report'> = { tool: TOOL, format: FORMAT, version: packageVersion(), key: this.key, count: Object.keys(this.files).length, literal, pending, git, sections, buckets: entries.buckets };
    const text = Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), ...SECTIONS.map((n) => parts[n])]);
    const file = this.settings.file;
    if (text.length > MAX_CACHE_BYTES) {
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

/**
 * This build of pgconn-lint: the size and mtime of the file this code was loaded from (a bundle
 * chunk, or dist/src/facts/cache.js), which every build rewrites. A rebuild with the same version
 * (a development checkout) has other rules and extractors: its cache is another one.
 */
function buildStamp(): string {
  try {
    const st = statSync(fileURLToPath(import.meta.url));
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return '';
  }
}

/**
 * A read that found no file (`digest` is a missing file's), in a directory of a walk checked
 * unchanged this run: still missing, without a `stat`. The directory's listing is the one it had
 * when the walk and the reads were last checked together (a run keeps both only when both held),
 * and a file created in it since would have changed its mtime.
 */
function stillMissing(path: string, digest: string, dirs: ReadonlySet<string> | undefined): boolean {
  return digest === MISSING && dirs !== undefined && dirs.has(dirname(path));
}

/** A read of the analysis as the cache keeps it: `sourceDigest`, or MISSING for a file that does not exist. */
function readDigest(path: string, r: SourceBytes): string {
  const d = sourceDigest(r);
  return !r.ok && d === sourceDigest(missingFile(path)) ? MISSING : d;
}


/** The digest kept for a read that found no file (module resolution looks for many: 5,900 at 50k files). */
const MISSING = '-';

/** How many buckets the entries are written in (`CacheFile.buckets`): ~170 entries each at 43,000. */
const BUCKETS = 256;

/** The bucket of an entry's path: FNV-1a of its UTF-16 code units. */
export function entryBucket(rel: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < rel.length; i++) h = Math.imul(h ^ rel.charCodeAt(i), 0x01000193);
  return (h >>> 0) % BUCKETS;
}

/** The entries section: one JSON object, its members bucket by bucket, and where each bucket starts. */
export function encodeEntries(files: Record<string, unknown>): { bytes: Buffer; buckets: number[] } {
  const groups: Array<Record<string, unknown>> = Array.from({ length: BUCKETS }, () => Object.create(null) as Record<string, unknown>);
  for (const rel of Object.keys(files)) groups[entryBucket(rel)]![rel] = files[rel];
  const parts: Buffer[] = [Buffer.from('{')];
  const buckets: number[] = [];
  let offset = 1;
  let first = true;
  for (const g of groups) {
    buckets.push(offset);
    const json = JSON.stringify(g);
    if (json === '{}') continue;
    // The members without the braces, after a comma unless they are the object's first.
    const part = Buffer.from(`${first ? '' : ','}${json.slice(1, -1)}`);
    first = false;
    parts.push(part);
    offset += part.length;
  }
  buckets.push(offset);
  parts.push(Buffer.from('}'));
  return { bytes: Buffer.concat(parts), buckets };
}

function validBuckets(b: unknown, length: number): b is number[] {
  if (!Array.isArray(b) || b.length !== BUCKETS + 1) return false;
  let last = 0;
  for (const x of b) {
    if (!Number.isInteger(x) || (x as number) < last || (x as number) > length) return false;
    last = x as number;
  }
  return true;
}

/**
 * The cache file's entries, read when first needed: whole (`all`) or one bucket. The file is opened
 * again then, and its bytes used only if it is still the file the header was read from (the same
 * device, inode, size and times: a cache written meanwhile is renamed over it, a new inode).
 */
class EntriesSection {
  private readonly buckets = new Map<number, Buffer | undefined>();
  constructor(
    private readonly file: string,
    private readonly identity: Stats,
    private readonly at: number,
    private readonly length: number,
    private readonly offsets: readonly number[],
  ) {}

  all(): Buffer | undefined {
    return this.range(0, this.length);
  }

  /** Bucket `b`'s bytes and the one before them: each member is after a `,` or, the object's first, its `{` (`oldEntry` checks). */
  bucket(b: number): Buffer | undefined {
    if (!this.buckets.has(b)) {
      const start = Math.max(0, this.offsets[b]! - 1);
      this.buckets.set(b, this.range(start, this.offsets[b + 1]! - start));
    }
    return this.buckets.get(b);
  }

  private range(start: number, length: number): Buffer | undefined {
    let fd: number;
    try {
      fd = openSync(this.file, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {
      return undefined;
    }
    try {
      const st = fstatSync(fd);
      const id = this.identity;
      if (st.dev !== id.dev || st.ino !== id.ino || st.size !== id.size || st.mtimeMs !== id.mtimeMs || st.ctimeMs !== id.ctimeMs) return undefined;
      return readRange(fd, this.at + start, length);
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }
}

/** `length` bytes of `fd` from `position` (fewer at its end); every byte overwritten, so not zero-filled first. */
function readRange(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  return buf.subarray(0, readFully(fd, buf, position));
}

/** The cache file's first line, without its line break (`complete`), or all of it when it has none. */
function readHeaderLine(fd: number, size: number): { line: Buffer; complete: boolean } {
  const chunks: Buffer[] = [];
  let position = 0;
  while (position < size) {
    const chunk = readRange(fd, position, Math.min(64 * 1024, size - position));
    if (chunk.length === 0) break;
    const nl = chunk.indexOf(0x0a);
    if (nl >= 0) {
      chunks.push(chunk.subarray(0, nl));
      return { line: Buffer.concat(chunks), complete: true };
    }
    chunks.push(chunk);
    position += chunk.length;
  }
  return { line: Buffer.concat(chunks), complete: false };
}

/**
 * The index of the `]` closing the array that opens at `start` (strings skipped), or -1. On UTF-8
 * bytes: the ASCII bytes looked for never occur inside a multi-byte character.
 */
function endOfArray(text: Buffer, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === 0x22) {
      // A string: to its closing quote, past escapes.
      for (i++; i < text.length && text[i] !== 0x22; i++) if (text[i] === 0x5c) i++;
    } else if (ch === 0x5b) depth++;
    else if (ch === 0x5d && --depth === 0) return i;
  }
  return -1;
}

function sameEntry(a: FileEntry | undefined, b: FileEntry): boolean {
  return a !== undefined && a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[4] === b[4] && JSON.stringify(a[3]) === JSON.stringify(b[3]);
}

function validPending(p: unknown): p is CacheFile['pending'] {
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return false;
  return Object.values(p).every((v) => Array.isArray(v) && v.length === 2 && (v[1] === 0 || v[1] === 1) && (v[0] === 0 || (Array.isArray(v[0]) && (v[0] as unknown[]).every((x) => typeof x === 'string'))));
}

/** The cache `keepForNextOpen` kept for the next `FactsCache.open` (one per process). */
let keptForNextOpen: FactsCache | undefined;

/** `checkAheadWithIndex` of the cache the next `FactsCache.open` gets, if one is kept. */
export function checkKeptCacheWithIndex(): void {
  keptForNextOpen?.checkAheadWithIndex();
}

/** What `checkAheadWithIndex` found (`reads`: the analysis's, less the files known missing). */
interface AheadIndexed {
  key: string;
  walkKey: string;
  dirs: ReadonlySet<string>;
  index: IndexPaths;
  reads: Array<[string, string]>;
  tracked: GitTrackedFiles | undefined;
  reused: ReusedReport | undefined;
}

/** Does git track the same files now, among those a finding can be in, as when the report was stored? */
function sameTracked(report: StoredReport, tracked: GitTrackedFiles | undefined): tracked is GitTrackedFiles {
  return tracked !== undefined && tracked.files.size === report.tracked.files.length && report.tracked.files.every((f) => tracked.files.has(f));
}

/**
 * Is a path relative to the root a candidate of the cached walk (with that kind, when asked)? Found
 * in the candidates section's text as `["path","` (a quote inside a JSON string is escaped, so no
 * string holds that).
 */
function candidateTest(old: CacheFile): (rel: string, kind?: 'js') => boolean {
  const candidateText = old.candidates;
  return (rel, kind) => candidateText.includes(`[${JSON.stringify(rel)},"${kind === undefined ? '' : `${kind}"]`}`);
}

function validEntry(e: unknown): e is FileEntry {
  if (!Array.isArray(e) || e.length !== 5) return false;
  const [size, mtime, hash, verdict, literal] = e as unknown[];
  return (literal === 0 || literal === 1) && typeof size === 'number' && typeof mtime === 'number' && (hash === null || typeof hash === 'string') && (verdict === 0 || (Array.isArray(verdict) && verdict.every((s) => typeof s === 'string')));
}
