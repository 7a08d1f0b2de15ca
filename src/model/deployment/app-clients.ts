import { posix, resolve } from 'node:path';
import type { SourceRange } from '../../core/location.js';
import type { AppPool, AppSetting, Concurrency, ProcessConfigFile, ProcessModel } from '../../sources/app/types.js';
import { environmentText } from '../connection-resolver.js';
import type { LaunchedProcess } from './attribution.js';
import type { BuildContext } from './context.js';
import type { ServiceEnv } from './env.js';
import { inside } from './packages.js';
import { derived, isKnown, literal, times, unknownQ } from './quantity.js';
import type { ClientEdge, Quantity, ServiceProcess } from './types.js';

/**
 * The arithmetic of issue 14 for services of other languages: per instance = processes per instance
 * × connections per process, where connections per process are the pool's peak bounded by what a
 * process can use at once: a synchronous library holds one connection per thread (min(peak, threads)),
 * asyncio and greenlet workers can check out the whole pool, Django without a pool holds one
 * connection per thread per alias. Every step says which bound applied.
 */

/** An AppSetting<number> in a service's environment, as a Quantity ("pool 5 (RAILS_MAX_THREADS unset: fallback)"). */
export function settingQuantity(ctx: BuildContext, s: AppSetting<number> | undefined, label: string, env: ServiceEnv, missing?: string): Quantity {
  if (s === undefined) return unknownQ(`${label} unknown`, missing ?? `${label} is not set`);
  for (const name of s.envOverrides ?? []) {
    const v = environmentText(env, name);
    const n = v ? Number(v.value) : NaN;
    if (v && v.value.trim() !== '' && Number.isFinite(n)) return literal(n, `${label} ${n} (${name} in ${v.source})`, v.range ?? s.range);
  }
  const p = s.provenance;
  if (p.kind === 'env') {
    // Set, but to a value the files do not give (a secret, a host variable, a platform's own): unknown, not the fallback.
    const set = env.get(p.envVar);
    if (set && set.value === undefined) return unknownQ(`${label} from ${p.envVar} (set by ${set.source})`, `${p.envVar} is set by ${set.source}, to a value the repository does not give`, set.range ?? s.range);
    const v = environmentText(env, p.envVar);
    const n = v ? Number(v.value) : NaN;
    if (v && v.value.trim() !== '' && Number.isFinite(n)) return literal(n, `${label} ${n} (${p.envVar} in ${v.source})`, v.range ?? s.range);
    if (v && v.value.trim() !== '') return unknownQ(`${label} from ${p.envVar} (${v.value} is not a number)`, `${p.envVar} is "${v.value}" in ${v.source}`, v.range ?? s.range);
    if (s.value !== undefined) return { value: s.value, source: `${label} ${s.value} (${p.envVar} unset)`, provenance: p, ...(s.range ? { range: s.range } : {}) };
    return unknownQ(`${label} from ${p.envVar} (not set)`, `${p.envVar} is not set in this service's environment`, s.range);
  }
  if (s.cpuMultiple !== undefined && s.value === undefined) {
    if (ctx.cpus !== undefined) return derived(ctx.cpus * s.cpuMultiple, `${label} ${ctx.cpus * s.cpuMultiple} (${p.kind === 'default' ? p.note.replace(/ \(set deployment\.cpus\)$/, '') : 'CPU count'}; deployment.cpus ${ctx.cpus})`, p.kind === 'default' ? p.note : 'CPU count', s.range);
    return unknownQ(`${label} = CPU count (unknown: set deployment.cpus)`, p.kind === 'default' ? p.note : 'sized from the CPU count', s.range, 1);
  }
  if (p.kind === 'default') return s.value !== undefined ? { value: s.value, source: `${label} ${s.value} (default)`, provenance: p } : unknownQ(`${label} default (not known)`, p.note);
  if (p.kind === 'unknown' || s.value === undefined) return unknownQ(`${label} unknown (${ctx.at(s.range)})`, p.kind === 'unknown' ? p.reason : 'not known', s.range);
  return { value: s.value, source: `${label} ${s.value}`, provenance: p, ...(s.range ? { range: s.range } : {}) };
}

/** The environment a launch adds to the service's (`RAILS_ENV=production puma`). */
export function launchEnv(env: ServiceEnv, launched: LaunchedProcess | undefined): ServiceEnv {
  const vars = Object.entries(launched?.env ?? {});
  if (vars.length === 0) return env;
  const out: ServiceEnv = new Map(env);
  for (const [name, value] of vars) out.set(name, { name, value, source: `${launched!.from} (${name}=…)`, from: 'inline' });
  return out;
}

/** The config file the launch reads (named with -c/-C, or its default one) among the repository's. */
function configFileOf(ctx: BuildContext, launched: LaunchedProcess, codePaths: string[]): ProcessConfigFile | undefined {
  const p = launched.process;
  const configs = ctx.facts.app.processConfigs.filter((c) => c.server === p.server || (p.server === 'rails-server' && c.server === 'puma'));
  if (configs.length === 0) return undefined;
  const dirs = [...(launched.cwd !== undefined ? [launched.cwd] : []), ...codePaths];
  const names = p.configFile !== undefined ? [p.configFile] : (p.defaultConfigFiles ?? []);
  for (const name of names) {
    if (posix.isAbsolute(name)) {
      // A container path: the file of that name under the code the service runs.
      const tail = name.split('/').filter(Boolean);
      for (let i = 0; i < tail.length; i++) {
        const rest = tail.slice(i).join('/');
        const hit = configs.find((c) => dirs.some((d) => c.file === resolve(d, rest)));
        if (hit) return hit;
      }
      continue;
    }
    for (const d of dirs) {
      const hit = configs.find((c) => c.file === resolve(d, name));
      if (hit) return hit;
    }
  }
  return undefined;
}

/**
 * Processes per instance and threads per process of a service: the command line's values, then its
 * config file's (the command line wins), each resolved in the service's environment.
 */
export function serviceProcess(ctx: BuildContext, launched: LaunchedProcess | undefined, codePaths: string[], env: ServiceEnv, javaOnly: boolean): ServiceProcess | undefined {
  if (!launched) {
    if (!javaOnly) return undefined;
    // A Spring Boot application runs one JVM per container; its request threads do not bound HikariCP.
    return { server: 'java', describe: 'one JVM per instance (Spring Boot)', processes: derived(1, '1 JVM', 'a Spring Boot container runs one JVM'), threads: unknownQ('threads not a bound', 'HikariCP maximum-pool-size is the per-process peak'), concurrency: 'threads' };
  }
  const p: ProcessModel = launched.process;
  const e = launchEnv(env, launched);
  const file = configFileOf(ctx, launched, codePaths);
  const envName = environmentName(p, e);
  // Sidekiq without an environment runs development; the budget judges production, as for database.yml.
  const byEnv = file?.byEnvironment?.find((b) => b.environment === (envName?.name ?? 'production'));
  let processes = p.processes;
  let threads = p.threads;
  let concurrency: Concurrency = p.concurrency;
  const from: string[] = [`${launched.from}`];
  if (file) {
    const fileProcesses = byEnv?.processes ?? file.processes;
    const fileThreads = byEnv?.threads ?? file.threads;
    if (!p.setOnCommandLine.includes('processes') && fileProcesses) processes = fileProcesses;
    if (!p.setOnCommandLine.includes('threads') && fileThreads) threads = fileThreads;
    if (!p.setOnCommandLine.includes('concurrency') && file.concurrency) concurrency = file.concurrency.value;
    // gunicorn: a sync worker with threads > 1 is gthread (gunicorn/config.py WorkerThreads).
    if (p.server === 'gunicorn' && concurrency === 'sync' && (threads.value ?? 1) > 1) concurrency = 'threads';
    // uWSGI: `threads` > 1 serves that many requests at once per worker.
    if (p.server === 'uwsgi' && concurrency === 'sync' && (threads.value ?? 1) > 1) concurrency = 'threads';
    from.push(ctx.rel(file.file));
  }
  const label = serverLabel(p.server);
  let procQ = settingQuantity(ctx, processes, label.processes, e);
  // Puma: workers 0 is single mode, one process (lib/puma/configuration.rb, `workers: 0`).
  if (p.server === 'puma' || p.server === 'rails-server') {
    if (procQ.value === 0) procQ = { ...procQ, value: 1, source: `${procQ.source.replace(/^workers 0/, 'workers 0')} = 1 process (single mode)` };
  }
  let thrQ: Quantity;
  if (concurrency === 'async') thrQ = unknownQ('any number of requests at once (asyncio)', 'an asyncio worker runs any number of requests at once');
  else if (concurrency === 'prefork' && threads.provenance.kind === 'default') thrQ = derived(1, '1 task per child', 'a prefork child runs one task at a time');
  else thrQ = settingQuantity(ctx, threads, label.threads, e);
  return {
    server: p.server,
    describe: `${p.describe} (${from.join(', ')})`,
    processes: procQ,
    threads: thrQ,
    concurrency,
    ...(envName ? { environment: envName } : {}),
  };
}

function serverLabel(server: ProcessModel['server']): { processes: string; threads: string } {
  switch (server) {
    case 'celery':
      return { processes: 'concurrency', threads: 'concurrency' };
    case 'sidekiq':
      return { processes: 'processes', threads: 'concurrency' };
    case 'puma':
    case 'rails-server':
      return { processes: 'workers', threads: 'threads' };
    default:
      return { processes: 'workers', threads: 'threads' };
  }
}

/** The environment the application runs in: `-e` on the command line, else the variables the framework reads. */
function environmentName(p: ProcessModel, env: ServiceEnv): { name: string; source: string } | undefined {
  if (p.environment !== undefined) return { name: p.environment, source: 'the command line' };
  const vars = p.server === 'sidekiq' ? ['APP_ENV', 'RAILS_ENV', 'RACK_ENV'] : p.server === 'puma' || p.server === 'rails-server' ? ['RAILS_ENV', 'RACK_ENV', 'APP_ENV'] : [];
  for (const v of vars) {
    const t = environmentText(env, v);
    if (t && t.value.trim() !== '') return { name: t.value.trim(), source: `${v} in ${t.source}` };
  }
  return undefined;
}

/**
 * The pools of one group (the same database.yml entry, the same Spring datasource) that apply in the
 * service's environment: the one its variables select, else the one judged by default.
 */
export function selectEnvironmentPools(ctx: BuildContext, pools: AppPool[], env: ServiceEnv, process: ServiceProcess | undefined, serviceName: string): AppPool[] {
  const out: AppPool[] = [];
  const groups = new Map<string, AppPool[]>();
  for (const p of pools) {
    if (p.environment === undefined || p.group === undefined) out.push(p);
    else groups.set(p.group, [...(groups.get(p.group) ?? []), p]);
  }
  for (const [, list] of groups) {
    const vars = list[0]!.environment!.variables;
    let chosen: AppPool | undefined;
    let why = '';
    const fromProcess = process?.environment;
    if (fromProcess) {
      chosen = list.find((p) => p.environment!.name === fromProcess.name);
      why = `${fromProcess.name} (${fromProcess.source})`;
    }
    if (!chosen) {
      for (const v of vars) {
        const t = environmentText(env, v);
        if (!t || t.value.trim() === '') continue;
        // SPRING_PROFILES_ACTIVE=prod,cloud: the last listed profile with a variant wins (Spring's order: later profiles override).
        const names = t.value.split(',').map((x) => x.trim()).filter(Boolean);
        for (const n of names) {
          const hit = list.find((p) => p.environment!.name === n);
          if (hit) chosen = hit;
        }
        why = `${v}=${t.value} (${t.source})`;
        if (chosen) break;
      }
    }
    if (!chosen) {
      chosen = list.find((p) => p.environment!.judgedByDefault);
      if (chosen) {
        const reason = chosen.environment!.defaultReason ?? `${vars.join('/')} not set`;
        ctx.notes.push({ message: `${serviceName}: ${ctx.rel(chosen.file)} is judged in its ${chosen.environment!.name} configuration: ${why !== '' ? `${why} names none of its environments; ` : ''}${reason}`, range: chosen.range });
      }
    }
    if (chosen) out.push(chosen);
  }
  return out;
}

/** Does one of `paths` run this pool's application? */
export function runsAppPool(pool: AppPool, paths: string[]): boolean {
  return paths.some((d) => inside(pool.appDir, d) || inside(pool.file, d));
}

/** The pool's peak per process in the service's environment (Σ terms), or unknown with the reason. */
export function appPoolPeak(ctx: BuildContext, pool: AppPool, env: ServiceEnv): Quantity {
  if (pool.peak.unbounded !== undefined) return unknownQ(`no pool bound (${pool.peak.unbounded})`, pool.peak.unbounded, pool.range, 1);
  const terms = pool.peak.terms.map((t) => settingQuantity(ctx, t.value, t.name, env));
  if (terms.length === 1) return terms[0]!;
  const known = terms.every(isKnown);
  const total = terms.reduce((n, q) => n + (q.value ?? q.lowerBound ?? 0), 0);
  const text = terms.map((q) => q.source).join(' + ');
  return known ? derived(total, `${text} = ${total}`, pool.peak.explanation, pool.range) : unknownQ(text, `unknown: ${terms.filter((q) => !isKnown(q)).map((q) => q.source).join('; ')}`, pool.range, total > 0 ? total : undefined);
}

/**
 * Connections one instance of the service opens through the pool: processes × per process, where per
 * process is the peak bounded by what a process can use at once. The source text names the bound.
 */
export function appPoolPerInstance(ctx: BuildContext, pool: AppPool, env: ServiceEnv, proc: ServiceProcess | undefined): { perInstance: Quantity; perProcess: NonNullable<ClientEdge['perProcess']> } {
  const peak = appPoolPeak(ctx, pool, env);
  let perProcess: Quantity;
  let bound: NonNullable<ClientEdge['perProcess']>['bound'];
  const threads = proc?.threads;
  const kind = proc?.concurrency;
  const many = kind === 'async' || kind === 'greenlets';
  if (pool.use === 'per-thread-per-alias') {
    // Django without a pool: one connection per thread per alias (django/db/utils.py ConnectionHandler, asgiref Local).
    bound = 'per-thread-per-alias';
    if (threads && isKnown(threads) && !many) perProcess = derived(threads.value, `1 per thread × ${threads.source}`, 'one connection per thread per database alias', threads.range);
    else perProcess = unknownQ(`1 per thread (${threads ? threads.source : 'threads per process unknown'})`, 'one connection per thread per alias, and the thread count is not known', pool.range, 1);
  } else if (pool.use === 'whole-pool' || many) {
    bound = 'whole-pool';
    // Say which bound applied: an async worker, greenlets, or async code (asyncpg, create_async_engine) can use every connection at once.
    perProcess = pool.peak.unbounded !== undefined && !many ? peak : { ...peak, source: `${peak.source} (whole pool: ${many ? `${kind} worker` : 'async code'})` };
  } else if (threads && isKnown(threads)) {
    bound = isKnown(peak) && peak.value <= threads.value ? 'pool' : 'threads';
    if (bound === 'pool') perProcess = { ...peak, source: `${peak.source} (the pool bounds it: ${threads.value} thread${threads.value === 1 ? '' : 's'})` };
    else perProcess = derived(threads.value, `${threads.source} (one connection per thread bounds it: pool ${isKnown(peak) ? peak.value : pool.peak.unbounded !== undefined ? 'unbounded' : '?'})`, `a synchronous ${pool.library} pool is used by one thread at a time`, threads.range);
  } else {
    bound = 'unknown-threads';
    perProcess = { ...peak, source: `${peak.source}${threads ? ' (threads per process unknown: the pool peak counted)' : ''}` };
  }
  const info = { peak, ...(threads ? { threads } : {}), bound };
  if (!proc) return { perInstance: perProcess, perProcess: info };
  const procs = proc.processes;
  // One process by nature (a JVM, Sidekiq, a threaded Celery worker): no factor to show.
  if ((isKnown(procs) && procs.value === 1 && procs.provenance.kind === 'default') || (proc.server === 'java' && procs.value === 1)) return { perInstance: perProcess, perProcess: info };
  return { perInstance: times(procs, perProcess, `${procs.source} × ${perProcess.source}`), perProcess: info };
}

/** Where the process model is written, for related locations. */
export function processRange(proc: ServiceProcess | undefined): SourceRange | undefined {
  return proc?.processes.range ?? proc?.threads.range;
}
