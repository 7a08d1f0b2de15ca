/**
 * Resource caps on what an input can make pgconn-lint do (issue 16, class 4: it runs on untrusted
 * pull requests). Every parser is linear in its input; where the input's own semantics multiply it
 * (includes, variable expansion, aliases, nesting), one of these caps stops the work and the parser
 * reports a located problem that names the cap and its value. No real configuration comes near any
 * of them: each is at least ten times the largest real use we know of.
 */
import type { InputProblem } from './diagnostic.js';

/**
 * Collections nested inside each other in one JSON, YAML or JavaScript-literal input (tsconfig.json,
 * vercel.json, PM2 ecosystem files, pgconn-lint.config.*, compose, Kubernetes). Real files nest fewer
 * than 20 levels. The parsers we rely on recurse once per level (TypeScript's parser and the yaml
 * composer, about 6 stack frames per level) and overflow the stack past about 1,000 levels; the yaml
 * package catches that overflow itself, but V8 can then abort the whole process instead of throwing
 * (a regular expression compiled near the stack limit: "RegExpCompiler Allocation failed"), so the
 * depth is checked before those parsers run. 200 leaves a wide margin on both sides.
 */
export const MAX_NESTING_DEPTH = 200;

/** Longest value one .env variable may expand to. The longest real values (PEM keys, JSON credentials) are a few KiB; Linux refuses longer single environment strings than 128 KiB anyway (MAX_ARG_STRLEN). */
export const MAX_DOTENV_VALUE_CHARS = 64 * 1024;

/**
 * Text dotenv-expand produces for one .env file, summed over every round of every value (each round
 * rewrites the whole value). `A=${B}${B}`, `B=${C}${C}`, … doubles at each line; a file of a few KB
 * would otherwise need gigabytes. 4 MiB is a thousand times what a real file produces.
 */
export const MAX_DOTENV_EXPANSION_CHARS = 4 * 1024 * 1024;

/**
 * Lines and bytes read through PgBouncer `%include` for one configuration, counting a file again
 * each time it is included (PgBouncer has no cycle or repeat detection: a file that includes the
 * next one 8 times, 10 levels deep, is read 8^10 times). The bytes cap equals the size cap of one
 * file (read-text.ts DEFAULT_MAX_FILE_BYTES); the line cap keeps the parsed entries within memory.
 */
export const MAX_PGBOUNCER_INCLUDED_LINES = 100_000;
export const MAX_PGBOUNCER_INCLUDED_BYTES = 8 * 1024 * 1024;

/** Nodes a YAML document's aliases may expand to (the "billion laughs" bomb): aliased subtrees are shared, only this many are walked. */
export const MAX_YAML_ALIAS_NODES = 100_000;

/** YAML documents read from one file (`---` separated). Real multi-document manifests hold tens to hundreds. */
export const MAX_YAML_DOCUMENTS = 10_000;

/**
 * Lexical tokens read from one YAML file (a `key: value` line is about six). The yaml package builds
 * a document's whole syntax tree before composing it, at about 130 bytes a token: an 8 MiB file of
 * short keys peaked at 540 MB. A 4 MB bundle of Kubernetes CRDs is about 500,000 tokens.
 */
export const MAX_YAML_TOKENS = 1_000_000;

/**
 * Problems reported per input file; the rest are counted in one last problem. A generated or
 * hostile file can hold a problem on every line (hundreds of thousands), which helps no reader
 * and costs memory and output; PostgreSQL's own parser stops at 100 errors per file too
 * (guc-file.l ParseConfigFp). The count summary keeps the most severe level of what it hides.
 */
export const MAX_PROBLEMS_PER_FILE = 100;

export function capProblemsPerFile(problems: InputProblem[], max: number = MAX_PROBLEMS_PER_FILE): InputProblem[] {
  if (problems.length <= max) return problems;
  const kept: InputProblem[] = [];
  const shown = new Map<string, number>();
  const hidden = new Map<string, { count: number; error: boolean; first: InputProblem }>();
  for (const p of problems) {
    const n = shown.get(p.range.file) ?? 0;
    if (n < max) {
      shown.set(p.range.file, n + 1);
      kept.push(p);
      continue;
    }
    const h = hidden.get(p.range.file);
    const error = (p.severity ?? 'error') === 'error';
    if (h) {
      h.count++;
      h.error ||= error;
    } else hidden.set(p.range.file, { count: 1, error, first: p });
  }
  for (const { count, error, first } of hidden.values()) {
    kept.push({
      message: `${count} more problem${count === 1 ? '' : 's'} in this file ${count === 1 ? 'is' : 'are'} not shown (pgconn-lint reports at most ${max} per file); the first of them is here.`,
      severity: error ? 'error' : 'warning',
      range: first.range,
    });
  }
  return kept;
}

/**
 * Characters of one code file parsed by the analysis. TypeScript's syntax tree of a file of short
 * statements (`a(1);` on each line) takes about 65 bytes a character: 6.5 MB of them ran a 512 MB
 * heap out of memory. Hand-written source files stay far below 2 MiB; larger ones are generated.
 */
export const MAX_CODE_FILE_CHARS = 2 * 1024 * 1024;

/** Longest string the code analysis computes from constants (`a + b`, template literals); a longer one is an unknown value. Same bound as one .env value, for the same reason. */
export const MAX_STATIC_STRING_CHARS = MAX_DOTENV_VALUE_CHARS;

/**
 * Input files read in one run (configuration files, code files, .env, manifests, found by
 * discovery). The largest monorepos we lint hold tens of thousands; a tree of millions of small
 * files is an attack on the run time. Files named on the command line are always read.
 */
export const MAX_FILES_PER_RUN = 200_000;
