import { existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { youngGenerationCheckpoint } from '../core/gc.js';
import type { InputProblem } from '../core/diagnostic.js';
import { isPlatformFileName } from '../sources/platform/names.js';
import { rangeOnLine } from '../core/location.js';
import { FileAccess } from '../core/file-access.js';
import { childPath, findRepoRoot, inside } from '../core/paths.js';
import { reuseWalk, walkKeyOf, WalkRecorder, type WalkCache } from './walk-cache.js';

/** Directories never descended into unless named explicitly (ESLint and most linters do the same). */
export const DEFAULT_IGNORED_DIRS = ['node_modules', 'dist', 'build', '.git', '__pycache__', 'site-packages'];

export type CandidateKind =
  | 'postgresql-conf'
  | 'pgbouncer-ini'
  | 'maybe-ini'
  | 'js'
  | 'env'
  | 'prisma-schema'
  | 'prisma-config'
  | 'deployment'
  | 'dockerfile'
  | 'platform'
  /** Rails config/database.yml (a YAML file of another name or place is read as a deployment file). */
  | 'rails-database'
  /** Puma's config/puma.rb (Ruby). */
  | 'puma-config'
  /** Sidekiq's config/sidekiq.yml (ERB + YAML). */
  | 'sidekiq-config'
  /** Spring Boot application[-profile].properties / .yml / .yaml. */
  | 'spring-config'
  /** Python code (`*.py`): only files that pass the pre-filter (src/sources/python/prefilter.ts) are parsed. */
  | 'python';

export interface Candidate {
  path: string;
  kind: CandidateKind;
  /** Named on the command line: always linted, whatever its name. */
  explicit: boolean;
}

export interface DiscoveryResult {
  root: string;
  candidates: Candidate[];
  /** Files that were passed over with a reason worth telling (symlink loops, unreadable directories). */
  notes: InputProblem[];
  /** Number of files looked at (for statistics). */
  filesSeen: number;
  /** Every package.json walked over (a package's name and directory name a service in the deployment model). */
  packageJsons: string[];
  /** What the input may make pgconn-lint read: every later read goes through it (docs/security.md). */
  access: FileAccess;
  /** What was passed over, for `--verbose`: inputs pgconn-lint would have read, and ignored directories (at most MAX_SKIPPED). */
  skipped: SkippedEntry[];
  /**
   * The directories the walk listed (absolute, as walked), each with which of `PROBED_NAMES` its
   * listing held (`probedMask`): the code analysis's probes for those names in them are answered
   * from it (`listedEntry`). Absent when the walk did not keep it (a result built elsewhere).
   */
  listed?: ReadonlyMap<string, number>;
}

/**
 * Names the code analysis looks for in many directories (src/sources/js/project.ts `probe`: a
 * package.json in every directory above a code file for the workspace packages, a tsconfig.json
 * for `baseUrl`, the root's pnpm-workspace.yaml). On the 50,000-file bench tree that was a `stat`
 * and an `access` for each of 6,150 directories, ~130 ms of CPU (docs/decisions.md D63).
 */
export const PROBED_NAMES = ['package.json', 'tsconfig.json', 'pnpm-workspace.yaml'] as const;
const PROBED_BIT = new Map<string, number>(PROBED_NAMES.map((n, i) => [n, 1 << i]));
/** A listing held a probed name in another case (`Package.json`): on a case-insensitive file system that is the file asked for, so such a directory's listing answers nothing. */
const CASE_VARIANT = 1 << 7;
const PROBED_LENGTHS = new Set<number>(PROBED_NAMES.map((n) => n.length));

/** The bits of one directory entry's name in a listing's mask (0 for most names). */
export function probedMask(name: string): number {
  if (!PROBED_LENGTHS.has(name.length)) return 0;
  const exact = PROBED_BIT.get(name);
  if (exact !== undefined) return exact;
  return PROBED_BIT.has(name.toLowerCase()) ? CASE_VARIANT : 0;
}

/** Is a valid mask (a walk record is input: src/discovery/walk-cache.ts checks what it reads)? */
export function isProbedMask(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xff;
}

/**
 * Did the walk's listing of `path`'s directory hold `path`'s name? True or false for a probed name
 * in a directory the walk listed; undefined otherwise (ask the file system), and for a directory
 * whose listing held a probed name in another case.
 */
export function listedEntry(listed: ReadonlyMap<string, number> | undefined, path: string): boolean | undefined {
  if (listed === undefined) return undefined;
  const bit = PROBED_BIT.get(basename(path));
  if (bit === undefined) return undefined;
  const mask = listed.get(dirname(path));
  if (mask === undefined || (mask & CASE_VARIANT) !== 0) return undefined;
  return (mask & bit) !== 0;
}

export interface SkippedEntry {
  path: string;
  /** `gitignore`, `ignore-pattern`, `default-ignored` (node_modules, dist …), or `link` (see the notes). */
  reason: 'gitignore' | 'ignore-pattern' | 'default-ignored';
  directory: boolean;
}

/** The --verbose list of skipped entries is a sample: a repository can ignore millions of files. */
const MAX_SKIPPED = 1000;

export interface DiscoveryOptions {
  cwd: string;
  paths: string[];
  /** gitignore-style patterns, relative to cwd (--ignore-pattern). */
  ignorePatterns: string[];
  /** The config file's ignorePatterns, relative to the config file's directory (as ESLint's are). */
  configIgnore?: { base: string; patterns: string[] };
  /** Skip .gitignore files (--no-gitignore). */
  noGitignore?: boolean;
}

const PG_CONF_NAME = /^postgresql(\.auto)?\.conf$/;
/** Project-specific names seen in the wild: customPostgresql.conf, postgresql-platform-defaults.conf, postgresql.conf.j2 … */
const PG_CONF_LIKE = /postgres(ql)?[^/]*\.conf(\.(sample|j2|tmpl|template|in|example))?$/i;
const PGBOUNCER_NAME = /^pgbouncer[^/]*\.ini$/i;
/** Source files read by the code analysis; declaration files and minified bundles hold no connection code of the project's. */
const JS_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const JS_SKIP = /\.d\.[cm]?ts$|\.min\.js$/;
/** Prisma 7's config file (prisma.config.ts and its .js/.mts/.cts/.mjs/.cjs forms). */
const PRISMA_CONFIG = /^prisma\.config\.[cm]?[jt]s$/;
/** Spring Boot's config data files (Spring Boot reference, "External Application Properties"): application.properties/.yml/.yaml and application-{profile}.*. */
const SPRING_CONFIG = /^application(-[\w.-]+)?\.(properties|ya?ml)$/;
/**
 * Dockerfiles: `Dockerfile` (BuildKit also falls back to `dockerfile`), `Dockerfile.<variant>` and
 * `<variant>.Dockerfile`; not the per-Dockerfile ignore files (`Dockerfile.dockerignore`) nor templates
 * that are not Dockerfiles until rendered (`Dockerfile.j2`, `Dockerfile.template`).
 */
const DOCKERFILE = /^(dockerfile(\.[\w.-]+)?|[\w.-]+\.dockerfile)$/i;

export function classifyByName(file: string): CandidateKind | null {
  return classifyName(basename(file));
}

/** `classifyByName` for a bare file name (a directory entry). */
function classifyName(name: string): CandidateKind | null {
  if (DOCKERFILE.test(name) && !/\.(dockerignore|j2|jinja2?|tmpl|tpl|template|erb|in)$/i.test(name)) return 'dockerfile';
  if (PG_CONF_NAME.test(name) || PG_CONF_LIKE.test(name)) return 'postgresql-conf';
  if (PGBOUNCER_NAME.test(name)) return 'pgbouncer-ini';
  if (/\.ini$/i.test(name)) return 'maybe-ini';
  if (name === '.env' || name.startsWith('.env.')) return 'env';
  if (name.endsWith('.prisma')) return 'prisma-schema';
  if (PRISMA_CONFIG.test(name)) return 'prisma-config';
  if (name === 'database.yml') return 'rails-database';
  if (name === 'puma.rb') return 'puma-config';
  if (name === 'sidekiq.yml' || name === 'sidekiq.yml.erb') return 'sidekiq-config';
  if (SPRING_CONFIG.test(name)) return 'spring-config';
  // compose, Kubernetes, PM2 and serverless files (the YAML extractor sorts them by content).
  if (/\.ya?ml$/i.test(name) || name === 'vercel.json' || /^ecosystem([.-][\w-]+)*\.(config\.)?([cm]?js|json5?)$/.test(name)) return 'deployment';
  if (JS_FILE.test(name) && !JS_SKIP.test(name)) return 'js';
  // A hosting platform's config file (netlify.toml, wrangler.toml, Procfile, fly.toml): how code runs.
  // (sst.config.ts and render.yaml are read as code and YAML above; the facts take them by name too.)
  if (isPlatformFileName(name)) return 'platform';
  // Python code: only files that pass the pre-filter (src/sources/python/prefilter.ts) are parsed.
  if (name.endsWith('.py')) return 'python';
  return null;
}

/** For an explicitly named file whose name says nothing: sniff it. */
function classifyExplicit(file: string): CandidateKind {
  const byName = classifyByName(file);
  if (byName) return byName;
  if (/\.conf$/i.test(file)) return 'postgresql-conf';
  return 'maybe-ini';
}

interface IgnoreLayer {
  dir: string;
  ig: Ignore;
  /**
   * The layer's answers by entry name (`name`, or `name/` for a directory), when they depend on the
   * name alone: every pattern of the .gitignore is name-only (`nameOnlyPatterns`) and every directory
   * between the layer's and the one walked was checked against the layer and walked into (the walk
   * below: a layer of a directory walked). Undefined otherwise (the layers above a starting directory
   * or a linked directory's target, whose directories in between were never checked): then each entry
   * is tested by its path.
   */
  byName?: Map<string, Verdict>;
  /**
   * With `byName`: what a name must hold to be matched by some pattern of the layer, `!` patterns
   * included (`NameLiterals`). A name that holds none of it is matched by no pattern, so `ignore` is
   * not asked: most names of a tree are met once, and asking costs ~3 µs.
   */
  literals?: NameLiterals;
}

/**
 * What one .gitignore says of an entry: its last matching pattern excludes it (`IGNORED`), a `!`
 * pattern matched last and re-includes it (`UNIGNORED`), or no pattern matches (`NO_MATCH`).
 * gitignore(5): patterns in a deeper .gitignore override those of the files above it, so the
 * deepest layer with a matching pattern decides (root `tmp/`, `svc/.gitignore` `!tmp/`: git walks
 * `svc/tmp/`).
 */
type Verdict = 0 | 1 | 2;
const NO_MATCH = 0;
const IGNORED = 1;
const UNIGNORED = 2;
const verdictOf = (ig: Ignore, path: string): Verdict => {
  const r = ig.test(path);
  return r.ignored ? IGNORED : r.unignored ? UNIGNORED : NO_MATCH;
};

/** A line as `ignore` reads it: without the `\r` of a CRLF and trailing spaces (a tab stays; leading spaces stay: ` #x` is a pattern). */
function gitignoreLine(raw: string): string {
  return raw.replace(/\r$/, '').replace(/ +$/, '');
}

/**
 * What a name must hold to be matched by a pattern of a name-only layer, lower-cased (`ignore`
 * matches case-insensitively by default): `exact`, the patterns without a wildcard (such a pattern
 * matches the name it spells and no other: `build/` does not match `build-tenant.ts`); `pieces`,
 * the longest literal piece of each pattern with one (a glob matches a name only if the name holds
 * every literal piece of it).
 */
export interface NameLiterals {
  exact: ReadonlySet<string>;
  pieces: readonly string[];
}

/**
 * Is every pattern of a .gitignore name-only (`nameOnlyPatterns`), and then what a name must hold to
 * be matched by one of them, a `!` pattern's too (it decides when it matches, `Verdict`): `*`, `?`
 * and `[…]` are the only wildcards of a pattern without a backslash. `literals` is undefined when
 * some pattern has no literal piece (`*`, `?.?`, `!*`) or holds non-ASCII text.
 */
export function nameOnlyLayer(text: string): { literals: NameLiterals | undefined } | undefined {
  if (!nameOnlyPatterns(text)) return undefined;
  const exact = new Set<string>();
  const pieces: string[] = [];
  for (const raw of text.split('\n')) {
    const line = gitignoreLine(raw);
    if (line === '' || line.startsWith('#')) continue;
    const pattern = line.startsWith('!') ? line.slice(1) : line;
    const body = pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
    // Non-ASCII text is left to `ignore`: case folding beyond ASCII is not `toLowerCase`.
    if (!/^[\x20-\x7e]+$/.test(body)) return { literals: undefined };
    if (!/[*?[\]]/.test(body)) {
      exact.add(body.toLowerCase());
      continue;
    }
    // With a character class (`[…]`, where `]` may be a member), only the text before the first
    // wildcard is surely literal; without one, every piece between `*` and `?` is.
    const parts = /[[\]]/.test(body) ? [body.split(/[*?[\]]/)[0]!] : body.split(/[*?]/);
    let longest = '';
    for (const part of parts) if (part.length > longest.length) longest = part;
    if (longest === '') return { literals: undefined };
    pieces.push(longest.toLowerCase());
  }
  return { literals: { exact, pieces } };
}

/**
 * Is every pattern of a .gitignore name-only: without a `/` other than a trailing one? gitignore(5):
 * a pattern with a separator "at the beginning or middle" is relative to the .gitignore's directory,
 * "otherwise the pattern may also match at any level below" it, so a name-only pattern matches an
 * entry by its last segment. `ignore` tests a path's parents first (an entry of an excluded
 * directory is excluded) and then the patterns, last match first, each against the basename or the
 * path: for name-only patterns both give the same answer. So, for a directory walked into (its
 * ancestors under the layer all checked and not excluded), the answer for `a/b/name` is the answer
 * for `name`. Conservative: a pattern with `**`, a backslash (escapes) or nothing left but `/` makes
 * the file not name-only.
 */
export function nameOnlyPatterns(text: string): boolean {
  for (const raw of text.split('\n')) {
    const line = gitignoreLine(raw);
    if (line === '' || line.startsWith('#')) continue;
    if (line.includes('\\') || line.includes('**')) return false;
    let body = line.startsWith('!') ? line.slice(1) : line;
    if (body.endsWith('/')) body = body.slice(0, -1);
    if (body === '' || body.includes('/')) return false;
  }
  return true;
}

/** A .gitignore larger than this is not a real one (git's own are a few KiB). */
const MAX_GITIGNORE_BYTES = 1024 * 1024;

/** Can a pattern of the layer match `name`: is it, lower-cased, one of `exact`, or does it contain one of `pieces`? */
export function mayMatchName(name: string, literals: NameLiterals): boolean {
  const lower = name.toLowerCase();
  if (literals.exact.has(lower)) return true;
  const pieces = literals.pieces;
  for (let i = 0; i < pieces.length; i++) if (lower.includes(pieces[i]!)) return true;
  return false;
}

function loadGitignore(dir: string, access: FileAccess, notes: InputProblem[], record?: (path: string) => void): { ig: Ignore; nameOnly: ReturnType<typeof nameOnlyLayer> } | null {
  const p = join(dir, '.gitignore');
  // Before the read: a change during it leaves a newer ctime, seen by the next run (src/discovery/walk-cache.ts).
  record?.(p);
  if (!existsSync(p)) return null;
  const a = access.check(p);
  if (!a.ok) {
    notes.push({ message: `.gitignore ${a.reason}; its patterns are not applied.`, range: rangeOnLine(p, 1, 1, 0), severity: 'warning' });
    return null;
  }
  const t = access.readText(p, MAX_GITIGNORE_BYTES);
  if (!t.ok) return null;
  try {
    return { ig: ignore().add(t.text), nameOnly: nameOnlyLayer(t.text) };
  } catch {
    return null;
  }
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

// The repository root (src/core/paths.ts: light, for the entry point that starts git before the CLI loads).
export { findRepoRoot };

/**
 * The key of the walk `discover` would cache for these options (one path named), or undefined when
 * it caches none; `outside` says whether a path named lies outside the repository root.
 */
export function walkKeyFor(options: DiscoveryOptions): { root: string; key: string | undefined; outside: boolean } {
  const cwd = resolve(options.cwd);
  const root = findRepoRoot(cwd);
  // The walk cache (with --cache): one directory named (`.`, the pre-commit run's repository root),
  // reused whole when no directory walked and no .gitignore read has changed (src/discovery/walk-cache.ts).
  const single = options.paths.length <= 1 ? resolve(cwd, options.paths[0] ?? '.') : undefined;
  return { root, key: single !== undefined ? walkKeyOf(options, cwd, single) : undefined, outside: FileAccess.namedOutside(root, cwd, options.paths).length > 0 };
}

export function discover(options: DiscoveryOptions, walkCache?: WalkCache): DiscoveryResult {
  const cwd = resolve(options.cwd);
  const root = findRepoRoot(cwd);
  const access = new FileAccess(root, FileAccess.namedOutside(root, cwd, options.paths));
  const walkKey = walkCache !== undefined ? walkKeyFor(options).key : undefined;
  if (walkKey !== undefined) {
    const hit = reuseWalk(walkCache!.get(), walkKey, root, access);
    if (hit !== undefined) {
      walkCache!.reused?.();
      return hit;
    }
  }
  const recorder = walkKey !== undefined ? new WalkRecorder(root, walkCache?.exempt) : undefined;
  const recordGitignore = recorder ? (p: string) => recorder.file(p) : undefined;
  const userIgnore = ignore().add(options.ignorePatterns);
  const candidates: Candidate[] = [];
  const packageJsons: string[] = [];
  const listed = new Map<string, number>();
  const notes: InputProblem[] = [];
  const seen = new Set<string>();
  const skipped: SkippedEntry[] = [];
  const skip = (path: string, reason: SkippedEntry['reason'], directory: boolean) => {
    if (skipped.length < MAX_SKIPPED) skipped.push({ path, reason, directory });
  };
  let filesSeen = 0;

  // No patterns ignore nothing: skip the per-entry path arithmetic.
  const hasUserPatterns = options.ignorePatterns.length > 0;
  const configBase = options.configIgnore && options.configIgnore.patterns.length > 0 ? resolve(options.configIgnore.base) : undefined;
  const configIgnore = configBase !== undefined ? ignore().add(options.configIgnore!.patterns) : undefined;
  const matches = (ig: Ignore, base: string, abs: string, isDir: boolean): boolean => {
    const rel = toPosix(relative(base, abs));
    if (rel === '' || rel.startsWith('..')) return false;
    return ig.ignores(isDir ? `${rel}/` : rel);
  };
  const userIgnored = (abs: string, isDir: boolean): boolean =>
    (hasUserPatterns && matches(userIgnore, cwd, abs, isDir)) || (configIgnore !== undefined && matches(configIgnore, configBase!, abs, isDir));

  /**
   * Is the entry `name` of a directory ignored by the .gitignore layers? The deepest layer with a
   * matching pattern decides (`Verdict`). `prefixes[i]` is the directory's path relative to layer i,
   * with a trailing `/` ('' for the layer's own directory), computed once per directory: `prefix +
   * name` is `relative(layer.dir, abs)` for an entry (and when a layer is not an ancestor, both
   * start with `..` and are skipped).
   */
  const gitIgnored = (name: string, isDir: boolean, layers: IgnoreLayer[], prefixes: string[]): boolean => {
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i]!;
      const memo = layer.byName;
      let verdict: Verdict;
      if (memo !== undefined) {
        if (layer.literals !== undefined && !mayMatchName(name, layer.literals)) continue;
        const key = isDir ? `${name}/` : name;
        const known = memo.get(key);
        if (known === undefined) memo.set(key, (verdict = verdictOf(layer.ig, key)));
        else verdict = known;
      } else {
        const rel = prefixes[i] + name;
        if (rel.startsWith('..')) continue;
        verdict = verdictOf(layer.ig, isDir ? `${rel}/` : rel);
      }
      if (verdict !== NO_MATCH) return verdict === IGNORED;
    }
    return false;
  };

  const addFile = (abs: string, kind: CandidateKind | null, explicit: boolean) => {
    filesSeen++;
    if (!kind || seen.has(abs)) return;
    seen.add(abs);
    candidates.push({ path: abs, kind, explicit });
  };
  const say = (message: string, at: string) => notes.push({ message, range: rangeOnLine(at, 1, 1, 0), severity: 'warning' });
  const shown = (p: string) => relative(cwd, p) || p;

  const visitedDirs = new Set<string>();
  /** `realDir`: the real path when known (a plain subdirectory of a directory whose real path is known). */
  const walk = (dir: string, layers: IgnoreLayer[], depth: number, realDir?: string) => {
    let real: string;
    if (realDir !== undefined) real = realDir;
    else {
      try {
        real = realpathSync(dir);
      } catch {
        say(`Directory ${shown(dir)} could not be resolved; skipped.`, dir);
        return;
      }
      const a = access.check(dir);
      if (!a.ok) {
        say(`Directory ${shown(dir)} ${a.reason}.`, dir);
        return;
      }
    }
    // A directory reached twice (a link to another directory of the tree) is read once, silently.
    if (visitedDirs.has(real)) return;
    visitedDirs.add(real);
    if (depth > 64) {
      notes.push({ message: `Directory nesting deeper than 64 levels at ${dir}; skipped.`, range: rangeOnLine(dir, 1, 1, 0), severity: 'warning' });
      return;
    }
    recorder?.dir(dir);
    youngGenerationCheckpoint();
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      notes.push({ message: `Directory ${relative(cwd, dir) || dir} cannot be read (${code}); skipped.`, range: rangeOnLine(dir, 1, 1, 0), severity: 'warning' });
      return;
    }
    // A Python virtual environment (venv/virtualenv write pyvenv.cfg at its root, PEP 405) holds
    // installed libraries, not the project's code: never read, like node_modules.
    if (depth > 0 && entries.some((e) => e.name === 'pyvenv.cfg')) {
      skip(dir, 'default-ignored', true);
      return;
    }
    // Only a directory listing a .gitignore can have one (saves an existsSync per directory).
    const own = options.noGitignore || !entries.some((e) => e.name === '.gitignore') ? null : loadGitignore(dir, access, notes, recordGitignore);
    // This directory's own layer: every entry below it is reached through directories checked against it.
    const here = own ? [...layers, { dir, ig: own.ig, byName: own.nameOnly ? new Map<string, Verdict>() : undefined, literals: own.nameOnly?.literals }] : layers;
    const prefixes = here.map((layer) => {
      const rel = toPosix(relative(layer.dir, dir));
      return rel === '' ? '' : `${rel}/`;
    });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let probed = 0;
    for (const e of entries) probed |= probedMask(e.name);
    listed.set(dir, probed);
    for (const e of entries) {
      const abs = childPath(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      const isLink = e.isSymbolicLink();
      let linkTarget: string | undefined;
      if (isLink) {
        // What a link leads to can change without any directory walked changing: not cached.
        recorder?.uncacheable();
        try {
          const st = statSync(abs);
          isDir = st.isDirectory();
          isFile = st.isFile();
          linkTarget = realpathSync(abs);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ELOOP') say(`Symbolic link loop at ${shown(abs)}; skipped.`, abs);
          continue; // dangling links are not files
        }
      }
      if (isDir) {
        if (DEFAULT_IGNORED_DIRS.includes(e.name)) {
          skip(abs, 'default-ignored', true);
          continue;
        }
        if (userIgnored(abs, true)) {
          skip(abs, 'ignore-pattern', true);
          continue;
        }
        if (gitIgnored(e.name, true, here, prefixes)) {
          skip(abs, 'gitignore', true);
          continue;
        }
        if (linkTarget !== undefined && inside(real, linkTarget) && access.check(abs).ok) {
          say(`Symbolic link loop: ${shown(abs)} points to ${linkTarget === real ? 'its own directory' : 'a directory that contains it'}; skipped.`, abs);
          continue;
        }
        if (linkTarget !== undefined) {
          // A link to another directory of the tree (`.cursor/skills/x → ../../.agents/skills/x`) is
          // walked as its target, under the root's own path, with the target's .gitignore files: its
          // files are read once and reported where they are, whichever of the two is met first.
          const target = access.lexical(linkTarget);
          if (inside(target, root) && access.check(abs).ok) walk(target, rootLayers(target), depth + 1);
          else walk(abs, here, depth + 1);
          continue;
        }
        // A plain subdirectory's real path is its parent's plus its name.
        walk(abs, here, depth + 1, childPath(real, e.name));
      } else if (isFile) {
        if (userIgnored(abs, false)) {
          if (classifyName(e.name)) skip(abs, 'ignore-pattern', false);
          continue;
        }
        if (gitIgnored(e.name, false, here, prefixes)) {
          // A gitignored .env is the usual surprise: say so under --verbose.
          if (classifyName(e.name)) skip(abs, 'gitignore', false);
          continue;
        }
        const kind = classifyName(e.name);
        if (e.name === 'package.json' && linkTarget === undefined) packageJsons.push(abs);
        if (linkTarget === undefined) {
          if (kind) access.trust(abs);
          addFile(abs, kind, false);
          continue;
        }
        // A link is read only when its real target is allowed, and then once, as the target (under the root's own path).
        if (!kind) {
          filesSeen++;
          continue;
        }
        const a = access.check(abs);
        if (!a.ok) {
          filesSeen++;
          say(`${shown(abs)} ${a.reason}.`, abs);
          continue;
        }
        addFile(access.lexical(linkTarget), kind, false);
      } else if (classifyName(e.name)) {
        say(`${shown(abs)} is not a regular file (a FIFO, socket or device): not read.`, abs);
      }
    }
  };

  const rootLayers = (dirOfTarget: string): IgnoreLayer[] => {
    // .gitignore files between the repository root and the starting directory apply too.
    if (options.noGitignore) return [];
    const layers: IgnoreLayer[] = [];
    const chain: string[] = [];
    let d = dirOfTarget;
    while (d.startsWith(root) && d !== root) {
      chain.unshift(d);
      d = dirname(d);
    }
    // The starting directory's own .gitignore is the walk's to load (with `byName`): not here. Started
    // at the root, there is no layer above (issue 11: the root's file was loaded twice, and every entry
    // of the tree was tested by its path against the copy without `byName`).
    for (const dir of [root, ...chain].slice(0, -1)) {
      // Above the starting directory: the directories in between were never checked, so no `byName`.
      const loaded = loadGitignore(dir, access, notes, recordGitignore);
      if (loaded) layers.push({ dir, ig: loaded.ig });
    }
    return layers;
  };

  for (const p of options.paths.length > 0 ? options.paths : ['.']) {
    const abs = resolve(cwd, p);
    let st;
    try {
      st = lstatSync(abs);
      if (st.isSymbolicLink()) st = statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(code === 'ENOENT' ? `No such file or directory: ${p}` : `Cannot read ${p} (${code ?? 'error'})`);
    }
    if (st.isDirectory()) {
      walk(abs, rootLayers(abs), 0);
    } else {
      addFile(abs, classifyExplicit(abs), true);
      const c = candidates.find((x) => x.path === abs);
      if (c) c.explicit = true;
    }
  }
  const result: DiscoveryResult = { root, candidates, notes, filesSeen, access, packageJsons, skipped, listed };
  if (walkKey !== undefined && recorder !== undefined) {
    const record = recorder.finish(walkKey, result, walkCache!.racyMs);
    if (record !== undefined) walkCache!.put(record);
  }
  return result;
}

export class UsageError extends Error {}
