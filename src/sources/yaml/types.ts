import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';
import type { Resolved } from '../js/types.js';

export type { Provenance, Resolved } from '../js/types.js';

/**
 * Facts read from deployment files: docker compose, Kubernetes manifests (and the
 * CloudNativePG / Zalando / Crunchy operators' resources), PM2 ecosystem files and
 * serverless configs. Everything is plain data (JSON-serialisable); every number is a
 * `Resolved<number>` and every fact keeps the range where it is written. Values merged in
 * through a YAML alias or `<<` merge key point at the anchor's definition; `via` then
 * names the alias/merge site.
 */

/** A string as written in a deployment file, after compose interpolation where that applies. */
export interface LocatedString {
  value: string;
  range: SourceRange;
  /** The text before compose interpolation, when interpolation changed it. */
  raw?: string;
  /** Variables the given environment did not define; `value` keeps them as written (`${VAR}`). */
  unresolved?: string[];
  /** The alias or `<<` merge key through which the value was reached. */
  via?: SourceRange;
}

/**
 * How the lines of a string embedded in YAML (a ConfigMap `pgbouncer.ini: |` block) map
 * back onto the YAML file, so a parser of the embedded text can report YAML positions.
 * - exact: line k (1-based) of the value is YAML line `firstLine + k - 1`, and a column c
 *   of that line is YAML column `c + columnOffset` (literal block scalars, one-line scalars).
 * - approximate: folded/quoted/multi-line plain scalars, where escapes and folding move text;
 *   every position maps to the start of the scalar.
 */
export type EmbeddedLineMap =
  | { kind: 'exact'; firstLine: number; columnOffset: number }
  | { kind: 'approximate'; line: number; column: number };

/** A container (or compose service) environment variable. */
export interface EnvVarFact {
  name: string;
  nameRange: SourceRange;
  /**
   * The value when the file gives it: after compose interpolation (unresolved variables kept
   * as written), after Kubernetes `$(VAR)` expansion. Absent for references and for compose's
   * value-less `KEY` / `KEY:` (taken from the shell running compose).
   */
  value?: string;
  /** Where the value is written (the name for value-less entries). */
  range: SourceRange;
  from: 'inline' | 'host' | 'configMapKeyRef' | 'secretKeyRef' | 'fieldRef' | 'resourceFieldRef';
  /** For configMapKeyRef / secretKeyRef: the object and key the value comes from. */
  ref?: { name: string; key: string; optional?: boolean };
  /** The text before interpolation/expansion, when that changed it. */
  raw?: string;
  unresolved?: string[];
  /** The value is a secret (from a Secret, or a *PASSWORD* variable): never print it. */
  secret?: boolean;
  via?: SourceRange;
}

/** A compose `env_file` entry or a Kubernetes `envFrom` entry: variables defined elsewhere. */
export interface EnvSourceRef {
  kind: 'env-file' | 'configMapRef' | 'secretRef';
  /** The file path as written (env-file) or the ConfigMap/Secret name. */
  name: string;
  /** env-file: the path resolved against the compose file's directory. */
  resolvedPath?: string;
  /** env-file `required: false` / envFrom `optional: true`. */
  optional: boolean;
  /** envFrom `prefix`. */
  prefix?: string;
  range: SourceRange;
}

/** A container image reference `[registry/]repo[:tag][@digest]`. */
export interface ImageRef {
  raw: string;
  /** Repository without registry host and without `library/` (`postgres`, `bitnami/pgbouncer`). */
  repository: string;
  registry?: string;
  tag?: string;
  digest?: string;
  range: SourceRange;
  unresolved?: string[];
}

/** A PostgreSQL server setting given on the command line, through an image's env vars or a CRD. */
export interface ServerSettingFact {
  /** Name as PostgreSQL will see it (long options have `-` turned into `_`, guc.c ParseLongOption). */
  name: string;
  value: string;
  /** The whole `name=value` argument / the env var value / the CRD parameter value. */
  range: SourceRange;
  source: 'command-arg' | 'image-env' | 'crd-parameters';
  /** image-env: the variable (`POSTGRESQL_MAX_CONNECTIONS`). */
  envVar?: string;
  raw?: string;
  unresolved?: string[];
  via?: SourceRange;
}

export interface BindMount {
  /** Host path as written (after interpolation). */
  hostPath: string;
  /** Host path resolved against the compose file's directory (absolute). */
  resolvedHostPath: string;
  containerPath: string;
  readOnly: boolean;
  range: SourceRange;
}

/** Facts about a container that runs the PostgreSQL server. */
export interface PostgresServerFacts {
  /** How the container was recognised as a PostgreSQL server. */
  detectedBy: 'image' | 'command' | 'args-to-postgres-image';
  /** Major version from the image tag (`postgres:14.24-bookworm` → 14); unknown for `latest`/no tag. */
  majorVersion: Resolved<number>;
  /** `-c name=value`, `--name=value`, `-N`, `-B`, `-p` … arguments and image env settings, in order. */
  settings: ServerSettingFact[];
  /** `-c config_file=…`, with the bind mount that provides it when there is one. */
  configFile?: { containerPath: string; range: SourceRange; mount?: BindMount; hostPath?: string };
  /**
   * Bind-mounted `*.conf` files: `loaded` says whether the server reads them (only as
   * `config_file`; the image never reads a conf file mounted elsewhere).
   */
  mountedConfFiles: Array<BindMount & { loaded: boolean }>;
  /** POSTGRES_USER / POSTGRESQL_USERNAME: the role the image creates, a superuser for the official image. */
  superuser?: LocatedString;
}

/** A PgBouncer container configured by environment variables (edoburu/pgbouncer, bitnami/pgbouncer). */
export interface PgbouncerImageFacts {
  image: 'edoburu' | 'bitnami';
  /** PgBouncer version from the image tag (`v1.25.2-p0` → "1.25.2"). */
  version?: LocatedString;
  /** pgbouncer.ini [pgbouncer] keys the entrypoint writes from env vars. */
  settings: Array<{ key: string; value: string; envVar: string; range: SourceRange; unresolved?: string[]; via?: SourceRange }>;
  /** Keys the entrypoint writes with its own default when the variable is unset. */
  defaults: Array<{ key: string; value: string; note: string }>;
  /** [databases] entries the entrypoint writes (never the password). */
  databases: Array<{ name: string; host?: string; port?: number; dbname?: string; user?: string; from: string[]; range?: SourceRange }>;
  /** A pgbouncer.ini mounted where the entrypoint looks: the env settings are then not used. */
  mountedConfig?: BindMount;
  /** True when a mounted pgbouncer.ini makes the entrypoint skip its generated config. */
  envSettingsIgnored: boolean;
}

export interface PortMapping {
  published?: string;
  target: string;
  range: SourceRange;
}

export interface ComposeService {
  name: string;
  nameRange: SourceRange;
  range: SourceRange;
  image?: ImageRef;
  build?: {
    context: LocatedString;
    dockerfile?: LocatedString;
    /** `build.target`: the Dockerfile stage the image is built from (the last stage when absent). */
    target?: LocatedString;
    /** `build.args` with a value (mapping or `KEY=value` list, after interpolation; unresolved ones are left out). */
    args?: Record<string, string>;
    resolvedContext: string;
    range: SourceRange;
  };
  command?: CommandFact;
  entrypoint?: CommandFact;
  environment: EnvVarFact[];
  envFiles: EnvSourceRef[];
  /** deploy.replicas, else scale, else compose's default of 1. */
  replicas: Resolved<number>;
  /** deploy.resources.limits.memory, else mem_limit (bytes). */
  memoryLimitBytes?: Resolved<number>;
  /** deploy.resources.reservations.memory, else mem_reservation (bytes). */
  memoryReservationBytes?: Resolved<number>;
  binds: BindMount[];
  ports: PortMapping[];
  networkMode?: LocatedString;
  hostname?: LocatedString;
  /** `container_name:` (`devdb`): a name the author chose for the container. */
  containerName?: LocatedString;
  profiles: LocatedString[];
  dependsOn: LocatedString[];
  /** `depends_on` entries with `condition: service_completed_successfully`: services that must run to completion first. */
  dependsOnCompleted: LocatedString[];
  /** `working_dir:` the directory the command runs in (overrides the image's WORKDIR). */
  workingDir?: LocatedString;
  /** `restart:` as written (`no`, `always`, `on-failure[:n]`, `unless-stopped`); compose's default is `no`. */
  restart?: LocatedString;
  /**
   * The container runs a PostgreSQL client program (`psql`, `pg_isready`, `createdb`, `pg_dump`,
   * `pgbench` …), directly or in `sh -c`, instead of the server its image would start.
   */
  postgresClient?: LocatedString;
  postgres?: PostgresServerFacts;
  pgbouncer?: PgbouncerImageFacts;
}

export interface CommandFact {
  /** `string` commands are split like a shell (compose uses shellwords); lists are taken as is. */
  form: 'string' | 'list';
  args: LocatedString[];
  range: SourceRange;
}

export interface ComposeFacts {
  file: string;
  kind: 'compose';
  /** Top-level `name:`. */
  projectName?: LocatedString;
  /** The comment lines the file starts with (`# Core local-dev stack: …`), `#` and one space removed, joined by newlines. */
  headerComment?: { text: string; range: SourceRange };
  services: ComposeService[];
  problems: InputProblem[];
}

/* ---------------- Kubernetes ---------------- */

export interface K8sMeta {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  labels: Record<string, string>;
  /** The whole object (its document, or its item of a `kind: List`). */
  range: SourceRange;
  /** 0-based index of the YAML document in the file. */
  documentIndex: number;
}

export interface K8sContainer {
  name: string;
  range: SourceRange;
  image?: ImageRef;
  command: LocatedString[];
  args: LocatedString[];
  env: EnvVarFact[];
  envFrom: EnvSourceRef[];
  memoryLimitBytes?: Resolved<number>;
  memoryRequestBytes?: Resolved<number>;
  ports: Array<{ name?: string; containerPort: number; range: SourceRange }>;
  postgres?: PostgresServerFacts;
  pgbouncer?: PgbouncerImageFacts;
}

export interface K8sWorkload {
  meta: K8sMeta;
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet';
  /** spec.replicas, default 1 (an HorizontalPodAutoscaler may own it); DaemonSet: unknown (one per node). */
  replicas: Resolved<number>;
  /** Deployment RollingUpdate maxSurge as written (int or percentage), default "25%"; 0 for Recreate. */
  maxSurge?: Resolved<number | string>;
  strategy?: string;
  selector: Record<string, string>;
  podLabels: Record<string, string>;
  containers: K8sContainer[];
  initContainers: K8sContainer[];
}

export interface K8sJob {
  meta: K8sMeta;
  kind: 'Job' | 'CronJob';
  /** CronJob spec.schedule. */
  schedule?: string;
  containers: K8sContainer[];
}

export interface K8sHpa {
  meta: K8sMeta;
  target: { kind: string; name: string; apiVersion?: string; range: SourceRange };
  /** Default 1 (autoscaling/v2 HorizontalPodAutoscalerSpec.minReplicas). */
  minReplicas: Resolved<number>;
  maxReplicas: Resolved<number>;
}

export interface K8sService {
  meta: K8sMeta;
  type?: string;
  selector: Record<string, string>;
  /** `clusterIP: None`. */
  headless: boolean;
  ports: Array<{ name?: string; port: number; targetPort?: number | string; range: SourceRange }>;
}

export interface ConfigDataEntry {
  key: string;
  keyRange: SourceRange;
  value: string;
  range: SourceRange;
  /** From a Secret: never print the value. */
  secret: boolean;
  lineMap: EmbeddedLineMap;
  via?: SourceRange;
}

export interface K8sConfigMap {
  meta: K8sMeta;
  data: ConfigDataEntry[];
  /** Keys ending in `.ini` (a pgbouncer.ini): parse `text` and map positions with `lineMap`. */
  iniFiles: Array<{ key: string; text: string; lineMap: EmbeddedLineMap; range: SourceRange }>;
}

export interface K8sSecret {
  meta: K8sMeta;
  /** stringData, then base64-decoded data (stringData wins on the same key, as the API server merges them). */
  data: ConfigDataEntry[];
}

/** CloudNativePG `Cluster` (postgresql.cnpg.io/v1). */
export interface CnpgCluster {
  meta: K8sMeta;
  instances: Resolved<number>;
  image?: ImageRef;
  majorVersion: Resolved<number>;
  parameters: ServerSettingFact[];
  memoryLimitBytes?: Resolved<number>;
  memoryRequestBytes?: Resolved<number>;
}

/** CloudNativePG `Pooler`: a PgBouncer Deployment in front of a Cluster. */
export interface CnpgPooler {
  meta: K8sMeta;
  cluster?: LocatedString;
  /** rw (default), ro, r. */
  type: Resolved<string>;
  instances: Resolved<number>;
  poolMode: Resolved<string>;
  /** spec.pgbouncer.parameters: strings, as PgBouncer settings. */
  parameters: Array<{ key: string; value: string; range: SourceRange; keyRange: SourceRange }>;
}

/** Zalando postgres-operator `postgresql` (acid.zalan.do/v1). */
export interface ZalandoPostgresql {
  meta: K8sMeta;
  version?: LocatedString;
  majorVersion: Resolved<number>;
  numberOfInstances: Resolved<number>;
  parameters: ServerSettingFact[];
  memoryLimitBytes?: Resolved<number>;
  memoryRequestBytes?: Resolved<number>;
  /** Present when the operator creates a PgBouncer for the master service. */
  connectionPooler?: {
    enabled: Resolved<boolean>;
    numberOfInstances: Resolved<number>;
    mode: Resolved<string>;
    /** Server connections for all pooler pods together (divided among them). */
    maxDBConnections: Resolved<number>;
  };
}

/** Crunchy PGO `PostgresCluster`: recognised, only instance counts are read. */
export interface CrunchyPostgresCluster {
  meta: K8sMeta;
  postgresVersion?: Resolved<number>;
  instanceSets: Array<{ name?: string; replicas: Resolved<number>; range: SourceRange }>;
  pgBouncer?: { replicas: Resolved<number>; global: Array<{ key: string; value: string; range: SourceRange }> };
}

export interface KubernetesFacts {
  file: string;
  kind: 'kubernetes';
  /** Every object with apiVersion + kind, including the ones not modelled below. */
  objects: K8sMeta[];
  workloads: K8sWorkload[];
  hpas: K8sHpa[];
  services: K8sService[];
  configMaps: K8sConfigMap[];
  secrets: K8sSecret[];
  cnpgClusters: CnpgCluster[];
  cnpgPoolers: CnpgPooler[];
  zalandoClusters: ZalandoPostgresql[];
  crunchyClusters: CrunchyPostgresCluster[];
  /** Jobs and CronJobs: pods that run to completion (migrations, backups, reports), not long-running clients. */
  jobs: K8sJob[];
  /** Documents that are not Kubernetes objects (no apiVersion/kind: Helm values, empty documents). */
  skippedDocuments: Array<{ documentIndex: number; reason: string; range: SourceRange }>;
  problems: InputProblem[];
}

/* ---------------- PM2 ---------------- */

export interface Pm2App {
  range: SourceRange;
  name?: LocatedString;
  script?: LocatedString;
  cwd?: LocatedString;
  /**
   * Processes PM2 starts. `max`/0 = one per CPU, -n = CPUs − n (at least 1): with a configured
   * CPU count that number, otherwise value undefined with a `default` provenance note.
   */
  instances: Resolved<number>;
  /** cluster or fork; the default comes from PM2's lib/Common.js determineExecMode. */
  execMode: Resolved<'cluster' | 'fork'>;
  env: EnvVarFact[];
  /** `env_<name>` blocks (`env_production` → key "production"). */
  envByName: Record<string, EnvVarFact[]>;
}

export interface Pm2Facts {
  file: string;
  kind: 'pm2';
  /** How the file was read: JS module, strict JSON, a JS object literal in a .json file (PM2 evaluates those), YAML. */
  format: 'js' | 'json' | 'js-object' | 'yaml';
  apps: Pm2App[];
  problems: InputProblem[];
}

/* ---------------- Serverless ---------------- */

export interface ServerlessFunction {
  name: string;
  range: SourceRange;
  /** `handler` as written (`src/handler.main`). */
  handler?: LocatedString;
  /** Module path of the handler without extension (`src/handler`), relative to the config's directory. */
  handlerModule?: string;
  handlerExport?: string;
  /**
   * The most concurrent executions: reservedConcurrency when set; otherwise unknown
   * (bounded only by the account's concurrency limit), never guessed.
   */
  maxConcurrency: Resolved<number>;
  reservedConcurrency?: Resolved<number>;
  provisionedConcurrency?: Resolved<number>;
  memoryMb?: Resolved<number>;
  timeoutSeconds?: Resolved<number>;
  environment: EnvVarFact[];
}

export interface ServerlessFacts {
  file: string;
  kind: 'serverless';
  framework: 'serverless' | 'vercel';
  service?: LocatedString;
  provider?: LocatedString;
  runtime?: LocatedString;
  providerEnvironment: EnvVarFact[];
  functions: ServerlessFunction[];
  problems: InputProblem[];
}

export type YamlFileKind = 'compose' | 'kubernetes' | 'pm2' | 'serverless' | 'helm-values' | 'other';
