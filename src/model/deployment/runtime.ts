/**
 * How each package's code runs (issue 15): as long-running processes, as serverless functions (one
 * instance per concurrent invocation, each with its own module-level pool), or unknown. A property of
 * the deployment, not of a Next.js route file: the same `app/api/x/route.ts` is a function on Vercel
 * and one handler of a long-running server in a `output: 'standalone'` Docker image.
 *
 * Evidence, strongest first:
 * 1. serverless configuration in the package or above it: vercel.json, serverless.yml, netlify.toml,
 *    wrangler.*, sst.config.*, open-next.config.*;
 * 2. a long-running runner: a compose / Kubernetes / PM2 / declared service that runs the package,
 *    a Dockerfile of the package (or one above it that names it), a Procfile / fly.toml / render.yaml,
 *    a custom server (`"start": "node server.js"` in a Next.js package), `output: 'standalone'`;
 * 3. no deployment file, and a Vercel dependency (`vercel`, `@vercel/*`): Vercel, which needs no file;
 * 4. otherwise unknown, with the reason. Rules that assume serverless judge only `serverless`.
 * When 1 and 2 both hold (vercel.json beside a Dockerfile for self-hosting), the code runs as
 * functions somewhere, so it is serverless, and `also` names the other.
 */
import { dirname, join, relative, sep } from 'node:path';
import type { SourceRange } from '../../core/location.js';
import { rangeOnLine } from '../../core/location.js';
import { launchesOfShell } from '../../sources/command/launch.js';
import type { RequestScope } from '../../sources/js/types.js';
import type { BuildContext } from './context.js';
import { inside, PackageIndex } from './packages.js';
import type { DeploymentModel, PackageRuntime, ServiceNode } from './types.js';

interface Evidence {
  text: string;
  range: SourceRange;
}

export function collectRuntimes(ctx: BuildContext, services: readonly ServiceNode[]): PackageRuntime[] {
  const root = ctx.facts.root;
  const pkgs = new PackageIndex(root, ctx.facts.packages);
  // The packages whose code serves requests (a library's code runs wherever its importers run), and the root.
  const serving = new Set<string>([root]);
  for (const f of ctx.facts.js) if (f.requestScopes.length > 0) serving.add(pkgs.of(f.file)?.dir ?? root);
  return [...serving].sort().map((dir) => runtimeOfDir(ctx, pkgs, services, dir));
}

/** The directories from `dir` up to the repository root. */
function ancestors(root: string, dir: string): string[] {
  const out: string[] = [];
  let d = dir;
  for (;;) {
    out.push(d);
    if (d === root) return out;
    const up = dirname(d);
    if (up === d || !inside(up, root)) return out;
    d = up;
  }
}

function runtimeOfDir(ctx: BuildContext, pkgs: PackageIndex, services: readonly ServiceNode[], dir: string): PackageRuntime {
  const root = ctx.facts.root;
  const up = new Set(ancestors(root, dir));
  const pkg = pkgs.at(dir);
  const base: Pick<PackageRuntime, 'dir' | 'name'> = { dir, ...(pkg?.name !== undefined ? { name: pkg.name } : {}) };
  const rel = (f: string) => ctx.rel(f);

  const serverless: Evidence[] = [];
  for (const s of ctx.facts.serverless) {
    if (!up.has(dirname(s.file))) continue;
    const what = s.framework === 'vercel' ? 'Vercel runs server code as functions' : 'Serverless Framework functions on AWS Lambda';
    serverless.push({ text: `${rel(s.file)} (${what})`, range: s.functions[0]?.range ?? rangeOnLine(s.file, 1, 1, 0) });
  }
  for (const p of ctx.facts.platforms) if (p.runtime === 'serverless' && up.has(dirname(p.file))) serverless.push({ text: `${rel(p.file)} (${p.what})`, range: p.range });

  const long: Evidence[] = [];
  for (const s of services) {
    if (s.notCounted !== undefined || (s.kind !== 'compose' && s.kind !== 'kubernetes' && s.kind !== 'pm2' && s.kind !== 'declared')) continue;
    // A service that runs the whole repository (attribution could not narrow it) says nothing about one package of many.
    if (s.codePaths.some((d) => inside(dir, d) && (d !== root || dir === root))) long.push({ text: `${serviceWord(s)} ${s.name} runs it (${rel(s.range.file)}:${s.range.line})`, range: s.range });
  }
  for (const d of ctx.facts.dockerfiles) {
    if (d.buildArgs !== undefined) continue;
    const ddir = dirname(d.file);
    if (!up.has(ddir)) continue;
    const last = d.stages[d.stages.length - 1];
    const cmd = last?.entrypoint ?? last?.cmd;
    if (!last || !cmd) continue;
    if (ddir !== dir && !mentions(ctx, d.file, relative(ddir, dir).split(sep).join('/'), pkg?.name)) continue;
    long.push({ text: `${rel(d.file)} runs it in a container (${cmd === last.entrypoint ? 'ENTRYPOINT' : 'CMD'} ${cmd.text.trim()})`, range: cmd.range });
  }
  for (const p of ctx.facts.platforms) if (p.runtime === 'long-running' && up.has(dirname(p.file))) long.push({ text: `${rel(p.file)} (${p.what})`, range: p.range });
  const next = pkg?.dependencies.includes('next') ?? false;
  if (pkg && next) {
    const start = pkg.scripts.find((s) => s.name === 'start');
    const file = start ? launchesOfShell(start.command).find((l) => l.kind === 'file') : undefined;
    if (start && file) long.push({ text: `package.json script "start" runs ${file.kind === 'file' ? file.path : ''}, a custom or standalone Next.js server`, range: rangeOnLine(join(dir, 'package.json'), 1, 1, 0) });
  }
  const nextConfig = ctx.facts.nextConfigs.find((c) => dirname(c.file) === dir);
  if (nextConfig?.output?.value === 'standalone' && !nextConfig.output.conditional) {
    long.push({ text: `${rel(nextConfig.file)} output: 'standalone' (a self-hosted server build)`, range: nextConfig.output.range });
  }

  if (serverless.length > 0) {
    const e = serverless[0]!;
    return { ...base, kind: 'serverless', evidence: e.text, range: e.range, ...(long.length > 0 ? { also: long[0]!.text } : {}) };
  }
  if (long.length > 0) return { ...base, kind: 'long-running', evidence: long[0]!.text, range: long[0]!.range };
  const vercel = [pkg, pkgs.at(root)].flatMap((p) => p?.dependencies.filter((n) => n === 'vercel' || n.startsWith('@vercel/')).map((n) => ({ n, p })) ?? [])[0];
  if (vercel) {
    return {
      ...base,
      kind: 'serverless',
      evidence: `no deployment file runs it, and ${rel(join(vercel.p.dir, 'package.json'))} depends on ${vercel.n} (Vercel, which needs no file)`,
      range: rangeOnLine(join(vercel.p.dir, 'package.json'), 1, 1, 0),
    };
  }
  return { ...base, kind: 'unknown', evidence: 'no deployment file (Dockerfile, compose, Kubernetes, vercel.json, netlify.toml, serverless.yml …) says how it runs' };
}

function serviceWord(s: ServiceNode): string {
  return s.kind === 'compose' ? 'compose service' : s.kind === 'kubernetes' ? 'Kubernetes workload' : s.kind === 'pm2' ? 'PM2 app' : s.kind === 'procfile' ? 'Procfile process type' : 'declared service';
}

/** Does a Dockerfile above the package name it (`apps/web`, `--filter=@acme/web`, `turbo prune web`)? */
function mentions(ctx: BuildContext, file: string, relDir: string, name: string | undefined): boolean {
  const text = ctx.facts.sources.get(file)?.text;
  if (text === undefined) return false;
  if (relDir !== '' && new RegExp(`(^|[\\s/"'=.])${escape(relDir)}(/|\\s|"|'|$)`, 'm').test(text)) return true;
  if (name === undefined) return false;
  const bare = name.replace(/^@[^/]+\//, '');
  return new RegExp(`(--filter[= ]|--scope[= ]|prune\\s+|workspace\\s+)["']?(${escape(name)}|${escape(bare)})\\b`).test(text);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The runtime of the package that holds `file` (the nearest package directory with request handlers, else the repository's). */
export function runtimeOf(deployment: Pick<DeploymentModel, 'runtimes'>, file: string): PackageRuntime | undefined {
  let best: PackageRuntime | undefined;
  for (const r of deployment.runtimes ?? []) if (inside(file, r.dir) && (!best || r.dir.length > best.dir.length)) best = r;
  return best;
}

/**
 * Does code in this request scope run as a serverless function, and by which evidence? A Lambda,
 * Netlify or Vercel function export or a Workers handler is one by its own shape (the platform calls
 * it per invocation); a Next.js route, page or Server Action is one when its package runs serverless.
 */
export function serverlessScopeRuntime(deployment: Pick<DeploymentModel, 'runtimes'>, file: string, scope: RequestScope): { serverless: boolean; evidence: string; range?: SourceRange } {
  if (scope.kind === 'serverless-handler' || scope.kind === 'edge-fetch') return { serverless: true, evidence: 'its export is the platform\'s entry point' };
  if (scope.kind !== 'next-route' && scope.kind !== 'next-api') return { serverless: false, evidence: `${scope.description} runs in a server process` };
  const r = runtimeOf(deployment, file);
  if (!r) return { serverless: false, evidence: 'unknown how the code runs' };
  return { serverless: r.kind === 'serverless', evidence: r.evidence, ...(r.range ? { range: r.range } : {}) };
}
