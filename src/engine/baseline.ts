/**
 * Adopting pgconn-lint in a repository that already has findings (issue 12): a baseline, with the
 * semantics of ESLint's bulk suppressions (eslint.org/docs/latest/use/suppressions).
 *
 * `pgconn-lint --suppress-all` writes `pgconn-lint-suppressions.json`: per file (relative to the
 * repository root, `/`-separated) and rule, the number of findings. Counts, not lines, so the file is
 * stable when lines move, and it holds no message text (so no secret). A later run drops a file's
 * findings of a rule while there are no more of them than recorded; when there are more, all of
 * them are reported (a new one cannot be told from the old by position). Entries with fewer findings
 * than recorded are "unused": `--prune-suppressions` lowers them (and drops zeros).
 */
import { lstatSync, readFileSync, statSync } from 'node:fs';
import { FileAccess } from '../core/file-access.js';
import { isAbsolute, relative, sep } from 'node:path';
import { UsageError } from '../discovery/discover.js';
import { DEFAULT_MAX_FILE_BYTES } from '../core/read-text.js';
import type { LintResult } from './lint.js';

export const SUPPRESSIONS_FILE = 'pgconn-lint-suppressions.json';

/** file → rule id → { count }. */
export type Suppressions = Record<string, Record<string, { count: number }>>;

function key(root: string, file: string): string {
  const rel = isAbsolute(file) ? relative(root, file) : file;
  return rel.split(sep).join('/');
}

/** Findings per file and rule (input problems, which have no rule, are never suppressed). */
export function countFindings(result: LintResult): Suppressions {
  const out: Suppressions = {};
  for (const f of result.files) {
    for (const d of f.diagnostics) {
      if (d.ruleId === null) continue;
      const k = key(result.facts.root, f.filePath);
      const byRule = (out[k] ??= {});
      (byRule[d.ruleId] ??= { count: 0 }).count++;
    }
  }
  return sorted(out);
}

function sorted(s: Suppressions): Suppressions {
  const out: Suppressions = {};
  for (const file of Object.keys(s).sort()) {
    const rules = s[file]!;
    const ids = Object.keys(rules).filter((id) => rules[id]!.count > 0).sort();
    if (ids.length === 0) continue;
    out[file] = Object.fromEntries(ids.map((id) => [id, { count: rules[id]!.count }]));
  }
  return out;
}

/** The file's text: stable (sorted keys), one trailing newline. */
export function suppressionsText(s: Suppressions): string {
  return JSON.stringify(sorted(s), null, 2) + '\n';
}

/**
 * May the baseline at `path` be read and written? Inside the repository its real path must stay
 * inside (a link to a file elsewhere is refused, so a pull request cannot make pgconn-lint read or
 * overwrite a file outside the repository); `named` (--suppressions-location) may be anywhere.
 */
export function checkSuppressionsPath(path: string, root: string, named: boolean): void {
  if (named || lstatOrUndefined(path) === undefined) return;
  const a = new FileAccess(root).check(path);
  if (!a.ok) throw new UsageError(`${relative(root, path)} ${a.reason}`);
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Reads a suppressions file; undefined when there is none. A malformed one is a usage error (exit 2). */
export function readSuppressions(path: string): Suppressions | undefined {
  let st;
  try {
    st = statSync(path);
  } catch {
    if (lstatOrUndefined(path) !== undefined) throw new UsageError(`${path}: a dangling link, not a suppressions file`);
    return undefined;
  }
  if (!st.isFile()) throw new UsageError(`${path}: not a regular file`);
  if (st.size > DEFAULT_MAX_FILE_BYTES) throw new UsageError(`${path}: too large for a suppressions file`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // The parser's message quotes the text: not echoed.
    throw new UsageError(`${path}: not valid JSON; re-create it with --suppress-all`);
  }
  const bad = () => new UsageError(`${path}: expected { "<file>": { "<rule-id>": { "count": <n> } } }; re-create it with --suppress-all`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad();
  const out: Suppressions = {};
  for (const [file, rules] of Object.entries(data as Record<string, unknown>)) {
    if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) throw bad();
    const byRule: Record<string, { count: number }> = {};
    for (const [id, v] of Object.entries(rules as Record<string, unknown>)) {
      const count = (v as { count?: unknown } | null)?.count;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw bad();
      byRule[id] = { count };
    }
    out[file] = byRule;
  }
  return out;
}

export interface BaselineOutcome {
  result: LintResult;
  /** Findings dropped because the baseline holds them. */
  suppressed: number;
  /** Entries with fewer findings than recorded (fixed since): `--prune-suppressions` lowers them. */
  unused: Array<{ file: string; rule: string; recorded: number; found: number }>;
}

/**
 * Drops the findings the baseline holds (all of a file's findings of a rule, while not more than
 * recorded). `inScope(file)`: was the file judged by this run (read, or gone)? Entries of other files
 * (outside the linted paths) are neither used nor unused.
 */
export function applySuppressions(result: LintResult, baseline: Suppressions, inScope: (file: string) => boolean): BaselineOutcome {
  const found = countFindings(result);
  let suppressed = 0;
  const files = result.files.map((f) => {
    const k = key(result.facts.root, f.filePath);
    const diagnostics = f.diagnostics.filter((d) => {
      if (d.ruleId === null) return true;
      const recorded = baseline[k]?.[d.ruleId]?.count ?? 0;
      const now = found[k]?.[d.ruleId]?.count ?? 0;
      if (now > 0 && now <= recorded) {
        suppressed++;
        return false;
      }
      return true;
    });
    return { ...f, diagnostics };
  });
  const unused: BaselineOutcome['unused'] = [];
  for (const [file, rules] of Object.entries(baseline)) {
    if (!inScope(file)) continue;
    for (const [rule, { count }] of Object.entries(rules)) {
      const now = found[file]?.[rule]?.count ?? 0;
      if (now < count) unused.push({ file, rule, recorded: count, found: now });
    }
  }
  const rulesSeen = result.rulesSeen.filter((id) => files.some((f) => f.diagnostics.some((d) => d.ruleId === id)));
  return { result: { ...result, files, rulesSeen }, suppressed, unused };
}

/** The baseline with every count of a file in scope lowered to what is found now (fixed findings leave it). */
export function pruneSuppressions(baseline: Suppressions, result: LintResult, inScope: (file: string) => boolean): Suppressions {
  const found = countFindings(result);
  const out: Suppressions = {};
  for (const [file, rules] of Object.entries(baseline)) {
    for (const [rule, { count }] of Object.entries(rules)) {
      const now = inScope(file) ? Math.min(count, found[file]?.[rule]?.count ?? 0) : count;
      if (now > 0) (out[file] ??= {})[rule] = { count: now };
    }
  }
  return sorted(out);
}
