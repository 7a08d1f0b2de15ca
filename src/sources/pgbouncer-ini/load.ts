import { statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { InputProblem } from '../../core/diagnostic.js';
import { rangeOnLine, type SourceRange } from '../../core/location.js';
import { formatBytes, readTextFile, type TextFile } from '../../core/read-text.js';
import { capProblemsPerFile, MAX_PGBOUNCER_INCLUDED_BYTES, MAX_PGBOUNCER_INCLUDED_LINES } from '../../core/limits.js';
import { comparePgbouncerVersions, getPgbouncerSetting, isPgbouncerSection, LATEST_PGBOUNCER } from '../../catalog/pgbouncer/catalog.js';
import { parseConnstring, parsePgbouncerIni } from './parse.js';
import type { IniEntry, PgbouncerConfig, PgbouncerDatabaseEntry, PgbouncerUserEntry } from './types.js';
import { parseUserlist } from './userlist.js';
import { inside } from '../../core/paths.js';

/** libusual usual/cfparser.c: MAX_INCLUDE 10 — a directive at nesting level 10 is "include nesting level too deep". */
export const PGBOUNCER_MAX_INCLUDE_DEPTH = 10;

export interface LoadPgbouncerOptions {
  /** Root of the linted repository: relative paths are also tried against it, nothing outside it is read. */
  repoRoot: string;
  readFile?: (path: string) => TextFile;
  /** Why a path may not be read (src/core/file-access.ts), or undefined when it may: a refused include is not "missing". */
  refusal?: (path: string) => string | undefined;
  /** PgBouncer version whose grammar to apply (quoted keys 1.25+, [peers] 1.19+). Default: newest. */
  version?: string;
  /** Lines and bytes read through %include (a file counted each time it is included). Default: core/limits.ts. */
  maxIncludedLines?: number;
  maxIncludedBytes?: number;
}

type Resolution = { resolved: string | null; resolvedBy: PgbouncerConfig['includes'][number]['resolvedBy'] };

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * PgBouncer opens %include targets and auth_file relative to its working directory, which a linter
 * cannot know: try the directory of the file that names the path, then the repository root.
 * Absolute paths are only read when they lie inside the repository.
 */
export function resolvePgbouncerPath(target: string, fromFile: string, repoRoot: string, exists: (p: string) => boolean = isFile): Resolution {
  if (target === '') return { resolved: null, resolvedBy: null };
  if (isAbsolute(target)) {
    return inside(target, repoRoot) && exists(target) ? { resolved: target, resolvedBy: 'absolute' } : { resolved: null, resolvedBy: 'absolute' };
  }
  const a = resolve(dirname(fromFile), target);
  if (inside(a, repoRoot) && exists(a)) return { resolved: a, resolvedBy: 'including-file-dir' };
  const b = resolve(repoRoot, target);
  if (inside(b, repoRoot) && exists(b)) return { resolved: b, resolvedBy: 'repository-root' };
  return { resolved: null, resolvedBy: null };
}

/**
 * Loads a PgBouncer configuration as cf_load_file() does: follows %include (the included file
 * continues the current section), splits entries by section, applies the reset of every setting with
 * a default when a [pgbouncer] header is read again (cfparser.c fill_defaults), parses connection
 * strings, and reads auth_file when it is inside the repository. Never throws.
 */
export function loadPgbouncerConfig(mainFile: string, opts: LoadPgbouncerOptions): PgbouncerConfig {
  const read = opts.readFile ?? ((p: string) => readTextFile(p));
  const version = opts.version ?? LATEST_PGBOUNCER;
  const quotedKeys = comparePgbouncerVersions(version, '1.25') >= 0;
  const exists = opts.readFile ? (p: string) => read(p).ok : (p: string) => isFile(p);
  const config: PgbouncerConfig = {
    mainFile,
    files: [],
    settings: [],
    effective: new Map(),
    databases: [],
    users: [],
    peers: [],
    other: [],
    includes: [],
    problems: [],
  };
  const files = new Set<string>();
  const maxLines = opts.maxIncludedLines ?? MAX_PGBOUNCER_INCLUDED_LINES;
  const maxBytes = opts.maxIncludedBytes ?? MAX_PGBOUNCER_INCLUDED_BYTES;
  let includedLines = 0;
  let includedBytes = 0;
  /** Set once a cap on included text is reached: no %include is followed after that. */
  let includeBudgetSpent = false;
  let sawMainSection = false;
  let reportedNoSection = false;
  /** An include was not read: the section it may have opened is unknown, so stay quiet about sections. */
  let unreadInclude = false;
  const reportedSections = new Set<string>();
  /** Keys of `effective` that have a default, in `effective`'s order: what a [pgbouncer] header resets. */
  const withDefault = new Set<string>();

  /**
   * PgBouncer reads an included file again each time a %include names it, so a few small files can
   * stand for billions of lines: stop following includes once the included text of this configuration
   * passes the caps. False (and one warning at the directive) when this include is not followed.
   */
  const spendIncluded = (text: string, at: SourceRange, target: string): boolean => {
    if (includeBudgetSpent) return false;
    let lines = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    includedLines += lines;
    includedBytes += Buffer.byteLength(text, 'utf8');
    if (includedLines <= maxLines && includedBytes <= maxBytes) return true;
    includeBudgetSpent = true;
    const cap = includedLines > maxLines ? `${maxLines.toLocaleString('en-US')} lines` : formatBytes(maxBytes);
    config.problems.push({
      message: `%include ${target} was not followed: the files this configuration includes add up to more than ${cap} (pgconn-lint's limit on included text, counted each time a file is included); settings from here on are not checked.`,
      help: 'PgBouncer reads a file again each time it is included: include each file once, from one place.',
      severity: 'warning',
      range: at,
    });
    return false;
  };

  const visit = (file: string, section: string | null, stack: string[], tf: TextFile): string | null => {
    if (!tf.ok) {
      config.problems.push(tf.problem);
      return section;
    }
    if (!files.has(file)) {
      files.add(file);
      config.files.push(file);
      config.problems.push(...tf.problems);
    }
    const parsed = parsePgbouncerIni(tf.text, file, { initialSection: section, quotedKeys });
    for (const pr of parsed.problems) config.problems.push(pr);
    let cur = section;
    for (const item of parsed.items) {
      if (item.kind === 'section') {
        cur = item.section.name;
        onSection(item.section.name, item.section.range);
      } else if (item.kind === 'entry') {
        // The section may have been switched by an included file (cfparser.c keeps cur_sect across %include).
        item.entry.section = cur;
        onEntry(item.entry);
      } else {
        const inc = item.include;
        const depth = stack.length - 1;
        if (depth >= PGBOUNCER_MAX_INCLUDE_DEPTH) {
          config.includes.push({ target: inc.target, resolved: null, resolvedBy: null, range: inc.range });
          config.problems.push({ message: `%include nested more than ${PGBOUNCER_MAX_INCLUDE_DEPTH} levels deep; PgBouncer fails with "include nesting level too deep".`, range: inc.range });
          continue;
        }
        const res = resolvePgbouncerPath(inc.target, file, opts.repoRoot, exists);
        config.includes.push({ target: inc.target, resolved: res.resolved, resolvedBy: res.resolvedBy, range: inc.range });
        if (inc.target === '') {
          config.problems.push({ message: '%include has no file name; PgBouncer fails with "could not load file".', range: inc.range });
          continue;
        }
        if (res.resolved === null) {
          unreadInclude = true;
          const near = isAbsolute(inc.target) ? inc.target : resolve(dirname(file), inc.target);
          const refused = !inside(near, opts.repoRoot) ? 'is outside the repository' : opts.refusal?.(near)?.replace(/: not read$/, '');
          if (refused !== undefined) {
            config.problems.push({
              message: `Included file ${inc.target} ${refused} and was not read; settings it makes are not checked.`,
              severity: 'warning',
              range: inc.targetRange,
            });
          } else {
            config.problems.push({
              message: `Included file "${inc.target}" was not found (tried next to ${relative(opts.repoRoot, file) || file} and at the repository root); PgBouncer fails with "could not load file" and refuses to start.`,
              help: 'PgBouncer resolves relative %include paths against its working directory; use an absolute path or fix the name.',
              range: inc.targetRange,
            });
          }
          continue;
        }
        if (stack.includes(res.resolved)) {
          const chain = [...stack.slice(stack.indexOf(res.resolved)), res.resolved].map((f) => relative(opts.repoRoot, f) || f);
          config.problems.push({
            message: `%include cycle (${chain.join(' → ')}); PgBouncer follows it ${PGBOUNCER_MAX_INCLUDE_DEPTH} levels deep, then fails with "include nesting level too deep".`,
            help: 'Remove the %include that points back to a file that is already including it.',
            range: inc.range,
          });
          continue;
        }
        const tf = read(res.resolved);
        if (tf.ok && !spendIncluded(tf.text, inc.range, inc.target)) {
          unreadInclude = true;
          continue;
        }
        cur = visit(res.resolved, cur, [...stack, res.resolved], tf);
      }
    }
    return cur;
  };

  const onSection = (name: string, range: SourceRange): void => {
    if (name === 'pgbouncer') {
      if (sawMainSection) resetDefaults(range);
      sawMainSection = true;
    } else if (!isPgbouncerSection(name, version) && !reportedSections.has(name)) {
      reportedSections.add(name);
      const known = ['pgbouncer', 'databases', 'users', 'peers'];
      const lower = name.trim().toLowerCase();
      const hint =
        known.includes(lower)
          ? isPgbouncerSection(lower, version)
            ? `Write it as [${lower}]: section names are case-sensitive and spaces count.`
            : `[${lower}] needs PgBouncer 1.19 or newer.`
          : 'PgBouncer knows only [pgbouncer], [databases], [users] and [peers].';
      config.problems.push({ message: `Unknown section [${name}]: PgBouncer refuses to start ("invalid section").`, help: hint, range });
    }
  };

  /** cfparser.c fill_defaults(): on every [pgbouncer] header, each key with a non-NULL default is set back to it. */
  const resetDefaults = (range: SourceRange): void => {
    const lost: IniEntry[] = [];
    // Only the keys with a default are visited: a file of many unknown keys and many headers stays linear.
    for (const key of withDefault) {
      const entry = config.effective.get(key);
      if (entry) lost.push(entry);
      config.effective.delete(key);
    }
    withDefault.clear();
    if (lost.length > 0) {
      const names = lost.map((e) => `${e.key} (line ${e.range.line})`).join(', ');
      config.problems.push({
        message: `[pgbouncer] appears again: PgBouncer resets every setting with a default when it reads this header, so ${names} set above no longer ${lost.length === 1 ? 'applies' : 'apply'}.`,
        help: 'Keep all settings in a single [pgbouncer] section, or repeat them after this header.',
        severity: 'warning',
        range,
      });
    }
  };

  const onEntry = (entry: IniEntry): void => {
    const sect = entry.section;
    if (sect === null) {
      config.other.push(entry);
      if (!reportedNoSection && !unreadInclude) {
        reportedNoSection = true;
        config.problems.push({
          message: `"${entry.key}" comes before any [section] header: PgBouncer refuses to start ("value without section").`,
          help: 'Put [pgbouncer] (or [databases]) above it.',
          range: entry.keyRange,
        });
      }
      return;
    }
    if (sect === 'pgbouncer') {
      config.settings.push(entry);
      config.effective.set(entry.key, entry);
      const def = getPgbouncerSetting(entry.key, version);
      if (def && !def.defaultUnset) withDefault.add(entry.key);
      return;
    }
    if (sect === 'databases' || sect === 'users' || (sect === 'peers' && isPgbouncerSection('peers', version))) {
      const { items, problems } = parseConnstring(entry.value, entry.valueRange);
      // src/loader.c parse_database: "*" only stores the string (set_autodb); it is parsed when first used.
      const deferred = sect === 'databases' && entry.key === '*';
      for (const pr of problems) {
        config.problems.push(
          deferred && (pr.severity ?? 'error') === 'error'
            ? { ...pr, severity: 'warning', message: `${pr.message} PgBouncer only parses the "*" entry when a client asks for an unlisted database, and then fails.` }
            : pr,
        );
      }
      const params = new Map(items.map((i) => [i.key, i]));
      if (sect === 'peers') {
        config.peers.push(entry);
        return;
      }
      const e: PgbouncerDatabaseEntry | PgbouncerUserEntry = { name: entry.key, entry, items, params };
      if (sect === 'databases') config.databases.push(e);
      else config.users.push(e);
      return;
    }
    config.other.push(entry);
  };

  visit(mainFile, null, [mainFile], read(mainFile));

  if (config.files.includes(mainFile) && !sawMainSection && !unreadInclude && !config.problems.some((p) => (p.severity ?? 'error') === 'error')) {
    config.problems.push({
      message: 'No [pgbouncer] section: PgBouncer refuses to start ("main section missing from config file").',
      help: 'Add a [pgbouncer] section with at least listen_port/listen_addr, or lint the file that %includes this one.',
      range: rangeOnLine(mainFile, 1, 1, 0),
    });
  }

  const authEntry = config.effective.get('auth_file');
  if (authEntry && authEntry.value !== '') {
    const res = resolvePgbouncerPath(authEntry.value, authEntry.file, opts.repoRoot, exists);
    if (res.resolved !== null) {
      const tf = read(res.resolved);
      if (tf.ok) {
        config.authFile = parseUserlist(tf.text, res.resolved);
        if (!config.files.includes(res.resolved)) config.files.push(res.resolved);
      } else {
        config.problems.push({ ...tf.problem, severity: 'warning' });
      }
    }
  }
  // A file included more than once repeats its problems: keep one of each.
  const seen = new Set<string>();
  config.problems = capProblemsPerFile(
    config.problems.filter((p) => {
      const k = `${p.range.file}\0${p.range.line}\0${p.range.column}\0${p.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    }),
  );
  return config;
}
