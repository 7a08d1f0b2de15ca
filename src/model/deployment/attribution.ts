import { basename, join, posix, relative, resolve, sep } from 'node:path';
import { isOneShotFileName, isOneShotScriptName, isStartScriptName, launchesOfArgv, launchesOfShell, type Launch } from '../../sources/command/launch.js';
import { builtImage, contextPathOf, targetStage, type BuiltImage } from '../../sources/dockerfile/image.js';
import type { DockerfileFacts } from '../../sources/dockerfile/types.js';
import type { ComposeService, ImageRef } from '../../sources/yaml/types.js';
import type { PackageFacts } from '../project.js';
import type { ProcessModel } from '../../sources/app/types.js';
import { inside, type PackageIndex } from './packages.js';

/**
 * Which code a container runs (issue 10.3): the build context and Dockerfile stage give the files
 * it holds and its CMD/ENTRYPOINT; compose `entrypoint:`/`command:` override them; the program the
 * command starts (a file, a package script, a workspace) decides which package's pools count.
 */
export interface Attribution {
  /** Directories whose pools the container runs ([] = none: a static server, a frontend without pools). */
  codePaths: string[];
  /** Why, for `linkReason`. */
  reason: string;
  /** Set when the container runs a job that exits (a migration, a seed, psql): not a long-running client. */
  oneShot?: string;
  notes: string[];
  /** The application server the command starts (gunicorn, Puma, Sidekiq …), with its working directory in the repository when it maps to one. */
  process?: LaunchedProcess;
}

/** An app server a service's command starts: its process model as the command line gives it. */
export interface LaunchedProcess {
  process: ProcessModel;
  /** The repository directory that is the command's working directory (config files named relative to it). */
  cwd?: string;
  /** Variables the command line assigns before the program (`RAILS_ENV=production puma`). */
  env: Record<string, string>;
  /** The command as written, for messages. */
  command: string;
  /** compose command, Dockerfile CMD, Kubernetes args … */
  from: string;
}

/** Build-output folders between a package and its program (`apps/api/dist/main.js` is apps/api's code). */
const BUILD_OUTPUT = new Set(['dist', 'build', 'out', '.next', '.output', 'lib', '.build']);
/** Folders that hold the apps of a single-package monorepo (NestJS `apps/`, Nx `apps/` and `libs/`). */
const APP_FOLDERS = new Set(['apps', 'services', 'packages', 'projects', 'servers']);
/** Package scripts followed into other scripts. */
const MAX_SCRIPT_DEPTH = 4;

/** Where the paths of a command live: the container's file system (mapped back to the repository) or the repository. */
interface Space {
  /** A path as the command writes it, after `cd` steps, as a repository path; undefined when it cannot be placed. */
  toRepo(cd: string[], path: string): string | undefined;
  /** The repository directory a command's working directory is. */
  cwd(cd: string[]): string | undefined;
  /** Packages a command can reach (the build context's). */
  within: string;
}

/** An image built from the repository, and what the deployment file overrides. */
export interface BuildInput {
  /** The build context (absolute) and as written. */
  context: string;
  contextText: string;
  /** Dockerfile path relative to the context (`Dockerfile` when absent). */
  dockerfile?: string;
  /** The stage (`build.target`); the last stage when absent. */
  target?: string;
  /** Overrides: compose `entrypoint`/`command`, Kubernetes `command`/`args`. */
  entrypoint?: string[];
  command?: string[];
  /** How the overrides are called in messages (`compose`, `Kubernetes`). */
  overrideBy: 'compose' | 'Kubernetes';
  /** compose `working_dir`, Kubernetes `workingDir`: replaces the image's WORKDIR. */
  workingDir?: string;
  /** compose `build.args`: the Dockerfile read with these ARG values. */
  buildArgs?: Record<string, string>;
}

export function attributeCompose(svc: ComposeService, pkgs: PackageIndex, dockerfiles: readonly DockerfileFacts[], rel: (p: string) => string): Attribution {
  const build = svc.build!;
  return attributeBuild(
    {
      context: build.resolvedContext,
      contextText: `build context ${build.context.value}`,
      ...(build.dockerfile ? { dockerfile: build.dockerfile.value } : {}),
      ...(build.target ? { target: build.target.value } : {}),
      ...(svc.entrypoint ? { entrypoint: svc.entrypoint.args.map((a) => a.value) } : {}),
      ...(svc.command ? { command: svc.command.args.map((a) => a.value) } : {}),
      ...(svc.workingDir ? { workingDir: svc.workingDir.value } : {}),
      ...(build.args ? { buildArgs: build.args } : {}),
      overrideBy: 'compose',
    },
    pkgs,
    dockerfiles,
    rel,
  );
}

export function attributeBuild(input: BuildInput, pkgs: PackageIndex, dockerfiles: readonly DockerfileFacts[], rel: (p: string) => string): Attribution {
  const context = input.context;
  const dockerfilePath = resolve(context, input.dockerfile ?? 'Dockerfile');
  const args = JSON.stringify(Object.entries(input.buildArgs ?? {}).sort());
  const dockerfile =
    dockerfiles.find((d) => d.file === dockerfilePath && JSON.stringify(Object.entries(d.buildArgs ?? {}).sort()) === args) ??
    dockerfiles.find((d) => d.file === dockerfilePath && d.buildArgs === undefined);
  const notes: string[] = [];
  const where = input.contextText;
  let image: BuiltImage | undefined;
  if (dockerfile) {
    const stage = targetStage(dockerfile, input.target);
    if (stage) image = builtImage(dockerfile, stage);
    else if (input.target !== undefined) notes.push(`target ${input.target} is not a stage of ${rel(dockerfile.file)}: the whole build context is counted`);
  }
  const stageText = image ? `, ${rel(dockerfile!.file)}${image.stage.name !== undefined ? ` stage ${image.stage.name}` : ''}` : '';

  // Docker: an overridden entrypoint replaces the image's and drops its CMD; a command replaces CMD.
  let argv: string[] | undefined;
  let from = '';
  if (input.entrypoint || input.command) {
    const ep = input.entrypoint ?? commandArgv(image?.entrypoint);
    const cmd = input.command ?? (input.entrypoint ? [] : commandArgv(image?.cmd));
    argv = [...(ep ?? []), ...(cmd ?? [])];
    from = `${input.overrideBy} ${input.command ? 'command' : 'entrypoint'}`;
  } else if (image && (image.entrypoint || image.cmd)) {
    argv = [...(commandArgv(image.entrypoint) ?? []), ...(commandArgv(image.cmd) ?? [])];
    from = image.entrypoint && image.entrypoint.argv.length > 0 ? 'ENTRYPOINT' : 'CMD';
  }

  const space = containerSpace(context, image, pkgs, input.workingDir);
  let process: LaunchedProcess | undefined;
  if (argv && argv.length > 0) {
    const r = resolveLaunches(launchesOfArgv(argv), space, pkgs, 0);
    if (r.oneShot) return { codePaths: r.dirs ?? [], reason: `${where}${stageText}: ${from} ${argv.join(' ')}`, oneShot: r.oneShot, notes };
    if (r.process) process = { ...r.process, command: argv.join(' '), from };
    if (r.dirs) {
      const dirs = withWorkspaceDependencies(r.dirs, pkgs);
      return { codePaths: dirs, reason: `${where}${stageText}: ${from} ${argv.join(' ')} runs ${describeDirs(r.dirs, dirs, rel)}`, notes, ...(process ? { process } : {}) };
    }
  }
  // The command does not say: the code the image holds (what the stage copies from the context).
  if (image) {
    const copied = [...new Set(image.files.map((f) => prunedSource(f.context)))].filter((c): c is string => c !== undefined && !/(^|\/)node_modules(\/|$)/.test(c));
    if (copied.length > 0) {
      // Build output (`dist`, `apps/admin/dist`) is the code of the folder that builds it.
      const sources = [...new Set(copied.map(sourceOfOutput))];
      const found = sources.includes('') ? [context] : sources.map((c) => join(context, c));
      const dirs = withWorkspaceDependencies(found, pkgs);
      const held = copied.includes('') ? 'the whole context' : copied.length > 6 ? `${copied.slice(0, 6).join(', ')} and ${copied.length - 6} more` : copied.join(', ');
      return { codePaths: dirs, reason: `${where}${stageText}: the image holds ${held}`, notes, ...(process ? { process } : {}) };
    }
    return { codePaths: [], reason: `${where}${stageText}: the image holds no file of the repository`, notes, ...(process ? { process } : {}) };
  }
  return { codePaths: [context], reason: where, notes, ...(process ? { process } : {}) };
}

/** A job that exits, from a command alone (an image not built here): psql, a migration CLI, a migrate/seed script. */
export function oneShotCommand(argv: string[]): string | undefined {
  const main = launchesOfArgv(argv).at(-1);
  if (!main) return undefined;
  if (main.kind === 'pg-client') return `runs ${main.program}, a PostgreSQL client program, and exits`;
  if (main.kind === 'migration') return `runs the ${main.tool} migration CLI, which exits`;
  if (main.kind === 'script' && isOneShotScriptName(main.script)) return `runs the ${main.script} script, which exits`;
  if (main.kind === 'file' && isOneShotFileName(main.path)) return `runs ${main.path}, a one-off script`;
  if (main.kind === 'app-server' && main.oneShot !== undefined) return main.oneShot;
  return undefined;
}

/** The app server a command starts (an image not built here, or the override of one): its process model. */
export function launchedProcess(argv: string[], from: string): LaunchedProcess | undefined {
  const main = launchesOfArgv(argv).at(-1);
  if (main?.kind !== 'app-server' || main.oneShot !== undefined) return undefined;
  return { process: main.process, env: main.env, command: argv.join(' '), from };
}

/**
 * `turbo prune --docker` (Turborepo docs, "Deploying with Docker") writes the pruned workspace to
 * `out/full/` (sources) and `out/json/` (package.json files only): a path under `out/full/` is the
 * same path of the repository; `out/json/` holds no code.
 */
function prunedSource(path: string): string | undefined {
  if (/^out\/json(\/|$)/.test(path)) return undefined;
  const m = /^out\/full(?:\/(.*))?$/.exec(path);
  return m ? (m[1] ?? '') : path;
}

/** Each package directory with the workspace packages it depends on (`apps/api` → `packages/db`). */
function withWorkspaceDependencies(dirs: string[], pkgs: PackageIndex): string[] {
  return [...new Set(dirs.flatMap((d) => (pkgs.at(d) && d !== pkgs.root ? pkgs.withDependencies(d) : [d])))];
}

function describeDirs(found: string[], all: string[], rel: (p: string) => string): string {
  if (all.length === 0) return 'no code of the repository';
  const extra = all.filter((d) => !found.includes(d));
  return `${found.map((d) => rel(d)).join(', ')}${extra.length > 0 ? ` (with its workspace dependencies ${extra.map((d) => rel(d)).join(', ')})` : ''}`;
}

/** A context path up to its first build-output folder: `apps/admin/dist` → `apps/admin`, `dist` → ''. */
function sourceOfOutput(path: string): string {
  const parts = path.split('/');
  const i = parts.findIndex((p) => BUILD_OUTPUT.has(p));
  return i === -1 ? path : parts.slice(0, i).join('/');
}

/** The argv of a CMD/ENTRYPOINT: exec form as is, shell form as `/bin/sh -c <text>`. */
function commandArgv(c: { form: 'exec' | 'shell'; argv: string[]; text: string } | undefined): string[] | undefined {
  if (!c) return undefined;
  return c.form === 'exec' ? c.argv : ['/bin/sh', '-c', c.text];
}

function containerSpace(context: string, image: BuiltImage | undefined, pkgs: PackageIndex, workingDir?: string): Space {
  const workdir = workingDir !== undefined ? posix.resolve(image?.workdir ?? '/', workingDir) : image?.workdir;
  const toRepo = (cd: string[], path: string): string | undefined => {
    if (workdir !== undefined) {
      const abs = posix.resolve(workdir, ...cd, path);
      const c = image ? contextPathOf(image, abs) : undefined;
      // turbo prune's copy of the repository stands for the repository.
      if (c !== undefined) return join(context, c.replace(/^out\/(?:full|json)(?:\/|$)/, ''));
      return bySuffix(abs, context, pkgs);
    }
    // No Dockerfile in the repository: relative paths are taken from the context's root (`COPY . .`).
    const p = posix.join(...cd, path);
    return p.startsWith('/') ? bySuffix(p, context, pkgs) : resolve(context, p);
  };
  return { toRepo, cwd: (cd) => toRepo(cd, '.'), within: context };
}

/**
 * A container path the COPY lines do not explain (an image built through `turbo prune`, a path
 * generated by RUN): the package of the context whose path the container path contains.
 */
function bySuffix(abs: string, context: string, pkgs: PackageIndex): string | undefined {
  let best: PackageFacts | undefined;
  for (const p of pkgs.packages) {
    if (!inside(p.dir, context) || p.dir === context) continue;
    const r = relative(context, p.dir).split(sep).join('/');
    if (`${abs}/`.includes(`/${r}/`) && (!best || p.dir.length > best.dir.length)) best = p;
  }
  return best?.dir;
}

interface Resolved {
  /** undefined: the command does not say which code runs. */
  dirs?: string[];
  oneShot?: string;
  process?: { process: ProcessModel; cwd?: string; env: Record<string, string> };
}

/** The code the main (last) launch runs; earlier ones (`npm run migrate && node dist/main.js`) are steps before it. */
function resolveLaunches(launches: Launch[], space: Space, pkgs: PackageIndex, depth: number): Resolved {
  const main = launches[launches.length - 1];
  if (!main) return {};
  switch (main.kind) {
    case 'pg-client':
      return { oneShot: `runs ${main.program}, a PostgreSQL client program, and exits`, dirs: [] };
    case 'migration':
      return { oneShot: `runs the ${main.tool} migration CLI, which exits`, dirs: [] };
    case 'static':
      return { dirs: [] };
    case 'other':
      return {};
    case 'app-server': {
      if (main.oneShot !== undefined) return { oneShot: main.oneShot, dirs: [] };
      // The server runs the application in its working directory (a Rails root, a Django project).
      const cwd = space.cwd(main.cd);
      const process = { process: main.process, env: main.env, ...(cwd !== undefined ? { cwd } : {}) };
      if (cwd === undefined || !inside(cwd, space.within)) return { process };
      const pkg = pkgs.containing(cwd);
      return { process, dirs: [pkg && inside(pkg.dir, space.within) && pkg.dir !== pkgs.root ? pkg.dir : cwd] };
    }
    case 'file': {
      const file = space.toRepo(main.cd, main.path);
      const oneShot = isOneShotFileName(main.path) ? { oneShot: `runs ${main.path}, a one-off script` } : {};
      if (file === undefined) return { ...oneShot, ...(oneShot.oneShot !== undefined ? { dirs: [] } : {}) };
      return { ...oneShot, dirs: [codeDirOfFile(file, space.within, pkgs)] };
    }
    case 'framework': {
      const cwd = space.cwd(main.cd);
      if (cwd === undefined) return {};
      const pkg = pkgs.containing(cwd);
      const dir = pkg && inside(pkg.dir, space.within) ? pkg.dir : cwd;
      return { dirs: [main.app !== undefined ? join(dir, 'apps', main.app) : dir] };
    }
    case 'script': {
      // A migrate/seed script is a job that exits; its package is still the code it runs.
      const oneShot = isOneShotScriptName(main.script) ? { oneShot: `runs the ${main.script} script, which exits` } : {};
      const cwd = space.cwd(main.cd);
      let pkg: PackageFacts | undefined;
      if (main.workspace !== undefined) pkg = pkgs.workspace(main.workspace, space.within);
      else if (main.tool === 'turbo' || main.tool === 'nx') return {}; // every workspace's script
      else if (cwd !== undefined) pkg = pkgs.containing(cwd);
      if (!pkg) return oneShot.oneShot !== undefined ? { ...oneShot, dirs: [] } : {};
      const text = pkg.scripts.find((s) => s.name === main.script)?.command;
      if (text !== undefined && depth < MAX_SCRIPT_DEPTH) {
        const inner = resolveLaunches(launchesOfShell(text), repoSpace(pkg.dir, space.within), pkgs, depth + 1);
        if (inner.oneShot || inner.dirs) return { ...inner, ...oneShot, dirs: inner.dirs ?? [pkg.dir] };
      }
      return { ...oneShot, dirs: [pkg.dir] };
    }
  }
}

function repoSpace(dir: string, within: string): Space {
  const toRepo = (cd: string[], path: string) => resolve(dir, ...cd, path);
  return { toRepo, cwd: (cd) => resolve(dir, ...cd), within };
}

/**
 * The code a program file belongs to: its package; in a package that holds several apps
 * (`apps/api/dist/main.js`, NestJS's `dist/apps/api/main.js`), that app's folder.
 */
export function codeDirOfFile(file: string, within: string, pkgs: PackageIndex): string {
  const pkg = pkgs.of(file);
  const base = pkg && inside(pkg.dir, within) ? pkg.dir : within;
  const parts = relative(base, file).split(sep).slice(0, -1).filter((p) => !BUILD_OUTPUT.has(p));
  if (parts.length >= 2 && APP_FOLDERS.has(parts[0]!)) return join(base, parts[0]!, parts[1]!);
  return base;
}

/**
 * Files a package.json script runs once (a migration CLI's data source or knexfile, a seed, a
 * perf script), and no start script runs: their pools are clients of that step, not of the app.
 * Keys are repository paths without extension; `dist/x` also names `src/x` and `x` (tsc outDir).
 */
export function oneShotFiles(pkgs: PackageIndex): Map<string, string> {
  const once = new Map<string, string>();
  const started = new Set<string>();
  for (const pkg of pkgs.packages) {
    for (const s of pkg.scripts) {
      const start = isStartScriptName(s.name);
      const oneShot = isOneShotScriptName(s.name);
      for (const l of launchesOfShell(s.command)) {
        const paths: string[] = [];
        if (l.kind === 'migration') paths.push(...l.files, ...l.defaultFiles);
        else if (l.kind === 'file' && (oneShot || start)) paths.push(l.path);
        for (const p of paths) {
          for (const key of fileKeys(resolve(pkg.dir, ...('cd' in l ? l.cd : []), p))) {
            if (start && l.kind !== 'migration') started.add(key);
            else if (oneShot || l.kind === 'migration') once.set(key, `${relative(pkgs.root, join(pkg.dir, 'package.json')).split(sep).join('/')} script "${s.name}"`);
          }
        }
      }
    }
  }
  for (const k of started) once.delete(k);
  return once;
}

/** The key of a file for `oneShotFiles`. */
export function fileKey(file: string): string {
  return file.replace(/\.[cm]?[jt]sx?$/, '');
}

function fileKeys(file: string): string[] {
  const k = fileKey(file);
  const out = new Set([k]);
  const m = /(^|[\\/])(dist|build|out|lib)[\\/]/.exec(k);
  if (m) {
    out.add(k.slice(0, m.index) + m[1] + 'src' + sep + k.slice(m.index + m[0].length));
    out.add(k.slice(0, m.index) + m[1] + k.slice(m.index + m[0].length));
  }
  return [...out];
}

/** Names this repository's images go by: its root package's name (without scope) and its directory's name. */
export function repositoryNames(root: string, pkgs: PackageIndex): string[] {
  const names = new Set<string>();
  const rootName = pkgs.at(root)?.name;
  if (rootName) names.add(rootName.replace(/^@[^/]+\//, '').toLowerCase());
  names.add(basename(root).toLowerCase());
  return [...names];
}

/**
 * An image of this repository under its published name (item 4 of issue 10.3): the image a
 * compose service builds (`build` + `image`), or a name made of the repository's name
 * (`ghcr.io/acme/shop`, `shop-api`, `acme/shop/api`) or a workspace package's. The code is then
 * the matching Dockerfile stage's, or the package's.
 */
export function ownImage(
  img: ImageRef,
  built: ReadonlyMap<string, { codePaths: string[]; service: string }>,
  root: string,
  pkgs: PackageIndex,
  dockerfiles: readonly DockerfileFacts[],
  overrides: Pick<BuildInput, 'entrypoint' | 'command' | 'overrideBy'>,
  rel: (p: string) => string,
): Attribution | undefined {
  const b = built.get(img.repository);
  if (b) return { codePaths: b.codePaths, reason: `image ${img.raw} is built by ${b.service} from this repository`, notes: [] };
  const repo = img.repository.toLowerCase();
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  const rootDockerfile = dockerfiles.find((d) => d.file === join(root, 'Dockerfile'));
  const viaRoot = (target: string | undefined, what: string): Attribution => {
    const stage = target !== undefined && rootDockerfile ? targetStage(rootDockerfile, target) : undefined;
    const a = attributeBuild({ context: root, contextText: `image ${img.raw} is ${what}`, ...(stage ? { target: target! } : {}), ...overrides }, pkgs, dockerfiles, rel);
    return a;
  };
  for (const name of repositoryNames(root, pkgs)) {
    if (last === name || repo === name) return viaRoot(undefined, `this repository's`);
    let part: string | undefined;
    for (const sepChar of ['-', '_', '.']) if (last.startsWith(`${name}${sepChar}`)) part = last.slice(name.length + 1);
    const segs = repo.split('/');
    const at = segs.indexOf(name);
    if (part === undefined && at >= 0 && at < segs.length - 1) part = segs.slice(at + 1).join('/');
    if (part === undefined || part === '') continue;
    const pkg = pkgs.workspace(part);
    const stage = rootDockerfile ? targetStage(rootDockerfile, part) : undefined;
    if (stage) return viaRoot(part, `this repository's ${part}`);
    if (pkg && pkg.dir !== root) return { codePaths: withWorkspaceDependencies([pkg.dir], pkgs), reason: `image ${img.raw} is this repository's ${part} (package in ${rel(pkg.dir)})`, notes: [] };
  }
  // Only a namespaced image (`acme/api`): `node`, `redis`, `nginx` are Docker Hub's own.
  const pkg = !repo.includes('/') ? undefined : pkgs.packages.find((p) => p.dir !== root && p.name !== undefined && (p.name.toLowerCase() === repo || p.name.replace(/^@[^/]+\//, '').toLowerCase() === last));
  if (pkg) return { codePaths: withWorkspaceDependencies([pkg.dir], pkgs), reason: `image ${img.raw} is named like package ${pkg.name} (${rel(pkg.dir)})`, notes: [] };
  return undefined;
}
