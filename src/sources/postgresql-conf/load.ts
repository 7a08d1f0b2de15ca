/**
 * Loads a server configuration the way PostgreSQL reads it: the main file
 * with its includes expanded in place, then postgresql.auto.conf.
 * Follows guc-file.l ParseConfigFile / ParseConfigFp / ParseConfigDirectory,
 * conffiles.c GetConfFilesInDir and guc.c ProcessConfigFileInternal
 * (PostgreSQL 15–18; checked against both by the differential tests).
 */
import { existsSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';
import { rangeOnLine } from '../../core/location.js';
import { readTextFile, type TextFile } from '../../core/read-text.js';
import { listDirectory } from '../../core/file-access.js';
import { absoluteConfigLocation, parsePostgresqlConf } from './parse.js';
import type { PgConfEntry, PgConfFileParse, PgConfig, PgIncludeDirective } from './types.js';

/** utils/conffiles.h: CONF_FILE_START_DEPTH 0, CONF_FILE_MAX_DEPTH 10. */
export const CONF_FILE_MAX_DEPTH = 10;
/** utils/guc.h PG_AUTOCONF_FILENAME, read from the data directory. */
export const PG_AUTOCONF_FILENAME = 'postgresql.auto.conf';
/** Files read plus statements processed before include expansion is cut off. */
export const DEFAULT_WORK_LIMIT = 100_000;

export type PgConfDirEntryKind = 'file' | 'dir' | 'error';
export type PgConfDirListing = { ok: true; entries: Array<{ name: string; kind: PgConfDirEntryKind }> } | { ok: false; reason: string };

export interface LoadPostgresqlConfigOptions {
  /** Default: readConfText (readTextFile, keeping a BOM). */
  readFile?: (path: string) => TextFile;
  /** Lists a directory for include_dir; `kind` follows symlinks (as get_dirent_type does). Default: the file system. */
  listDir?: (path: string) => PgConfDirListing;
  /** Read postgresql.auto.conf after the main file, as PostgreSQL does. Default true. */
  autoConf?: boolean;
  /** Directory holding postgresql.auto.conf (PostgreSQL's data directory). Default: the main file's directory. */
  dataDir?: string;
  /** Abandon each file at its first syntax error, as pg_file_settings does. Default false (report up to 100 per file). */
  firstErrorOnly?: boolean;
  /**
   * PostgreSQL has no cycle detection beyond direct self-inclusion: a file
   * that includes its includer twice makes it read 2^10 files before the
   * depth limit. This bounds files read plus statements processed.
   */
  workLimit?: number;
}

/** Where PostgreSQL would read postgresql.auto.conf for this main file, if that file exists there. */
export function findAutoConfFor(mainFile: string, exists: (path: string) => boolean = existsSync): string | undefined {
  const p = posix.join(posix.dirname(resolve(mainFile)), PG_AUTOCONF_FILENAME);
  return exists(p) ? p : undefined;
}

/**
 * readTextFile keeps a UTF-8 BOM in the text, which is what PostgreSQL needs:
 * it reads the BOM's three bytes as LETTERs of the first name (guc-file.l
 * LETTER includes \200-\377), so `\uFEFFwork_mem = 1MB` sets an unknown parameter.
 */
export const readConfText: (path: string) => TextFile = readTextFile;

/** "File file not found." (readTextFile) → "file not found". */
function readFailureReason(problem: InputProblem): string {
  return problem.message.replace(/^File /, '').replace(/\.$/, '');
}

/** strcmp order of file names: compare UTF-8 bytes, not UTF-16 units. */
function strcmpOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const CONSEQUENCE = 'PostgreSQL refuses to start with this configuration, and a reload applies none of it.';

interface Caller {
  file: string;
  directive: PgIncludeDirective;
}

class ConfigLoader {
  readonly files: string[] = [];
  private readonly seenFiles = new Set<string>();
  readonly entries: PgConfEntry[] = [];
  readonly includes: PgIncludeDirective[] = [];
  readonly problems: InputProblem[] = [];
  private readonly parsed = new Map<string, { text: TextFile; parse?: PgConfFileParse }>();
  private work = 0;
  private exhausted = false;

  constructor(private readonly opts: Required<Pick<LoadPostgresqlConfigOptions, 'readFile' | 'listDir' | 'firstErrorOnly' | 'workLimit'>>) {}

  private at(caller: Caller | null, file: string): SourceRange {
    return caller ? caller.directive.valueRange : rangeOnLine(file, 1, 1, 0);
  }

  private spend(amount: number, at: SourceRange): boolean {
    if (this.exhausted) return false;
    this.work += amount;
    if (this.work <= this.opts.workLimit) return true;
    this.exhausted = true;
    this.problems.push({
      message: `Stopped expanding includes after ${this.opts.workLimit} files and statements (pgconn-lint's limit for one configuration, counting a file each time it is included); settings from here on are not checked.`,
      help: `PostgreSQL reads a file again each time it is included and only stops at include depth ${CONF_FILE_MAX_DEPTH} ("maximum nesting depth exceeded"); include each file once, and remove includes that loop back.`,
      severity: 'warning',
      range: at,
    });
    return false;
  }

  private read(path: string): { text: TextFile; parse?: PgConfFileParse } {
    let r = this.parsed.get(path);
    if (!r) {
      const text = this.opts.readFile(path);
      r = text.ok ? { text, parse: parsePostgresqlConf(text.text, path, { firstErrorOnly: this.opts.firstErrorOnly }) } : { text };
      this.parsed.set(path, r);
    }
    return r;
  }

  /** guc-file.l ParseConfigFile: false when the file (or anything it includes) has an error. */
  parseConfigFile(configFile: string, strict: boolean, caller: Caller | null, depth: number, quietIfMissing = false): boolean {
    const callingFile = caller?.file ?? configFile;
    if (/^[ \t\r\n]*$/.test(configFile)) {
      this.problems.push({
        message: `empty configuration file name: "${configFile}"`,
        help: `Give the file to include. ${CONSEQUENCE}`,
        range: this.at(caller, callingFile),
      });
      return false;
    }
    if (depth > CONF_FILE_MAX_DEPTH) {
      this.problems.push({
        message: `could not open configuration file "${configFile}": maximum nesting depth exceeded`,
        help: `Includes nest at most ${CONF_FILE_MAX_DEPTH} deep; this usually means two files include each other. ${CONSEQUENCE}`,
        range: this.at(caller, callingFile),
      });
      return false;
    }
    const absPath = caller ? absoluteConfigLocation(configFile, caller.file) : configFile;
    // "Reject direct recursion" (a strcmp of the resolved path with the includer).
    if (caller && absPath === caller.file) {
      this.problems.push({
        message: `configuration file recursion in "${caller.file}"`,
        help: `The file includes itself; remove this directive. ${CONSEQUENCE}`,
        range: this.at(caller, callingFile),
      });
      return false;
    }
    if (!this.spend(1, this.at(caller, callingFile))) return false;
    const { text, parse } = this.read(absPath);
    if (!text.ok || !parse) {
      const problem = (text as Extract<TextFile, { ok: false }>).problem;
      const reason = readFailureReason(problem);
      if (strict && !caller) {
        // The main file itself: readTextFile already said why, with the right severity.
        this.problems.push(problem);
        return false;
      }
      if (strict) {
        this.problems.push({
          message: `could not open configuration file "${absPath}": ${reason}`,
          help: `Create the file, fix the path (relative paths start at the including file's directory), or use include_if_exists. ${CONSEQUENCE}`,
          range: this.at(caller, absPath),
        });
        return false;
      }
      if (!quietIfMissing) {
        this.problems.push({
          message: /not found/.test(reason) ? `skipping missing configuration file "${absPath}"` : `skipping configuration file "${absPath}": ${reason}`,
          severity: 'warning',
          range: this.at(caller, absPath),
        });
      }
      return true;
    }
    if (!this.seenFiles.has(absPath)) {
      this.seenFiles.add(absPath);
      this.files.push(absPath);
    }
    for (const p of text.problems) this.problems.push(p);
    return this.expand(parse, depth, caller);
  }

  /**
   * guc-file.l ParseConfigFp, past the parse: settings and includes in file order. When the work
   * limit runs out here, the problem is reported at the include that brought this file in.
   */
  private expand(parse: PgConfFileParse, depth: number, via: Caller | null): boolean {
    let ok = true;
    const errors = parse.problems;
    let e = 0;
    const before = (r: SourceRange, s: SourceRange): boolean => r.line < s.line || (r.line === s.line && r.column < s.column);
    for (const item of parse.items) {
      const range = item.type === 'setting' ? item.entry.range : item.directive.range;
      while (e < errors.length && before((errors[e] as InputProblem).range, range)) this.problems.push(errors[e++] as InputProblem);
      if (!this.spend(1, via ? via.directive.range : range)) return false;
      if (item.type === 'setting') {
        this.entries.push(item.entry);
        continue;
      }
      const d = item.directive;
      this.includes.push(d);
      const caller: Caller = { file: parse.file, directive: d };
      let fine: boolean;
      if (d.kind === 'include_dir') fine = this.parseConfigDirectory(d.target, caller, depth + 1);
      else fine = this.parseConfigFile(d.target, d.kind === 'include', caller, depth + 1);
      if (!fine) ok = false;
      if (this.exhausted) return false;
    }
    while (e < errors.length) this.problems.push(errors[e++] as InputProblem);
    if (errors.some((p) => (p.severity ?? 'error') === 'error')) ok = false;
    return ok;
  }

  /** guc-file.l ParseConfigDirectory + conffiles.c GetConfFilesInDir. */
  private parseConfigDirectory(includeDir: string, caller: Caller, depth: number): boolean {
    if (/^[ \t\r\n]*$/.test(includeDir)) {
      this.problems.push({
        message: `empty configuration directory name: "${includeDir}"`,
        help: `Give the directory to include. ${CONSEQUENCE}`,
        range: caller.directive.valueRange,
      });
      return false;
    }
    const directory = absoluteConfigLocation(includeDir, caller.file);
    const listing = this.opts.listDir(directory);
    if (!listing.ok) {
      this.problems.push({
        message: `could not open configuration directory "${directory}": ${listing.reason}`,
        help: `Create the directory or fix the path (relative paths start at the including file's directory). ${CONSEQUENCE}`,
        range: caller.directive.valueRange,
      });
      return false;
    }
    const filenames: string[] = [];
    for (const { name, kind } of listing.entries) {
      // Only names ending in ".conf", not starting with "." (and at least 6 bytes long).
      if (Buffer.byteLength(name, 'utf8') < 6 || name.startsWith('.') || !name.endsWith('.conf')) continue;
      const filename = absoluteConfigLocation(posix.join(directory, name), caller.file);
      if (kind === 'error') {
        this.problems.push({
          message: `could not stat file "${filename}"`,
          help: `Fix or remove the broken entry. ${CONSEQUENCE}`,
          range: caller.directive.valueRange,
        });
        return false;
      }
      if (kind !== 'dir') filenames.push(filename);
    }
    filenames.sort(strcmpOrder);
    // The first file with an error ends the directory: the rest are not read.
    for (const f of filenames) if (!this.parseConfigFile(f, true, caller, depth)) return false;
    return true;
  }
}

/**
 * Reads `mainFile` and everything it includes, then postgresql.auto.conf
 * (only when the main tree has no error: ProcessConfigFileInternal bails out
 * before reading it). Never throws: problems are data.
 */
export function loadPostgresqlConfig(mainFile: string, opts: LoadPostgresqlConfigOptions = {}): PgConfig {
  const main = resolve(mainFile);
  const loader = new ConfigLoader({
    readFile: opts.readFile ?? readConfText,
    listDir: opts.listDir ?? ((dir: string) => listDirectory(dir)),
    firstErrorOnly: opts.firstErrorOnly ?? false,
    workLimit: opts.workLimit ?? DEFAULT_WORK_LIMIT,
  });
  const ok = loader.parseConfigFile(main, true, null, 0);
  if (ok && opts.autoConf !== false) {
    const auto = posix.join(opts.dataDir !== undefined ? resolve(opts.dataDir) : posix.dirname(main), PG_AUTOCONF_FILENAME);
    if (auto !== main) loader.parseConfigFile(auto, false, null, 0, true);
  }
  const effective = new Map<string, PgConfEntry>();
  for (const e of loader.entries) {
    effective.delete(e.key);
    effective.set(e.key, e);
  }
  // A file read more than once (an include cycle) repeats its problems: keep one of each.
  const seen = new Set<string>();
  const problems = loader.problems.filter((p) => {
    const k = `${p.range.file}\0${p.range.line}\0${p.range.column}\0${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { mainFile: main, files: loader.files, entries: loader.entries, effective, includes: loader.includes, problems };
}
