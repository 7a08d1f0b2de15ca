import type { InputProblem } from '../core/diagnostic.js';
import type { PgConfig } from '../sources/postgresql-conf/types.js';
import type { PgbouncerConfig } from '../sources/pgbouncer-ini/types.js';
import type { JsFileFacts } from '../sources/js/types.js';
import type { PythonFileFacts } from '../sources/python/index.js';
import type { LoadedEnvFile } from '../sources/env/types.js';
import type { ParsedPrismaSchema, PrismaConfigFacts } from '../sources/prisma/types.js';
import type { DockerfileFacts } from '../sources/dockerfile/types.js';
import { UNKNOWN_GIT, type GitTrackedFiles } from '../discovery/git-tracked.js';
import type { ProcfileFacts } from '../sources/platform/procfile.js';
import type { PlatformFileFacts } from '../sources/platform/names.js';
import type { NextConfigFacts } from '../sources/platform/next-config.js';
import type { ComposeFacts, KubernetesFacts, Pm2Facts, ServerlessFacts } from '../sources/yaml/types.js';
import type { AppFacts } from '../sources/app/types.js';

/** What kind of file a source text is; decides comment syntax for suppressions and redaction of frames. */
export type SourceKind =
  | 'postgresql-conf'
  | 'pgbouncer-ini'
  | 'pgbouncer-userlist'
  | 'js'
  | 'python'
  | 'env'
  | 'prisma'
  | 'yaml'
  | 'dockerfile'
  /** Heroku's Procfile (and app.json beside it): `#` line comments. */
  | 'procfile'
  /** Ruby (config/puma.rb): `#` comments. */
  | 'ruby'
  /** YAML run through ERB first (Rails config/database.yml, config/sidekiq.yml): `#` comments. */
  | 'rails-yaml'
  /** Java .properties (Spring Boot application.properties): whole-line `#` or `!` comments. */
  | 'properties';

export interface SourceText {
  file: string;
  kind: SourceKind;
  text: string;
}

/** A package.json: its directory, `name`, and `scripts` in file order (plus `prisma.seed`, named `prisma.seed`). */
export interface PackageFacts {
  dir: string;
  name?: string;
  scripts: Array<{ name: string; command: string }>;
  /** Names in dependencies, devDependencies, optionalDependencies and peerDependencies (a workspace package's code goes where its dependents go). */
  dependencies: string[];
  /** The names of `dependencies` that are listed only in devDependencies (tooling the package's own code never loads in production). */
  devOnly?: string[];
  /**
   * What a published package ships: its `files` entries plus `main` and `bin` (npm packs those
   * whatever `files` says). Absent for a `private` package or one without `files`: everything may ship.
   */
  published?: string[];
}

/** Everything the extractors found in the repository; rules read only this. */
export interface ProjectFacts {
  root: string;
  postgresql: PgConfig[];
  pgbouncer: PgbouncerConfig[];
  /** Facts of every JS/TS file that mattered (created pools, imported them, or acquired connections). */
  js: JsFileFacts[];
  /** Facts of every Python file that was parsed (passed the pre-filter), with why. */
  python: PythonFileFacts[];
  /** Pools, app roots and app-server config files of Python, Spring Boot and Rails applications (src/sources/app/types.ts). */
  app: AppFacts;
  /** .env files, one per file: environments are kept apart, never merged. */
  envFiles: LoadedEnvFile[];
  /** Files named by a compose `env_file` that are not `.env` files of their own (`db.env`), read once here. */
  composeEnvFiles: LoadedEnvFile[];
  /** The repository's packages: each package.json's directory, `name` (when it has one) and scripts. */
  packages: PackageFacts[];
  /** Prisma schemas (a schema.prisma, or a folder of *.prisma files) and prisma.config.ts files. */
  prismaSchemas: Array<ParsedPrismaSchema & { path: string }>;
  prismaConfigs: PrismaConfigFacts[];
  compose: ComposeFacts[];
  kubernetes: KubernetesFacts[];
  pm2: Pm2Facts[];
  serverless: ServerlessFacts[];
  /** Hosting platforms' config files (netlify.toml, wrangler.toml, sst.config.ts, Procfile, fly.toml, render.yaml): how code runs. */
  platforms: PlatformFileFacts[];
  /** Procfiles: one long-running service per process type (src/sources/platform/procfile.ts). */
  procfiles: ProcfileFacts[];
  /** next.config.* files and their `output` (standalone: a self-hosted server). */
  nextConfigs: NextConfigFacts[];
  /** Dockerfiles: their stages, what each copies from the build context, WORKDIR, CMD and ENTRYPOINT. */
  dockerfiles: DockerfileFacts[];
  /** Which files git tracks (asked once while the facts are built; unknown outside a git work tree). */
  git: GitTrackedFiles;
  /** Text of every file read, by absolute path (for suppressions and source frames). */
  sources: Map<string, SourceText>;
  /** Problems with input files that are not tied to a parsed config (unreadable, binary, skipped). */
  problems: InputProblem[];
  /** Files read but not taken as an input, with why (a YAML file only guessed to be compose that is not one): `--verbose` lists them. */
  skippedInputs: Array<{ path: string; reason: string }>;
}

/** Facts with nothing in them but `parts`: for front ends and tests that build facts of a few files. */
export function projectFacts(root: string, parts: Partial<Omit<ProjectFacts, 'root'>> = {}): ProjectFacts {
  return {
    root,
    postgresql: [],
    pgbouncer: [],
    js: [],
    python: [],
    app: { pools: [], processConfigs: [], roots: [] },
    envFiles: [],
    composeEnvFiles: [],
    packages: [],
    prismaSchemas: [],
    prismaConfigs: [],
    compose: [],
    kubernetes: [],
    pm2: [],
    serverless: [],
    dockerfiles: [],
    platforms: [],
    procfiles: [],
    nextConfigs: [],
    skippedInputs: [],
    git: UNKNOWN_GIT,
    sources: new Map(),
    problems: [],
    ...parts,
  };
}
