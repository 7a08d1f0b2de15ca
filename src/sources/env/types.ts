import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';

export type DotenvQuote = 'none' | 'single' | 'double' | 'backtick';

/** One `KEY=value` assignment of a .env file, as dotenv's `parse` reads it. */
export interface DotenvEntry {
  key: string;
  /** The value dotenv puts in the parsed object: trimmed, quotes removed, `\n`/`\r` expanded in double quotes. */
  value: string;
  keyRange: SourceRange;
  /** The value as written, inside the quotes when it is quoted; empty at the separator for `KEY=`. */
  valueRange: SourceRange;
  /** From `export`/the key to the end of the value (closing quote included); no trailing comment. */
  range: SourceRange;
  quoted: DotenvQuote;
  /** Written with the `export ` prefix (dotenv ignores it). */
  exported: boolean;
}

export interface ParsedDotenv {
  /** Every assignment in file order, duplicates included (the last one wins: see `dotenvValues`). */
  entries: DotenvEntry[];
  /** Lines dotenv silently skips, unbalanced quotes, values that start on a later line. Warnings only. */
  problems: InputProblem[];
}

/** Where a `${NAME}` / `$NAME` reference was resolved from during expansion. */
export interface DotenvReference {
  name: string;
  /**
   * 'file': an assignment of the same file — the expanded value of an earlier key, or (with
   * `populateFirst`) the raw value `dotenv.config()` copied to process.env before `expand` ran;
   * 'env': the environment given to `expandDotenv`;
   * 'unset': no value (the default, if any, was used).
   */
  source: 'file' | 'env' | 'unset';
  /** The assignment the value came from, when it came from this file. */
  entry?: DotenvEntry;
  /** The `:-`/`-`/`:+`/`+` operand replaced the reference. */
  usedDefault: boolean;
}

export interface ExpandedDotenvValue {
  key: string;
  /** The value after dotenv-expand (what the program sees in process.env). */
  value: string;
  /** The assignment that takes effect (the last one for the key). */
  entry: DotenvEntry;
  /** The environment already held a different value, so dotenv-expand kept it and did not expand the file's. */
  fromEnvironment: boolean;
  /** References met while expanding, in order (nested defaults included). */
  references: DotenvReference[];
  /** Expansion stopped at a cap of core/limits.ts before dotenv-expand would have: `value` is not what the program sees. */
  incomplete?: true;
}

export interface ExpandedDotenv {
  /** One value per key, in the order dotenv-expand visits them (JS object key order). */
  values: Map<string, ExpandedDotenvValue>;
  problems: InputProblem[];
}

export interface EnvFileKind {
  /** 'default' for `.env`/`.env.local`/`.env.example`, otherwise the name between `.env.` and the suffixes. */
  environment: string;
  /** `.local` override (Next.js, Vite, dotenv-flow convention: not committed, machine-specific). */
  local: boolean;
  /** `.example`/`.sample`/`.template`/`.dist`: documents the variables, is not loaded. */
  template: boolean;
}

export interface LoadedEnvFile extends EnvFileKind {
  file: string;
  entries: DotenvEntry[];
  /** The values after dotenv-expand on an empty environment (absent when the file could not be read). */
  expanded?: ExpandedDotenv;
  problems: InputProblem[];
}
