/**
 * `pgconn-lint live`, without the command line: which targets to read, reading them one after the
 * other, joining the readings with the model and running the `live-*` rules over them. The CLI
 * (src/cli/live.ts) only parses flags and prints.
 */
import { UsageError } from '../discovery/discover.js';
import type { Diagnostic } from '../core/diagnostic.js';
import { readTextFile } from '../core/read-text.js';
import type { ResolvedConfig } from '../engine/config.js';
import { runRules, type LintResult } from '../engine/lint.js';
import type { Rule } from '../engine/rule.js';
import type { ProjectModel } from '../model/project-model.js';
import { expandDotenv, parseDotenv } from '../sources/env/index.js';
import { joinReadings } from './join.js';
import { readTarget, type ReadOptions } from './read.js';
import { sameTarget, targetFromEnvironment, targetFromString, type ResolvedTarget } from './targets.js';
import type { JoinedReading, LiveOptions, LiveReading } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface TargetOptions {
  urls: readonly string[];
  urlEnvs: readonly string[];
  fromModel: boolean;
  /** `--env-file`: read for `--from-model` (the production values of the model's variables). Absolute paths. */
  envFiles: readonly string[];
  env: Env;
}

/**
 * The targets, in the order named: `--url`s, `--url-env`s, the model's (`--from-model`); with
 * none of those, the libpq `PG*` environment. A string that cannot be used is a usage error.
 */
export function resolveTargets(o: TargetOptions, model: ProjectModel | undefined): { targets: ResolvedTarget[]; notes: string[] } {
  const out: ResolvedTarget[] = [];
  const notes: string[] = [];
  const add = (r: ResolvedTarget | { error: string }) => {
    if ('error' in r) throw new UsageError(r.error);
    notes.push(...r.notes);
    if (out.some((x) => sameTarget(x.target, r.target))) return;
    out.push(r);
  };
  o.urls.forEach((u, i) => add(targetFromString(u, o.urls.length > 1 ? `--url #${i + 1}` : '--url', o.env)));
  for (const name of o.urlEnvs) {
    const v = o.env[name];
    if (v === undefined || v.trim() === '') throw new UsageError(`--url-env ${name}: the environment variable ${name} is not set`);
    add(targetFromString(v, `--url-env ${name}`, o.env));
  }
  if (o.fromModel && model) for (const r of modelTargets(model, o)) add(r);
  if (out.length === 0 && !o.fromModel) {
    const fromEnv = targetFromEnvironment(o.env);
    if (fromEnv) add(fromEnv);
  }
  if (out.length === 0) {
    throw new UsageError(
      o.fromModel
        ? 'live --from-model: no server or PgBouncer of the model has a URL whose value is known (point at the production values with --env-file, or name one with --url)'
        : 'live needs a server: --url <URL or conninfo>, --url-env <NAME>, the PGHOST/PGPORT/PGUSER/PGDATABASE environment, or --from-model',
    );
  }
  return { targets: out, notes };
}

/** Values of `--env-file` files, as dotenv + dotenv-expand read them. */
function envFileValues(files: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const file of files) {
    const t = readTextFile(file);
    if (!t.ok) throw new UsageError(`--env-file ${file}: ${t.problem.message}`);
    const expanded = expandDotenv(parseDotenv(t.text, file).entries, {});
    for (const [k, v] of expanded.values) values.set(k, v.value);
  }
  return values;
}

/**
 * The model's servers and PgBouncers whose URL is known: the variable a client of the model reads
 * (DATABASE_URL), valued by `--env-file` when given, else by the service's own environment in the
 * repository. A PgBouncer is read through its admin console with the same login (it must be in
 * admin_users or stats_users).
 */
function modelTargets(model: ProjectModel, o: TargetOptions): ResolvedTarget[] {
  const fromFiles = o.envFiles.length > 0 ? envFileValues(o.envFiles) : undefined;
  const out: ResolvedTarget[] = [];
  const seen = new Set<string>();
  for (const e of model.deployment.edges) {
    if (!e.target || e.envVar === undefined) continue;
    const svc = model.deployment.services.find((s) => s.id === e.serviceId);
    const own = svc?.environment?.get(e.envVar);
    // A value with variables no file resolves is not a URL anyone can connect with.
    const text = fromFiles ? fromFiles.get(e.envVar) : own && (own.unresolved ?? []).length === 0 ? own.value : undefined;
    if (text === undefined) continue;
    const key = `${e.target.kind}:${e.target.id}:${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const where = `${e.envVar}${fromFiles ? ' (--env-file)' : ''} of ${svc ? `service ${svc.name}` : e.poolId}`;
    const r = targetFromString(text, `--from-model: ${where}`, o.env);
    if ('error' in r) continue;
    const node = e.target.kind === 'server' ? model.deployment.servers.find((s) => s.id === e.target!.id) : model.deployment.poolers.find((p) => p.id === e.target!.id);
    const why = `${where} reaches ${e.target.kind} ${node?.name ?? e.target.id} in the model`;
    if (e.target.kind === 'pooler') {
      if (node && 'kind' in node && node.kind !== 'pgbouncer') continue;
      r.target.kind = 'pgbouncer';
      r.target.database = 'pgbouncer';
      r.connect.database = 'pgbouncer';
      r.target.display = r.target.display.replace(/\/[^/]*$/, '/pgbouncer');
    }
    r.target.modelNode = { kind: e.target.kind, id: e.target.id, why };
    out.push(r);
  }
  return out;
}

/** Reads the targets one after the other: at most one connection is open at any time. */
export async function readTargets(targets: readonly ResolvedTarget[], o: ReadOptions): Promise<LiveReading[]> {
  const out: LiveReading[] = [];
  for (const t of targets) {
    const r = await readTarget(t.target, t.connect, o);
    const reading: LiveReading = { target: t.target, result: r.result, elapsedMs: r.elapsedMs };
    if (r.failure) reading.failure = r.failure;
    out.push(reading);
  }
  return out;
}

/** The `live-*` rules (their inputs say 'live'). */
export function liveRules(rules: readonly Rule[]): Rule[] {
  return rules.filter((r) => r.meta.inputs.includes('live'));
}

/** Joins the readings with the model and runs the live rules: a LintResult the formatters print. */
export function judgeReadings(model: ProjectModel, config: ResolvedConfig, rules: readonly Rule[], readings: readonly LiveReading[], o: LiveOptions & { server?: string }): { result: LintResult; joined: JoinedReading[] } {
  const joined = joinReadings(model, readings, o.server !== undefined ? { server: o.server } : {});
  const diagnostics = runRules(model, config, liveRules(rules), { readings: joined, options: { showQueries: o.showQueries } });
  return { result: resultOf(model, diagnostics, joined), joined };
}

/** Findings grouped by location: the targets in the order read, then repository files by path. */
function resultOf(model: ProjectModel, diagnostics: Diagnostic[], joined: readonly JoinedReading[]): LintResult {
  const byFile = new Map<string, Diagnostic[]>();
  for (const r of joined) byFile.set(r.target.display, []);
  const files = [...new Set(diagnostics.map((d) => d.range.file))].filter((f) => !byFile.has(f)).sort();
  for (const f of files) byFile.set(f, []);
  for (const d of diagnostics) byFile.get(d.range.file)!.push(d);
  const rulesSeen: string[] = [];
  const out = [...byFile.entries()].filter(([, ds]) => ds.length > 0).map(([filePath, ds]) => ({ filePath, diagnostics: ds }));
  for (const f of out) for (const d of f.diagnostics) if (d.ruleId && !rulesSeen.includes(d.ruleId)) rulesSeen.push(d.ruleId);
  return { files: out, facts: model.facts, model, rulesSeen };
}
