import { closestName } from '../../catalog/suggest.js';
import { basename, dirname, resolve } from 'node:path';
import { extractPm2 } from '../../sources/pm2/extract.js';
import { postgresCompatibleServer } from '../../sources/yaml/images.js';
import { surgePods } from '../../sources/yaml/kubernetes.js';
import type { PoolDefinition } from '../../sources/js/types.js';
import type { AppPool } from '../../sources/app/types.js';
import type { ComposeFacts, ComposeService, K8sContainer, K8sJob, K8sWorkload, Pm2App } from '../../sources/yaml/types.js';
import { DEFAULT_NAMESPACE, type BuildContext } from './context.js';
import type { EndpointScope } from './endpoints.js';
import { composeEnv, dotenvFor, k8sEnv, pm2Env, serverlessEnv, withFallback, type ServiceEnv } from './env.js';
import { declared as declaredQ, defaulted, derived, fromResolved, literal, unknownQ } from './quantity.js';
import { HEROKU_PYTHON_WEB_CONCURRENCY, type ProcfileFacts, type ProcfileProcess } from '../../sources/platform/procfile.js';
import { launchesOfShell } from '../../sources/command/launch.js';
import type { Quantity, ServiceNode } from './types.js';
import { attributeCompose, fileKey, launchedProcess, oneShotCommand, oneShotFiles, ownImage, type Attribution, type LaunchedProcess } from './attribution.js';
import { runsAppPool, selectEnvironmentPools, serviceProcess } from './app-clients.js';
import { inside, PackageIndex } from './packages.js';

/** A service with what the edges step needs beside the public node. */
export interface ServiceBuild {
  node: ServiceNode;
  env: ServiceEnv;
  scope: EndpointScope;
  /** Pools of the code this service runs (runtime code only: tests, scripts and seeds are left out). */
  pools: PoolDefinition[];
  /** Pools of Python, Spring Boot and Rails code this service runs, in the environment it selects. */
  appPools?: AppPool[];
  /** The app server its command starts (gunicorn, Puma, Sidekiq …), when the command is known. */
  launched?: LaunchedProcess;
  /** The service's code is not in the repository (an image built elsewhere). */
  codeless: boolean;
}

/** A directory with code that creates pools: a package (nearest package.json) or the repository root. */
interface AppDir {
  dir: string;
  name?: string;
  pools: Array<PoolDefinition | AppPool>;
}

/** Pools that open connections: wrappers (Kysely, Drizzle over a pool, PrismaClient with an adapter) count through the pool they wrap. */
export function countedPools(facts: BuildContext['facts']): PoolDefinition[] {
  return facts.js.flatMap((f) => f.pools).filter((p) => !(p.connectionsPerProcess?.value === 0));
}

export function collectServices(ctx: BuildContext): ServiceBuild[] {
  const root = ctx.facts.root;
  const pkgs = new PackageIndex(root, ctx.facts.packages);
  // Pools of code that runs once (a migration CLI's data source, a seed, a perf script) are not the app's.
  const once = oneShotFiles(pkgs);
  const pools: PoolDefinition[] = [];
  for (const p of countedPools(ctx.facts)) {
    const step = once.get(fileKey(p.file));
    // a pool per call site (callers.ts) is test code's when its outermost call is
    const caller = p.calledFrom?.[0];
    const np = ctx.codePaths.nonProduction(p.file) ?? (caller !== undefined ? ctx.codePaths.nonProduction(caller.file) : undefined);
    if (step !== undefined) ctx.notes.push({ message: `the pool at ${ctx.at(p.range)} is a client of ${step}, which runs once: not counted as a pool of a long-running service`, range: p.range });
    else if (np !== undefined) {
      const via = caller !== undefined && ctx.codePaths.nonProduction(p.file) === undefined ? `, as called from ${ctx.at(caller)},` : '';
      ctx.notes.push({ message: `the pool at ${ctx.at(p.range)}${via} is in non-production code (${np.describe}): not counted as a pool of a long-running service`, range: p.range });
    }
    else if (p.sizedBy !== undefined && p.sizedBy.length > 0 && p.sizedBy.every((c) => ctx.codePaths.nonProduction(c.file) !== undefined)) {
      // every caller that sized it is test or one-off code: production's size is not shown (a library's API)
      const first = p.sizedBy[0]!;
      ctx.notes.push({ message: `the pool at ${ctx.at(p.range)} is sized only by callers in non-production code (${ctx.at(first)}${p.sizedBy.length > 1 ? ` and ${p.sizedBy.length - 1} more` : ''}): its size in production is unknown`, range: p.range });
      pools.push({ ...p, max: { value: undefined, provenance: { kind: 'unknown', reason: `sized only by callers in non-production code (${ctx.at(first)})` } } });
    } else pools.push(p);
  }
  const apps = new Map<string, AppDir>();
  for (const p of pools) {
    const pkg = pkgs.of(p.file);
    const dir = pkg?.dir ?? root;
    let app = apps.get(dir);
    if (!app) apps.set(dir, (app = { dir, pools: [], ...(pkg?.name ? { name: pkg.name } : {}) }));
    app.pools.push(p);
  }
  // Pools of other languages: grouped by their application's root (a Rails root, a Spring module, a Django project).
  const appPools = ctx.facts.app.pools.filter((p) => ctx.codePaths.nonProduction(p.file) === undefined);
  for (const p of appPools) {
    let app = apps.get(p.appDir);
    if (!app) apps.set(p.appDir, (app = { dir: p.appDir, pools: [], name: basename(p.appDir) }));
    app.pools.push(p);
  }
  const poolsUnder = (paths: string[]): PoolDefinition[] => pools.filter((p) => paths.some((d) => inside(p.file, d)));

  const out: ServiceBuild[] = [];
  // Compose: services built from this repository first, so an `image:` another service builds is known.
  const built = new Map<string, { codePaths: string[]; service: string }>();
  const composeBuilds: Array<{ compose: ComposeFacts; svc: ComposeService; build: ServiceBuild }> = [];
  for (const compose of ctx.facts.compose) {
    const completed = new Set(compose.services.flatMap((x) => x.dependsOnCompleted.map((d) => d.value)));
    for (const svc of compose.services) {
      if (svc.postgres || isBouncer(svc)) continue;
      const other = svc.image ? postgresCompatibleServer(svc.image) : undefined;
      if (other !== undefined) {
        ctx.notes.push({ message: `${svc.name}: image ${svc.image!.raw} runs ${other}, a database server that speaks PostgreSQL's protocol but is not PostgreSQL: no max_connections budget is computed for it, and it is not a client service`, range: svc.nameRange });
        continue;
      }
      const b = composeService(ctx, compose, svc, pkgs, completed);
      composeBuilds.push({ compose, svc, build: b });
      if (svc.build && svc.image) built.set(svc.image.repository, { codePaths: b.node.codePaths, service: `compose service ${svc.name}` });
    }
  }
  for (const { svc, build } of composeBuilds) {
    if (!svc.build && svc.image && !svc.postgresClient) {
      const own = ownImage(svc.image, built, root, pkgs, ctx.facts.dockerfiles, { ...(svc.entrypoint ? { entrypoint: svc.entrypoint.args.map((a) => a.value) } : {}), ...(svc.command ? { command: svc.command.args.map((a) => a.value) } : {}), overrideBy: 'compose' }, relOf(ctx));
      if (own) applyAttribution(build, own);
    }
    out.push(build);
  }
  for (const c of ctx.facts.compose) profileNote(ctx, c);
  for (const k8s of ctx.facts.kubernetes) {
    for (const w of k8s.workloads) {
      if (w.containers.some((c) => c.postgres || c.pgbouncer || (c.image && /(^|\/)pgbouncer$/.test(c.image.repository)))) continue;
      out.push(k8sService(ctx, w, apps, pkgs, built));
    }
    for (const j of k8s.jobs) out.push(k8sJob(ctx, j));
  }
  const pm2Services: ServiceBuild[] = [];
  for (const pm2 of ctx.facts.pm2) {
    const apps2 = ctx.cpus !== undefined ? reextractPm2(ctx, pm2.file) ?? pm2.apps : pm2.apps;
    for (const app of apps2) pm2Services.push(pm2Service(ctx, pm2.file, app, pkgs));
  }
  for (const sls of ctx.facts.serverless) {
    for (const fn of sls.functions) {
      const dir = pkgs.containing(dirname(sls.file))?.dir ?? dirname(sls.file);
      const name = sls.framework === 'vercel' ? `vercel ${fn.name}` : fn.name;
      const provisioned = fn.provisionedConcurrency?.value;
      let peak: Quantity;
      if (fn.maxConcurrency.value !== undefined) peak = fromResolved(fn.maxConcurrency, (v) => `reservedConcurrency ${v}`);
      else peak = unknownQ(sls.framework === 'vercel' ? 'unknown concurrency (Vercel scales functions automatically)' : 'unknown concurrency (no reservedConcurrency)', fn.maxConcurrency.provenance.kind === 'unknown' ? fn.maxConcurrency.provenance.reason : 'not set', fn.range, provisioned ?? 1);
      if (fn.maxConcurrency.value === undefined && provisioned !== undefined) peak.source += `, at least provisionedConcurrency ${provisioned}`;
      out.push({
        node: { id: `service:${sls.framework}:${ctx.rel(sls.file)}#${fn.name}`, name, kind: sls.framework === 'vercel' ? 'vercel' : 'serverless', range: fn.range, peakInstances: peak, codePaths: [dir], linkReason: `function of ${ctx.rel(sls.file)}: code in ${ctx.rel(dir) || '.'}` },
        env: withFallback(serverlessEnv(sls, fn), dotenvFor(ctx, dir)),
        scope: {},
        pools: [],
        codeless: false,
      });
    }
  }

  // PM2 inside a container multiplies the container's count; otherwise it is a service of its own.
  for (const p of pm2Services) {
    const host = out.find((s) => (s.node.kind === 'compose' || s.node.kind === 'kubernetes') && s.node.notCounted === undefined && s.node.codePaths.some((d) => p.node.codePaths.some((c) => inside(c, d))));
    if (host) {
      host.node.peakInstances = multiply(host.node.peakInstances, p.node.peakInstances, `${host.node.peakInstances.source} × ${p.node.peakInstances.source} (PM2 in each)`);
      host.node.notes = [...(host.node.notes ?? []), `runs PM2 app ${p.node.name} (${ctx.rel(p.node.range.file)}) in each container`];
      host.env = withFallback(host.env, p.env);
    } else out.push(p);
  }

  // A deployment file in a test or CI folder (e2e/docker-compose.yml) describes a test setup, not production.
  for (const s of out) {
    const np = ctx.codePaths.nonProduction(s.node.range.file);
    if (np) notCounted(s, `defined in non-production code (${np.describe}): a test or CI setup. Not counted in the long-running budget`);
  }

  applyDeclaredServices(ctx, out);

  // A repository with one app and one workload links them.
  const linked = (s: ServiceBuild) => s.node.codePaths.length > 0;
  const appsLeft = [...apps.values()].filter((a) => !out.some((s) => s.node.codePaths.some((d) => inside(a.dir, d) || inside(d, a.dir))));
  const unlinked = out.filter((s) => !linked(s) && s.node.kind !== 'declared' && s.node.notCounted === undefined);
  if (appsLeft.length === 1) {
    const app = appsLeft[0]!;
    const vars = new Set(app.pools.flatMap((p) => [...(p.connectionString?.provenance.kind === 'env' ? [p.connectionString.provenance.envVar] : []), ...('appDir' in p ? [...(p.connectionString?.envOverrides ?? []), ...connectionOptionVars(p)] : [])]));
    const byVar = unlinked.filter((s) => [...vars].some((v) => s.env.has(v)));
    const pick = byVar.length === 1 ? byVar[0] : unlinked.filter((s) => !isInfra(s)).length === 1 ? unlinked.filter((s) => !isInfra(s))[0] : undefined;
    if (pick) {
      pick.node.codePaths = [app.dir];
      pick.node.linkReason = byVar.length === 1
        ? `the only workload that sets ${[...vars].filter((v) => pick.env.has(v)).join(', ')}, which the code in ${ctx.rel(app.dir) || '.'} reads`
        : `the repository has one app (${ctx.rel(app.dir) || '.'}) and one workload`;
      pick.codeless = false;
    }
  }
  // A Procfile (Heroku, Dokku) runs the code of its directory that no other deployment file runs:
  // one service per process type (its dyno count from app.json's formation, else unknown).
  for (const proc of ctx.facts.procfiles) {
    const dir = dirname(proc.file);
    const appsHere = [...apps.values()].filter((a) => inside(a.dir, dir));
    if (appsHere.length === 0 || appsHere.every((a) => out.some((s) => s.node.codePaths.some((d) => inside(a.dir, d) || inside(d, a.dir))))) continue;
    for (const p of proc.processes) {
      if (p.type === 'release') continue; // Heroku Release Phase: runs once per deploy.
      out.push(procfileService(ctx, proc, p));
    }
  }
  // Code no deployment file runs: one service per app, instance count unknown (at least 1).
  for (const app of [...apps.values()]) {
    if (out.some((s) => s.node.codePaths.some((d) => inside(app.dir, d) || inside(d, app.dir)))) continue;
    const label = app.name ?? (ctx.rel(app.dir) || basename(app.dir));
    out.push({
      node: {
        id: `service:app:${ctx.rel(app.dir) || '.'}`,
        name: label,
        kind: 'single-app',
        range: app.pools[0]!.range,
        peakInstances: unknownQ('unknown instances (no deployment file runs this code; declare deployment.services)', 'no compose, Kubernetes, PM2 or serverless file runs this code', undefined, 1),
        codePaths: [app.dir],
        linkReason: 'code that no deployment file runs',
      },
      env: new Map(),
      scope: {},
      pools: [],
      codeless: false,
    });
  }
  for (const s of out) {
    const code = s.node.codePaths;
    s.pools = code.length > 0 && s.node.notCounted === undefined ? poolsUnder(code) : [];
    const dir = code[0];
    if (dir) s.env = withFallback(s.env, dotenvFor(ctx, dir));
    s.node.environment = s.env;
    if (s.pools.length > 0) s.codeless = false;
    const mine = code.length > 0 && s.node.notCounted === undefined ? appPools.filter((p) => runsAppPool(p, code)) : [];
    const javaOnly = mine.length > 0 && mine.every((p) => p.language === 'java');
    const proc = serviceProcess(ctx, s.launched, code, s.env, javaOnly);
    if (proc) s.node.process = proc;
    if (mine.length > 0) {
      s.appPools = selectEnvironmentPools(ctx, mine, s.env, proc, s.node.name);
      s.codeless = false;
    }
  }
  return out;
}

function isBouncer(svc: ComposeService): boolean {
  return svc.pgbouncer !== undefined || (svc.image !== undefined && /(^|\/)pgbouncer$/.test(svc.image.repository));
}

/** Images that never open PostgreSQL connections of an application (for the one-app-one-workload rule). */
function isInfra(s: ServiceBuild): boolean {
  return /^(redis|nginx|traefik|caddy|haproxy|envoy|memcached|rabbitmq|kafka|zookeeper|elasticsearch|opensearch|minio|mailhog|mailpit|prometheus|grafana|jaeger|otel|localstack|adminer|pgadmin|mongo|mysql|mariadb|clickhouse|nats|keycloak)/i.test(s.node.name.replace(/^.*\//, '')) || s.node.linkReason.startsWith('image ');
}

function composeService(ctx: BuildContext, compose: ComposeFacts, svc: ComposeService, pkgs: PackageIndex, completed: ReadonlySet<string>): ServiceBuild {
  const node: ServiceNode = {
    id: `service:compose:${ctx.rel(compose.file)}#${svc.name}`,
    name: svc.name,
    kind: 'compose',
    range: svc.nameRange,
    peakInstances: fromResolved(svc.replicas, (v) => (svc.replicas.provenance.kind === 'default' ? `${v} container (compose default)` : `${v} replica${v === 1 ? '' : 's'}`)),
    codePaths: [],
    linkReason: svc.image ? `image ${svc.image.raw}: its code is not in the repository` : 'no build context',
  };
  const b: ServiceBuild = { node, env: composeEnv(ctx, svc), scope: { composeFile: compose.file }, pools: [], codeless: !svc.build };
  if (svc.build) applyAttribution(b, attributeCompose(svc, pkgs, ctx.facts.dockerfiles, relOf(ctx)));
  // A job that exits: psql in a postgres image, a migration command, a service others wait to complete.
  const argv = [...(svc.entrypoint?.args ?? []), ...(svc.command?.args ?? [])].map((a) => a.value);
  // An image not built here (or a build whose Dockerfile is not read) still says what it starts.
  if (!b.launched && argv.length > 0) {
    const l = launchedProcess(argv, `compose ${svc.command ? 'command' : 'entrypoint'}`);
    if (l) b.launched = l;
  }
  const job = svc.postgresClient
    ? `runs ${svc.postgresClient.value}, a PostgreSQL client program, and exits`
    : (b.node.notCounted ?? (argv.length > 0 ? oneShotCommand(argv) : undefined) ?? (completed.has(svc.name) ? 'other services wait for it to complete (depends_on condition service_completed_successfully)' : undefined));
  if (job !== undefined) {
    const restart = svc.restart ? `; restart: ${svc.restart.value}` : '';
    notCounted(b, `one-shot job: ${job}${restart}. Not counted in the long-running budget`);
  }
  if (svc.profiles.length > 0) {
    const names = svc.profiles.map((p) => p.value);
    notCounted(b, `runs only with compose profile${names.length === 1 ? '' : 's'} ${names.join(', ')} (docker compose --profile ${names[0]}); the budget judges compose's default set, the services without profiles`);
  }
  return b;
}

function applyAttribution(b: ServiceBuild, a: Attribution): void {
  b.node.codePaths = a.codePaths;
  if (a.process) b.launched = a.process;
  b.node.linkReason = a.reason;
  b.codeless = false;
  if (a.notes.length > 0) b.node.notes = [...(b.node.notes ?? []), ...a.notes];
  if (a.oneShot !== undefined) b.node.notCounted = `one-shot job: ${a.oneShot}. Not counted in the long-running budget`;
}

/** A service that adds nothing to the budget, and why (the first reason is kept). */
function notCounted(b: ServiceBuild, why: string): void {
  b.node.notCounted ??= why;
  if (!(b.node.notes ?? []).includes(b.node.notCounted)) b.node.notes = [...(b.node.notes ?? []).filter((n) => !n.startsWith('one-shot job:') && !n.startsWith('runs only with compose profile')), b.node.notCounted];
  b.codeless = false;
}

/** Which profile set the budget of a compose file judges, when the file uses profiles. */
function profileNote(ctx: BuildContext, compose: ComposeFacts): void {
  const profiled = compose.services.filter((x) => x.profiles.length > 0);
  if (profiled.length === 0) return;
  const list = profiled.map((x) => `${x.name} (${x.profiles.map((p) => p.value).join(', ')})`).join(', ');
  ctx.notes.push({
    message: `${ctx.rel(compose.file)}: the budget judges compose's default profile set (\`docker compose up\` without --profile: the services without profiles); not counted: ${list}`,
    range: profiled[0]!.nameRange,
  });
}

function k8sService(ctx: BuildContext, w: K8sWorkload, apps: Map<string, AppDir>, pkgs: PackageIndex, built: ReadonlyMap<string, { codePaths: string[]; service: string }>): ServiceBuild {
  const ns = w.meta.namespace ?? DEFAULT_NAMESPACE;
  const name = w.meta.name ?? `${w.kind} ${w.meta.documentIndex}`;
  const names = new Set([name, ...w.containers.map((c) => c.name)].map((n) => n.toLowerCase()));
  const app = [...apps.values()].find((a) => names.has(basename(a.dir).toLowerCase()) || (a.name !== undefined && names.has(a.name.replace(/^@[^/]+\//, '').toLowerCase())));
  const container: K8sContainer | undefined = w.containers[0];
  const node: ServiceNode = {
    id: `service:k8s:${ns}/${w.kind}/${name}`,
    name,
    kind: 'kubernetes',
    range: w.meta.range,
    peakInstances: k8sPeak(ctx, w),
    codePaths: app ? [app.dir] : [],
    linkReason: app ? `${w.kind} ${name} matches ${app.name !== undefined ? `package ${app.name}` : `directory ${ctx.rel(app.dir)}`}` : container?.image ? `image ${container.image.raw}: no package named ${name}` : 'no matching package',
  };
  let env: ServiceEnv = new Map();
  for (const c of w.containers) env = withFallback(env, k8sEnv(ctx, ns, c));
  const b: ServiceBuild = { node, env, scope: { namespace: ns }, pools: [], codeless: !app };
  if (container && (container.command.length > 0 || container.args.length > 0)) {
    const l = launchedProcess([...container.command, ...container.args].map((a) => a.value), `Kubernetes ${container.args.length > 0 ? 'args' : 'command'}`);
    if (l) b.launched = l;
  }
  if (!app) {
    // Kubernetes `command` replaces the image's ENTRYPOINT, `args` its CMD.
    for (const c of w.containers) {
      if (!c.image) continue;
      const overrides = { ...(c.command.length > 0 ? { entrypoint: c.command.map((a) => a.value) } : {}), ...(c.args.length > 0 ? { command: c.args.map((a) => a.value) } : {}), overrideBy: 'Kubernetes' as const };
      const own = ownImage(c.image, built, ctx.facts.root, pkgs, ctx.facts.dockerfiles, overrides, relOf(ctx));
      if (own) {
        applyAttribution(b, own);
        break;
      }
    }
  }
  return b;
}

/** A Kubernetes Job or CronJob: its pods run to completion; listed, never counted. */
function k8sJob(ctx: BuildContext, j: K8sJob): ServiceBuild {
  const ns = j.meta.namespace ?? DEFAULT_NAMESPACE;
  const name = j.meta.name ?? `${j.kind} ${j.meta.documentIndex}`;
  const node: ServiceNode = {
    id: `service:k8s:${ns}/${j.kind}/${name}`,
    name,
    kind: 'kubernetes',
    range: j.meta.range,
    peakInstances: defaulted(1, `${j.kind}`, j.kind === 'CronJob' ? `a Job per schedule ${j.schedule ?? '?'}` : 'a Job runs its pods to completion'),
    codePaths: [],
    linkReason: `${j.kind} ${name}`,
  };
  const b: ServiceBuild = { node, env: new Map(), scope: { namespace: ns }, pools: [], codeless: false };
  notCounted(b, `one-shot job: a Kubernetes ${j.kind}${j.kind === 'CronJob' && j.schedule ? ` (schedule ${j.schedule})` : ''} runs its pods to completion. Not counted in the long-running budget`);
  return b;
}

/** Replicas, or the HPA's maxReplicas, plus the pods a rolling update adds (maxSurge, default 25% rounded up). */
function k8sPeak(ctx: BuildContext, w: K8sWorkload): Quantity {
  const ns = w.meta.namespace ?? DEFAULT_NAMESPACE;
  const hpa = ctx.facts.kubernetes
    .flatMap((f) => f.hpas)
    .find((h) => h.target.kind === w.kind && h.target.name === w.meta.name && (h.meta.namespace ?? DEFAULT_NAMESPACE) === ns);
  if (w.kind === 'DaemonSet') return unknownQ('one pod per node (DaemonSet)', 'the node count is not in the repository', w.meta.range, 1);
  let base: Quantity;
  if (hpa) base = fromResolved(hpa.maxReplicas, (v) => `HPA ${hpa.meta.name ?? ''} maxReplicas ${v ?? '?'}`.replace('  ', ' '));
  else base = fromResolved(w.replicas, (v) => (w.replicas.provenance.kind === 'default' ? `${v} replica (default)` : `${v} replica${v === 1 ? '' : 's'}`));
  // Kubernetes apps/v1 DeploymentStrategy: RollingUpdate with maxSurge 25% unless set; the extractor gives the default.
  if (w.kind !== 'Deployment' || w.maxSurge === undefined || base.value === undefined) return base;
  const raw = w.maxSurge.value;
  const extra = surgePods(raw, base.value);
  if (extra === undefined) return unknownQ(`${base.source} + maxSurge ${String(raw)}`, `maxSurge ${String(raw)} is not known`, base.range, base.value);
  if (extra === 0) return base;
  const surgeText = typeof raw === 'string' && raw.endsWith('%') ? `maxSurge ${raw} (${extra} pod${extra === 1 ? '' : 's'})` : `maxSurge ${extra}`;
  const q = derived(base.value + extra, `${base.source} + ${surgeText} during a rolling update`, `peak pods = ${base.value} + ${extra} (maxSurge${w.maxSurge.provenance.kind === 'default' ? ', Kubernetes default 25%, rounded up' : ''})`, base.range);
  return q;
}

function pm2Service(ctx: BuildContext, file: string, app: Pm2App, pkgs: PackageIndex): ServiceBuild {
  const base = dirname(file);
  const cwd = app.cwd ? resolve(base, app.cwd.value) : base;
  const script = app.script ? resolve(cwd, app.script.value) : undefined;
  const dir = (script ? pkgs.of(script)?.dir : undefined) ?? pkgs.containing(cwd)?.dir ?? cwd;
  const name = app.name?.value ?? basename(script ?? file);
  const inst = app.instances;
  const peak: Quantity =
    inst.value !== undefined
      ? fromResolved(inst, (v) =>
          inst.provenance.kind === 'default' && /CPU/.test(inst.provenance.note)
            ? `${v} PM2 instances (${inst.range ? 'one per CPU core' : 'CPU count'}: deployment.cpus ${ctx.cpus ?? '?'})`
            : `${v} PM2 instance${v === 1 ? '' : 's'}${app.execMode.value === 'cluster' ? ' (cluster mode)' : ''}`,
        )
      : { ...fromResolved(inst, () => `PM2 instances = CPU count (${inst.provenance.kind === 'default' ? inst.provenance.note : 'not known'}; set deployment.cpus)`), lowerBound: 1 };
  return {
    node: { id: `service:pm2:${ctx.rel(file)}#${name}`, name, kind: 'pm2', range: app.range, peakInstances: peak, codePaths: [dir], linkReason: `PM2 app ${name} runs ${app.script?.value ?? 'its script'} in ${ctx.rel(dir) || '.'}` },
    env: pm2Env(app),
    scope: {},
    pools: [],
    codeless: false,
  };
}

/** The variables a pool's separate connection options read (Django HOST/NAME/USER from os.environ, Rails host/database). */
function connectionOptionVars(p: AppPool): string[] {
  return Object.values(p.connectionOptions ?? {}).flatMap((o) => (o?.provenance.kind === 'env' ? [o.provenance.envVar] : []));
}

/** One Procfile process type as a service: `heroku ps:scale` sets the dyno count, so only app.json's formation says it. */
function procfileService(ctx: BuildContext, proc: ProcfileFacts, p: ProcfileProcess): ServiceBuild {
  const dir = dirname(proc.file);
  const f = proc.appJson?.formation.get(p.type);
  const peak: Quantity = f?.quantity
    ? literal(f.quantity.value, `${f.quantity.value} ${p.type} dyno${f.quantity.value === 1 ? '' : 's'} (app.json formation)`, f.quantity.range)
    : unknownQ(`unknown ${p.type} dynos (set with heroku ps:scale, not in the repository; app.json formation or deployment.services gives it)`, 'the dyno count of a Procfile process type is set on the platform', p.range, 1);
  const main = launchesOfShell(p.command).at(-1);
  const from = `Procfile ${p.type}`;
  const launched: LaunchedProcess | undefined = main?.kind === 'app-server' && main.oneShot === undefined ? { process: main.process, env: main.env, command: p.command, from } : undefined;
  const env: ServiceEnv = new Map();
  // Heroku's Python buildpack sets WEB_CONCURRENCY from the dyno size when the app does not
  // (gunicorn and uvicorn read it): known from app.json's size, otherwise set to a value the files do not give.
  if (launched && (launched.process.server === 'gunicorn' || launched.process.server === 'uvicorn')) {
    const size = f?.size?.value.toLowerCase();
    const n = size !== undefined ? HEROKU_PYTHON_WEB_CONCURRENCY[size] : undefined;
    env.set('WEB_CONCURRENCY', n !== undefined
      ? { name: 'WEB_CONCURRENCY', from: 'host', value: String(n), range: f!.size!.range, source: `Heroku's Python buildpack default for ${size} dynos (app.json formation size)` }
      : { name: 'WEB_CONCURRENCY', from: 'host', source: `Heroku's Python buildpack, from the dyno size${size !== undefined ? ` (${size} is not a size it lists)` : ', which the repository does not give'}` });
  }
  return {
    node: { id: `service:procfile:${ctx.rel(proc.file)}#${p.type}`, name: p.type, kind: 'procfile', range: p.range, peakInstances: peak, codePaths: [dir], linkReason: `Procfile process type ${p.type} runs \`${p.command}\` in ${ctx.rel(dir) || '.'}` },
    env,
    scope: {},
    pools: [],
    codeless: false,
    ...(launched ? { launched } : {}),
  };
}

/** PM2 files are read again with the configured CPU count, so `instances: 'max'` gets a number. */
function reextractPm2(ctx: BuildContext, file: string): Pm2App[] | undefined {
  const text = ctx.facts.sources.get(file)?.text;
  if (text === undefined) return undefined;
  return extractPm2(text, file, { cpuCount: ctx.cpus! }).apps;
}

function multiply(a: Quantity, b: Quantity, source: string): Quantity {
  if (a.value !== undefined && b.value !== undefined) return derived(a.value * b.value, source, source, a.range);
  const lb = (a.value ?? a.lowerBound ?? 1) * (b.value ?? b.lowerBound ?? 1);
  return unknownQ(source, `${a.value === undefined ? a.source : b.source} is unknown`, a.range, lb);
}

function applyDeclaredServices(ctx: BuildContext, out: ServiceBuild[]): void {
  for (const d of ctx.declared?.services ?? []) {
    const base = dirname(ctx.declared!.file);
    let s = out.find((x) => x.node.name === d.name);
    if (!s && !d.paths && !d.connectionsPerInstance) {
      // Neither a service of the files nor one the entry defines (no code paths, no connections): a typo.
      const guess = closestName(d.name, out.map((x) => x.node.name));
      ctx.configProblems.push({
        message: `deployment.services "${d.name}" matches no service of the files${guess ? ` (did you mean "${guess}"?)` : ''}, and declares neither paths nor connectionsPerInstance: it changes nothing.`,
        help: 'Use the name of a compose service, Kubernetes workload, PM2 app or serverless function (pgconn-lint budget lists them), or give the service paths or connectionsPerInstance.',
        range: d.range,
        severity: 'error',
      });
      continue;
    }
    if (!s) {
      s = {
        node: {
          id: `service:declared:${d.name}`,
          name: d.name,
          kind: 'declared',
          range: d.range,
          peakInstances: defaulted(undefined, 'instances not declared', 'deployment.services[].instances'),
          codePaths: [],
          linkReason: 'declared in the config file',
        },
        env: new Map(),
        scope: {},
        pools: [],
        codeless: true,
      };
      s.node.peakInstances.lowerBound = 1;
      out.push(s);
    }
    if (d.paths) {
      s.node.codePaths = d.paths.value.map((p) => resolve(base, p));
      s.node.linkReason = `paths ${d.paths.value.join(', ')} (config file)`;
      s.codeless = false;
    }
    if (d.instances) s.node.peakInstances = declaredQ(d.instances, `${d.instances.value} instance${d.instances.value === 1 ? '' : 's'} (deployment.services ${d.name})`);
  }
}

/** Repository-relative path for messages; the root itself is `.`. */
function relOf(ctx: BuildContext): (p: string) => string {
  return (p) => (p === ctx.facts.root ? '.' : ctx.rel(p));
}
