import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';

/** A `key = value` line of a PgBouncer ini file (cfparser.c semantics: no inline comments). */
export interface IniEntry {
  /** Section name exactly as written (PgBouncer matches it with strcmp, so [Databases] is unknown), or null before any section header. */
  section: string | null;
  /** Key exactly as written (PgBouncer keys are case-sensitive in [pgbouncer]). */
  key: string;
  /** Value with surrounding whitespace removed, exactly as PgBouncer sees it. */
  value: string;
  file: string;
  keyRange: SourceRange;
  valueRange: SourceRange;
  range: SourceRange;
}

/** One `key=value` item inside a [databases]/[users] connection string. */
export interface ConnstringItem {
  key: string;
  value: string;
  keyRange: SourceRange;
  valueRange: SourceRange;
}

export interface PgbouncerDatabaseEntry {
  /** Database name as clients ask for it; `*` is the fallback entry. */
  name: string;
  entry: IniEntry;
  items: ConnstringItem[];
  /** Items by key (last wins). */
  params: Map<string, ConnstringItem>;
}

export interface PgbouncerUserEntry {
  name: string;
  entry: IniEntry;
  items: ConnstringItem[];
  params: Map<string, ConnstringItem>;
}

export interface PgbouncerAuthUser {
  name: string;
  range: SourceRange;
  /** Only the kind of secret, never the secret itself. */
  secretKind: 'plain' | 'md5' | 'scram' | 'empty';
}

export interface PgbouncerAuthFile {
  path: string;
  users: PgbouncerAuthUser[];
  problems: InputProblem[];
}

/** A PgBouncer configuration: the main ini and everything it %includes. */
export interface PgbouncerConfig {
  mainFile: string;
  files: string[];
  /** Keys of the [pgbouncer] section in reading order. */
  settings: IniEntry[];
  /** Last value per key of [pgbouncer] (the one that takes effect). */
  effective: Map<string, IniEntry>;
  databases: PgbouncerDatabaseEntry[];
  users: PgbouncerUserEntry[];
  peers: IniEntry[];
  /** Entries in sections PgBouncer ignores or outside any section. */
  other: IniEntry[];
  /** %include directives with how each target was resolved. */
  includes: Array<{ target: string; resolved: string | null; resolvedBy: 'including-file-dir' | 'repository-root' | 'absolute' | null; range: SourceRange }>;
  authFile?: PgbouncerAuthFile;
  problems: InputProblem[];
}
