/**
 * Linting a subset of files against the whole repository (pre-commit, lint-staged).
 *
 * When every path on the command line is a file, the files are read as part of their
 * git repository: the facts (and the deployment model) come from every file a run over
 * the repository root reads, and only the findings that concern the named files are
 * reported. A change to pgbouncer.ini alone is then judged against the code, manifests
 * and postgresql.conf that a full run would join it with.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Diagnostic } from '../core/diagnostic.js';
import { findRepoRoot } from '../discovery/discover.js';
import type { FileResult, LintResult } from './lint.js';
import { escapeText } from '../report/escape.js';
import { SUPPRESSIONS_FILE } from './baseline.js';

export interface ProjectContext {
  /** The git repository root: discovery starts here, honouring .gitignore and ignore patterns. */
  root: string;
  /** The named files (absolute, spelled under `root`): findings are reported for these. */
  files: ReadonlySet<string>;
  /** A named file is the config file in use or the baseline: every finding can change, so all are reported. */
  reportAll: boolean;
  /** Those named files (config, baseline): read by the run itself, never "not linted". */
  controlFiles: ReadonlySet<string>;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** `file` spelled under `root` even when one of them is reached through a symbolic link (lint-staged passes real paths). */
function underRoot(file: string, root: string, realRoot: string): string | undefined {
  const direct = relative(root, file);
  if (direct !== '' && !direct.startsWith('..') && !isAbsolute(direct)) return file;
  let realDir: string;
  try {
    realDir = realpathSync(dirname(file));
  } catch {
    return undefined;
  }
  const rel = relative(realRoot, join(realDir, basename(file)));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return join(root, rel);
}

/**
 * The project context for a command line, or undefined for the usual behaviour: no paths,
 * a directory among them, a path that does not exist (discovery reports it), no git
 * repository around the working directory, or a file outside it.
 */
export function projectContextFor(cwd: string, paths: readonly string[], configFile: string | null, baselineFile?: string): ProjectContext | undefined {
  if (paths.length === 0) return undefined;
  const absolute = paths.map((p) => resolve(cwd, p));
  if (!absolute.every(isFile)) return undefined;
  const root = findRepoRoot(cwd);
  // findRepoRoot falls back to cwd; only a real repository (a .git directory, or the .git file of a worktree) counts.
  if (!existsSync(join(root, '.git'))) return undefined;
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return undefined;
  }
  const files = new Set<string>();
  for (const f of absolute) {
    const inside = underRoot(f, root, realRoot);
    if (inside === undefined) return undefined;
    files.add(inside);
  }
  // The config file and the baseline (pgconn-lint-suppressions.json at the root unless
  // --suppressions-location names one) decide what every file's findings are.
  const control = [configFile === null ? undefined : resolve(cwd, configFile), baselineFile !== undefined ? resolve(cwd, baselineFile) : join(root, SUPPRESSIONS_FILE)];
  const controlFiles = new Set<string>();
  for (const c of control) if (c !== undefined) for (const f of [c, underRoot(c, root, realRoot)]) if (f !== undefined && (files.has(f) || absolute.includes(f))) controlFiles.add(f);
  return { root, files, reportAll: controlFiles.size > 0, controlFiles };
}

/**
 * Does a finding concern one of the files? Its primary location is in one, or one of its
 * related locations is: a pool-size change in pgbouncer.ini that overflows a budget is
 * reported at the pool in another file, with the pgbouncer.ini line as a related location.
 */
function concerns(d: Diagnostic, files: ReadonlySet<string>): boolean {
  if (files.has(d.range.file)) return true;
  return d.related?.some((r) => files.has(r.range.file)) ?? false;
}

/**
 * Keeps what a whole-repository run says about the named files: their findings (fatal
 * problems included), and findings elsewhere that point into them. `candidates` are the
 * files discovery picked from the repository; a named file that is neither one of them nor
 * read by another file (an include, an auth_file) is listed in `skippedFiles`.
 */
export function restrictToFiles(result: LintResult, context: ProjectContext, candidates: readonly string[]): LintResult {
  const known = new Set(candidates);
  const skippedFiles = [...context.files].filter((f) => !result.facts.sources.has(f) && !known.has(f) && !context.controlFiles.has(f)).sort();
  if (context.reportAll) return skippedFiles.length > 0 ? { ...result, skippedFiles } : result;
  const files: FileResult[] = [];
  for (const f of result.files) {
    const diagnostics = f.diagnostics.filter((d) => concerns(d, context.files));
    // A named file that was read is listed even when clean (ESLint's JSON lists every linted file).
    if (diagnostics.length > 0 || context.files.has(f.filePath)) files.push({ filePath: f.filePath, diagnostics });
  }
  const rulesSeen = result.rulesSeen.filter((id) => files.some((f) => f.diagnostics.some((d) => d.ruleId === id)));
  const whole: LintResult = { ...result };
  delete whole.repository;
  const out: LintResult = { ...result, files, rulesSeen, repository: { result: whole, restrict: (r) => restrictToFiles(r, context, candidates) } };
  if (skippedFiles.length > 0) out.skippedFiles = skippedFiles;
  return out;
}

/** The note printed (on stderr) for named files that were not linted. */
export function skippedFilesNote(skipped: readonly string[], cwd: string): string {
  // Named on the command line, maybe by a hook from a pull request's file list: escaped (escape.ts).
  const shown = skipped.map((f) => escapeText(relative(cwd, f) || f)).join(', ');
  return (
    `pgconn-lint: not linted: ${shown} (ignored, or not a file pgconn-lint reads and no configuration in the repository includes it). ` +
    'Run with --no-project-context to lint named files on their own.\n'
  );
}
