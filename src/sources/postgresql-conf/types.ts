import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';

/** One `name = value` line of a postgresql.conf-format file, as guc-file.l reads it. */
export interface PgConfEntry {
  /** The name exactly as written. */
  name: string;
  /** Lower-cased name: PostgreSQL compares parameter names case-insensitively. */
  key: string;
  /** The value after guc-file.l's processing: quotes removed, escapes resolved. */
  value: string;
  /** The value token as written in the file (with quotes, if any). */
  rawValue: string;
  quoted: boolean;
  file: string;
  nameRange: SourceRange;
  valueRange: SourceRange;
  /** From the start of the name to the end of the value. */
  range: SourceRange;
}

export type PgIncludeKind = 'include' | 'include_if_exists' | 'include_dir';

export interface PgIncludeDirective {
  kind: PgIncludeKind;
  /** The target as written (after unquoting). */
  target: string;
  /** The target resolved against the including file's directory (PostgreSQL's AbsoluteConfigLocation). */
  resolved: string;
  file: string;
  range: SourceRange;
  valueRange: SourceRange;
}

/** The result of parsing one file, without following its includes. */
export interface PgConfFileParse {
  file: string;
  /** Statements in file order: settings and include directives interleaved. */
  items: Array<{ type: 'setting'; entry: PgConfEntry } | { type: 'include'; directive: PgIncludeDirective }>;
  /** Syntax errors: PostgreSQL refuses the whole file when there is one. */
  problems: InputProblem[];
}

/**
 * A server configuration: a postgresql.conf, everything it includes (in the
 * order PostgreSQL reads it), and the postgresql.auto.conf beside it.
 */
export interface PgConfig {
  mainFile: string;
  /** Every file read, in reading order, each once per time it was read. */
  files: string[];
  /** Every setting in reading order (includes expanded in place). */
  entries: PgConfEntry[];
  /** The last entry for each lower-cased name: the one that takes effect. */
  effective: Map<string, PgConfEntry>;
  includes: PgIncludeDirective[];
  /** Syntax errors, missing includes, cycles, nesting too deep, unreadable files. */
  problems: InputProblem[];
}
