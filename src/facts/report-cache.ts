import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../core/diagnostic.js';
import { FileAccess, textFileDigest, type InputRecord } from '../core/file-access.js';
import { LineIndex } from '../core/location.js';
import { projectFacts, type ProjectFacts, type SourceKind } from '../model/project.js';
import { readSourceBytes, sourceDigest } from '../sources/js/project.js';
import { decodeFacts, encodeFacts } from './cache-codec.js';
import { REDACTED, secretSpans } from '../core/redact.js';
import { outlivesSnapshot, type GitChanges } from './git-changes.js';

/**
 * The report cache (issue 11, fifth round; docs/cache.md, D46): the whole repository's findings,
 * kept in the facts cache file beside the facts, and reused by a warm run when nothing they were
 * built from has changed. A pre-commit run at 50,000 files then skips the facts, the model and the
 * rules: start-up, `git status`, a `stat` per directory and the report.
 *
 * What the findings depend on, and how a later run knows it is the same:
 *
 * - the options and the config (rules, severities, settings, ignore patterns) and the linter:
 *   `key`, with the facts cache's own key (version, root, strategy, maxFileSize);
 * - which files the walk finds: the walk record, every directory's inode, mtime and ctime
 *   (src/discovery/walk-cache.ts);
 * - the code files: each has the pre-filter verdict it had (git vouches for it, or it is read) and
 *   may hold no connection string, neither then nor now, and every file the code analysis read
 *   reads the same (src/facts/cache.ts, `reusableReport`);
 * - every other answer the file system gave while the facts were built — each config file read,
 *   each path checked, listed or looked for (`FileAccess.recordInputs`): asked again, except a
 *   read git vouches for (src/facts/git-changes.ts);
 * - which of the files a finding can be in git tracks: asked again of this run's `git status`.
 *
 * Kept only when all of this is known: a walk that could be cached, an analysis that was, git's
 * snapshot, every input path inside the root, and nothing that may be a secret (findings, the lines
 * their frames show — as the formatters show them, redacted — and the paths).
 */

/** The source lines frames show, per file: its kind, its number of lines, [line, redacted text]. */
type FrameLines = [kind: string, lineCount: number, lines: Array<[number, string]>];

export interface StoredReport {
  key: string;
  /** The whole repository's findings per file, in the result's order (`encodeFacts`). */
  files: unknown;
  rulesSeen: string[];
  /** The files the facts read (facts.sources), absolute. */
  sources: Array<[string, SourceKind]>;
  /** The closing summary line (`runSummary`). */
  summary: string;
  frames: Record<string, FrameLines>;
  /** The file system's answers (`InputRecord`, paths absolute). */
  inputs: InputRecord[];
  /** Which of the files asked about git tracked (facts.git): asked and tracked, relative. */
  tracked: { asked: string[]; files: string[] };
}

/** The result a stored report gives back: the findings, and what the formatters and the summary need. */
export interface ReusedReport {
  files: Array<{ filePath: string; diagnostics: Diagnostic[] }>;
  rulesSeen: string[];
  facts: ProjectFacts;
  summary: string;
  sourceText: (file: string) => { text: string; kind: string } | undefined;
  /** Is the file one the walk found (what `restrictToFiles` asks of the named files)? */
  isCandidate: (file: string) => boolean;
}

const hashOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64url');

/** What the findings depend on besides the files: the options, the config and the rules (`FORMAT` bumps it). */
export function reportKeyOf(parts: unknown): string {
  return hashOf([1, parts]);
}

function inside(root: string, path: string): string | undefined {
  const rel = relative(root, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? undefined : rel;
}

/**
 * The report to store for a run's whole-repository result, or why not (a string). `sourceText`
 * gives each file's text as frames show it (redacted: `redactedSources`).
 */
export function storedReport(
  key: string,
  root: string,
  result: { files: ReadonlyArray<{ filePath: string; diagnostics: Diagnostic[] }>; rulesSeen: string[]; facts: ProjectFacts },
  summary: string,
  sourceText: (file: string) => { text: string; kind: string } | undefined,
  inputs: InputRecord[] | undefined,
): StoredReport | string {
  if (inputs === undefined) return 'the inputs were not recorded';
  for (const i of inputs) if (inside(root, i[1]) === undefined) return `${i[1]} is outside the repository root`;
  const files = encodeFacts(result.files.map((f) => [f.filePath, f.diagnostics]));
  if (files === undefined) return 'the findings cannot be stored exactly';
  const frames: Record<string, FrameLines> = {};
  const lines = new Map<string, Set<number>>();
  const want = (file: string, line: number) => {
    let s = lines.get(file);
    if (s === undefined) lines.set(file, (s = new Set()));
    s.add(line);
  };
  for (const f of result.files) {
    for (const d of f.diagnostics) {
      want(d.range.file, d.range.line);
      for (const r of d.related ?? []) want(r.range.file, r.range.line);
    }
  }
  for (const [file, wanted] of lines) {
    const src = sourceText(file);
    if (src === undefined) continue;
    const index = new LineIndex(src.text);
    const kept: Array<[number, string]> = [];
    for (const n of [...wanted].sort((a, b) => a - b)) if (n >= 1 && n <= index.lineCount) kept.push([n, index.lineText(n)]);
    frames[file] = [src.kind, index.lineCount, kept];
  }
  const git = result.facts.git;
  if (!git.known || git.asked === undefined) return 'git does not say which files it tracks';
  const report: StoredReport = {
    key,
    files,
    rulesSeen: [...result.rulesSeen],
    sources: [...result.facts.sources.values()].map((s) => [s.file, s.kind]),
    summary,
    frames,
    inputs,
    tracked: { asked: [...git.asked].sort(), files: [...git.files].sort() },
  };
  // Findings and frames are printed redacted; a line scanner may still see a password in a frame
  // line the parsers did not mask (the stylish formatter masks it again when printing): not kept.
  if (holdsUnmasked([report.files, report.frames, report.summary])) return 'the findings or their source lines may hold a password (never cached)';
  return report;
}

/**
 * Does a string in `value` hold what the line scanners take for a password, other than the mask
 * the redaction already put there (`***`: a URL's `user:***@` is still a password's place)?
 */
function holdsUnmasked(value: unknown): boolean {
  if (typeof value === 'string') return secretSpans(value).some((span) => value.slice(span.start, span.end) !== REDACTED);
  if (Array.isArray(value)) return value.some(holdsUnmasked);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsUnmasked);
  return false;
}

/** Is `x` a stored report as this module writes it (the cache file is input: anything may be there)? */
export function isStoredReport(x: unknown): x is StoredReport {
  if (x === null || typeof x !== 'object') return false;
  const r = x as Partial<StoredReport>;
  return (
    typeof r.key === 'string' &&
    Array.isArray(r.rulesSeen) &&
    r.rulesSeen.every((id) => typeof id === 'string') &&
    Array.isArray(r.sources) &&
    r.sources.every((s) => Array.isArray(s) && typeof s[0] === 'string' && typeof s[1] === 'string') &&
    typeof r.summary === 'string' &&
    r.frames !== null &&
    typeof r.frames === 'object' &&
    Array.isArray(r.inputs) &&
    r.inputs.every((i) => Array.isArray(i) && typeof i[0] === 'string' && typeof i[1] === 'string' && typeof i[2] === 'string' && (i[3] === undefined || typeof i[3] === 'number')) &&
    r.tracked !== null &&
    typeof r.tracked === 'object' &&
    Array.isArray(r.tracked.asked) &&
    Array.isArray(r.tracked.files)
  );
}

/**
 * Does every recorded answer hold now? A read git vouches for is not repeated; anything else is
 * asked again, through a fresh file guard (nothing outside the root: such a record is refused).
 */
export function inputsUnchanged(inputs: readonly InputRecord[], root: string, git: GitChanges): boolean {
  const access = new FileAccess(root);
  for (const [op, path, answer, maxBytes] of inputs) {
    const rel = inside(root, path);
    if (rel === undefined) return false;
    switch (op) {
      case 'r':
        if (git.unchanged(rel)) continue;
        if (textFileDigest(access.readText(path, maxBytes)) !== answer) return false;
        continue;
      case 's': {
        if (git.unchanged(rel)) continue;
        if (maxBytes === undefined) return false;
        const a = access.check(path);
        if (!a.ok || sourceDigest(readSourceBytes(path, maxBytes, true)) !== answer) return false;
        continue;
      }
      case 'c': {
        const a = access.check(path);
        if ((a.ok ? '' : a.reason) !== answer) return false;
        continue;
      }
      case 'f':
        if ((access.isFile(path) ? '1' : '0') !== answer) return false;
        continue;
      case 'l':
        if (hashOf(access.listDir(path)) !== answer) return false;
        continue;
      case 'e':
        if ((existsSync(path) ? '1' : '0') !== answer) return false;
        continue;
      case 'k':
        if (access.probeKind(path) !== answer) return false;
        continue;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Files read (`r`, `s`) that git must not vouch for next time: changed this recently before the run
 * (git's snapshot may predate what was read), or a symbolic link (git tracks the link's text, not
 * what it leads to: an edit of its target, even one git ignores, leaves the link unchanged).
 */
export function racyInputs(inputs: readonly InputRecord[], root: string, since: number): string[] {
  const out: string[] = [];
  for (const [op, path] of inputs) {
    if (op !== 'r' && op !== 's') continue;
    const rel = inside(root, path);
    if (rel === undefined) continue;
    if (outlivesSnapshot(path, since)) out.push(rel.split(sep).join('/'));
  }
  return out;
}

/** The stored report as a result: empty facts but for the root, the files read and git's answer. */
export function reusedReport(report: StoredReport, root: string, tracked: ReadonlySet<string>, isWalkCandidate: (rel: string) => boolean): ReusedReport | undefined {
  let files: ReusedReport['files'];
  try {
    const decoded = decodeFacts(report.files) as unknown;
    if (!Array.isArray(decoded)) return undefined;
    files = decoded.map((e) => {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || !Array.isArray(e[1])) throw new Error('not a file result');
      return { filePath: e[0], diagnostics: e[1] as Diagnostic[] };
    });
  } catch {
    return undefined;
  }
  const texts = new Map<string, { text: string; kind: string }>();
  for (const [file, f] of Object.entries(report.frames)) {
    if (!Array.isArray(f) || typeof f[0] !== 'string' || typeof f[1] !== 'number' || !Array.isArray(f[2]) || f[1] < 1 || f[1] > 10_000_000) return undefined;
    // Only the lines frames show; the others empty (LineIndex counts the same lines).
    const lines = new Array<string>(f[1]).fill('');
    for (const l of f[2]) {
      if (!Array.isArray(l) || typeof l[0] !== 'number' || typeof l[1] !== 'string' || l[0] < 1 || l[0] > f[1] || /[\r\n]/.test(l[1])) return undefined;
      lines[l[0] - 1] = l[1];
    }
    texts.set(file, { text: lines.join('\n'), kind: f[0] });
  }
  const sources = new Map<string, { file: string; kind: SourceKind; text: string }>();
  for (const [file, kind] of report.sources) sources.set(file, { file, kind, text: '' });
  const facts = projectFacts(root, { git: { known: true, files: new Set(tracked), asked: new Set(report.tracked.asked) }, sources });
  const isCandidate = (file: string) => {
    const rel = inside(root, file);
    return rel !== undefined && isWalkCandidate(rel);
  };
  return { files, rulesSeen: report.rulesSeen, facts, summary: report.summary, sourceText: (file) => texts.get(file), isCandidate };
}
