/**
 * What a run read, as a user can check it (issue 12): the one-line summary printed on stderr at the
 * end of a stylish run, so that "clean" is believable, and the `--verbose` report: the config file,
 * every file read and as what, what was passed over and why, and the versions assumed.
 * Every path and name is escaped by the caller (escapeText) before it reaches the terminal.
 */
import { relative } from 'node:path';
import type { ResolvedConfig } from '../engine/config.js';
import type { LintResult } from '../engine/lint.js';
import type { CacheStats } from '../facts/cache.js';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "checked 412 files: 3 postgresql.conf, 1 pgbouncer.ini, 37 code files (2 with pools), 2 .env, 1 compose file". */
export function runSummary(result: LintResult): string {
  const f = result.facts;
  const parts: string[] = [];
  const confFiles = new Set(f.postgresql.flatMap((c) => c.files)).size;
  if (confFiles > 0) parts.push(`${confFiles} postgresql.conf`);
  const bouncerFiles = f.pgbouncer.length;
  if (bouncerFiles > 0) parts.push(`${bouncerFiles} pgbouncer.ini`);
  const code = result.discovery?.candidates.filter((c) => c.kind === 'js').length ?? 0;
  const withPools = f.js.filter((j) => j.pools.length > 0).length;
  if (code > 0) parts.push(`${plural(code, 'code file')}${withPools > 0 ? ` (${withPools} with pools)` : ''}`);
  const python = result.discovery?.candidates.filter((c) => c.kind === 'python').length ?? 0;
  const pyPools = f.python.filter((p) => p.pools.length > 0).length;
  if (python > 0) parts.push(`${plural(python, 'Python file')} (${f.python.length} parsed${pyPools > 0 ? `, ${pyPools} with pools` : ''})`);
  if (f.envFiles.length > 0) parts.push(`${f.envFiles.length} .env`);
  if (f.prismaSchemas.length + f.prismaConfigs.length > 0) parts.push(plural(f.prismaSchemas.length + f.prismaConfigs.length, 'Prisma file'));
  if (f.compose.length > 0) parts.push(plural(f.compose.length, 'compose file'));
  if (f.dockerfiles.length > 0) parts.push(plural(f.dockerfiles.length, 'Dockerfile'));
  if (f.kubernetes.length > 0) parts.push(plural(f.kubernetes.length, 'Kubernetes file'));
  if (f.pm2.length > 0) parts.push(plural(f.pm2.length, 'PM2 file'));
  if (f.serverless.length > 0) parts.push(plural(f.serverless.length, 'serverless file'));
  const kinds = (k: string) => result.discovery?.candidates.filter((c) => c.kind === k && f.sources.has(c.path)).length ?? 0;
  const rails = kinds('rails-database') + kinds('puma-config') + kinds('sidekiq-config');
  if (rails > 0) parts.push(plural(rails, 'Rails config file'));
  const spring = f.app.roots.filter((r) => r.framework === 'spring-boot').length;
  if (spring > 0) parts.push(plural(kinds('spring-config'), 'Spring Boot config file'));
  const seen = result.discovery?.filesSeen ?? f.sources.size;
  const what = parts.length > 0 ? parts.join(', ') : 'none of them is an input pgconn-lint reads (run with --verbose to see what was skipped)';
  return `checked ${plural(seen, 'file')}: ${what}`;
}

const REASON: Record<string, string> = {
  gitignore: 'ignored by .gitignore',
  'ignore-pattern': 'ignored by ignorePatterns / --ignore-pattern',
  'default-ignored': 'never read (dependency or build output directory)',
};

/** The `--verbose` report (stderr). */
export function verboseReport(result: LintResult, config: ResolvedConfig, cwd: string): string {
  const rel = (p: string) => relative(cwd, p) || '.';
  const lines: string[] = [];
  lines.push(`config: ${config.file ? rel(config.file) : 'none found (defaults: recommended)'}`);
  lines.push(`repository root: ${rel(result.facts.root)}`);
  const read = result.discovery?.candidates ?? [];
  lines.push(`read (${read.length}):`);
  const pyParsed = new Map(result.facts.python.map((p) => [p.file, p.parsedBecause]));
  for (const c of read) {
    const why = pyParsed.get(c.path);
    const kind =
      c.kind === 'maybe-ini'
        ? 'ini (a [pgbouncer] section makes it a PgBouncer config)'
        : c.kind === 'deployment'
          ? 'YAML/JSON deployment file'
          : c.kind === 'python'
            ? why !== undefined
              ? `python (parsed: ${why})`
              : 'python (not parsed: mentions no PostgreSQL library, DATABASES or settings class)'
            : c.kind;
    lines.push(`  ${rel(c.path)}  as ${kind}`);
  }
  const skipped = result.discovery?.skipped ?? [];
  if (skipped.length > 0) {
    lines.push(`skipped (${skipped.length}${skipped.length >= 1000 ? ', first 1000' : ''}):`);
    for (const s of skipped) lines.push(`  ${rel(s.path)}${s.directory ? '/' : ''}  ${REASON[s.reason] ?? s.reason}`);
  }
  const notInputs = result.facts.skippedInputs ?? [];
  if (notInputs.length > 0) {
    lines.push(`read but not used (${notInputs.length}):`);
    for (const s of notInputs) lines.push(`  ${rel(s.path)}  ${s.reason}`);
  }
  // Files taken as non-production code by evidence rather than by a path pattern (codePaths): say why.
  const byEvidence: string[] = [];
  for (const file of new Set([...result.facts.compose.map((c) => c.file), ...result.facts.js.map((f) => f.file), ...result.facts.python.map((f) => f.file)])) {
    const m = result.model.codePaths.nonProduction(file);
    if (m && (m.source === 'local-stack' || m.source === 'package.json' || m.source === 'python-script')) byEvidence.push(`  ${rel(file)}  ${m.describe}`);
  }
  if (byEvidence.length > 0) {
    lines.push(`non-production by evidence (${byEvidence.length}; codePaths.nonProduction "!path" takes one back):`);
    lines.push(...byEvidence.sort());
  }
  const assumed: string[] = [];
  for (const s of result.model.parameters.servers) if (!s.version.known) assumed.push(`PostgreSQL ${s.version.major} for ${s.name} (set database.version, or use an image tag)`);
  for (const p of result.model.parameters.poolers) if (!p.version.known) assumed.push(`PgBouncer ${p.version.version} for ${rel(p.config.mainFile)} (set pgbouncer.version, or use an image tag)`);
  lines.push(assumed.length > 0 ? 'versions assumed:' : 'versions assumed: none');
  for (const a of assumed) lines.push(`  ${a}`);
  lines.push(runSummary(result));
  return lines.join('\n') + '\n';
}

/** `--verbose` with `--cache`: what the facts cache spared (docs/cache.md). */
export function cacheReport(stats: CacheStats, cacheFile: string, cwd: string): string {
  const parts = [`${stats.verdictsReused.toLocaleString('en-US')} code files unchanged (${stats.gitUnchanged.toLocaleString('en-US')} vouched for by git)`, `${stats.verdictsComputed.toLocaleString('en-US')} read`];
  parts.push(stats.walkReused ? 'walk reused' : 'tree walked');
  parts.push(stats.analysisReused ? 'code analysis reused' : 'code analysed');
  if (!stats.entriesParsed && stats.verdictsReused > 0) parts.push('entries not parsed');
  if (stats.analysisNotStored) parts.push(`analysis not stored: ${stats.analysisNotStored}`);
  if (stats.reportNotStored) parts.push(`report not stored: ${stats.reportNotStored}`);
  parts.push(stats.written ? 'cache file written' : 'cache file unchanged');
  return `cache ${relative(cwd, cacheFile) || cacheFile}: ${parts.join('; ')}\n`;
}
