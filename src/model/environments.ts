/**
 * The one environment resolver of the model (../shared/STYLE.md "one resolver per question"):
 * the value of a variable as a process sees it — in the `.env` files of a directory (per
 * environment, in dotenv-flow/Next.js order, after dotenv-expand), in a compose service
 * (`env_file` then `environment`), a Kubernetes container (`envFrom` then `env`, ConfigMap and
 * Secret references), a PM2 app, a serverless function. The connection model
 * (`connections.ts`) and the deployment model (`deployment/`) both read environments from here.
 */
import { basename, dirname } from 'node:path';
import type { SourceRange } from '../core/location.js';
import { inside } from '../core/paths.js';
import { dollarReferences, expandDotenv } from '../sources/env/expand.js';
import { dotenvValues } from '../sources/env/parse.js';
import type { ExpandedDotenv, LoadedEnvFile } from '../sources/env/types.js';
import type { ComposeService, EnvVarFact, K8sContainer, Pm2App, ServerlessFacts, ServerlessFunction } from '../sources/yaml/types.js';
import type { ServiceEnvValue } from './deployment/types.js';
import type { ProjectFacts } from './project.js';

/** One variable of an environment, with where it is written. */
export interface EnvironmentValue extends ServiceEnvValue {
  /** The text as written (before interpolation or expansion), when that differs or matters (passwords). */
  raw?: string;
  /**
   * The value dotenv-expand gives on an empty process environment (an unset reference becomes
   * ''): what a program that loads only this file sees. Equal to `value` when nothing is unresolved.
   */
  expanded?: string;
  /** The `.env` file (or compose env_file) that holds it. */
  envFile?: string;
  /** The line that brings it in: a compose `env_file` entry, a Kubernetes `envFrom`. */
  via?: SourceRange;
  /** What wrote it. */
  from: EnvVarFact['from'] | 'dotenv' | 'configMap' | 'secret';
}

/** Variables by name, as one process sees them. */
export type Environment = Map<string, EnvironmentValue>;

type Facts = Pick<ProjectFacts, 'envFiles' | 'composeEnvFiles' | 'kubernetes'>;


function expandedOf(f: LoadedEnvFile): ExpandedDotenv {
  return f.expanded ?? expandDotenv(f.entries, {});
}

/**
 * A `.env` file's variable as the program sees it: expanded by the file's own assignments as
 * dotenv-expand does (`LoadedEnvFile.expanded`), so `DATABASE_URL=postgres://app@${DB_HOST}:6432/app`
 * reaches DB_HOST's host. A reference the file does not set, with no default, stays unresolved
 * (`unresolved`, `value` keeps the text as written): its value is the process environment's, which
 * the repository does not show.
 */
export function dotenvValue(f: LoadedEnvFile, key: string, source: string): EnvironmentValue | undefined {
  const x = expandedOf(f).values.get(key);
  const e = x?.entry ?? dotenvValues(f.entries).get(key);
  if (!e) return undefined;
  const unknown = x === undefined || x.incomplete === true || x.references.some((r) => r.source !== 'file' && !r.usedDefault);
  const v: EnvironmentValue = { name: key, source, range: e.valueRange, value: unknown ? e.value : x.value, raw: e.value, expanded: x?.value ?? e.value, envFile: f.file, from: 'dotenv' };
  const refs = !unknown || e.quoted === 'single' ? [] : dollarReferences(e.value);
  if (refs.length > 0) v.unresolved = refs;
  return v;
}

/** Every variable of one `.env` file. */
export function dotenvFileEnvironment(f: LoadedEnvFile, source: string): Environment {
  const env: Environment = new Map();
  for (const key of expandedOf(f).values.keys()) {
    const v = dotenvValue(f, key, source);
    if (v) env.set(key, v);
  }
  return env;
}

/**
 * The `.env` files of a directory and its ancestors, and the lookup of a variable per environment,
 * in the order dotenv-flow and Next.js read them (`.env.<env>.local`, `.env.local` — not for
 * `test` —, `.env.<env>`, `.env`; the first that defines the variable wins, dotenv never overrides),
 * the nearest directory first. Templates (`.env.example`) are never loaded.
 */
export class DotenvIndex {
  constructor(readonly files: readonly LoadedEnvFile[]) {}

  /** The files a program in `fromDir` loads in environment `env`, the one that wins first. */
  chain(env: string, fromDir: string): LoadedEnvFile[] {
    const depth = (f: LoadedEnvFile) => dirname(f.file).length;
    const same = (e: string) => e === env || (env === 'production' && e === 'prod');
    const rank = (f: LoadedEnvFile): number => {
      if (same(f.environment) && env !== 'default') return f.local ? 0 : 2;
      if (f.environment === 'default') return f.local ? (env === 'test' ? -1 : 1) : 3;
      return -1;
    };
    return this.files
      .filter((f) => !f.template && inside(fromDir, dirname(f.file)) && rank(f) >= 0)
      .sort((a, b) => depth(b) - depth(a) || rank(a) - rank(b));
  }

  /** The environments the `.env` files visible from `fromDir` define (`default`, `production`, …). */
  environments(fromDir: string): string[] {
    return [...new Set(this.files.filter((f) => !f.template && inside(fromDir, dirname(f.file))).map((f) => f.environment))];
  }

  /** Templates visible from `fromDir`, nearest first. */
  templates(fromDir: string): LoadedEnvFile[] {
    return this.files.filter((f) => f.template && inside(fromDir, dirname(f.file))).sort((a, b) => dirname(b.file).length - dirname(a.file).length);
  }

  /** One resolution per distinct value of `name` from `fromDir`, with the environments it serves (templates as `<env> (template <file>)`). */
  resolve(name: string, fromDir: string): Array<{ file: LoadedEnvFile; value: EnvironmentValue; environments: string[] }> {
    const out = new Map<string, { file: LoadedEnvFile; value: EnvironmentValue; environments: string[] }>();
    const add = (env: string, chain: LoadedEnvFile[]) => {
      for (const f of chain) {
        const v = dotenvValue(f, name, f.file);
        if (!v) continue;
        const prev = out.get(f.file);
        if (prev) {
          if (!prev.environments.includes(env)) prev.environments.push(env);
        } else out.set(f.file, { file: f, value: v, environments: [env] });
        return;
      }
    };
    for (const env of this.environments(fromDir)) add(env, this.chain(env, fromDir));
    for (const f of this.templates(fromDir)) add(`${f.environment} (template ${basename(f.file)})`, [f]);
    return [...out.values()];
  }

  /**
   * The environment a deployed program in `dir` sees from `.env` files: the production chain when
   * the directory has production files, else the default one; a template (`.env.example`) fills
   * only what nothing else defines, and says so.
   */
  deployed(dir: string, label: (f: LoadedEnvFile) => string): Environment {
    const envs = this.environments(dir);
    const env = envs.includes('production') ? 'production' : envs.includes('prod') ? 'prod' : 'default';
    const out: Environment = new Map();
    const fill = (f: LoadedEnvFile) => {
      for (const [k, v] of dotenvFileEnvironment(f, label(f))) if (!out.has(k)) out.set(k, v);
    };
    for (const f of this.chain(env === 'prod' ? 'production' : env, dir)) fill(f);
    for (const f of this.templates(dir).filter((t) => t.environment === 'default' || t.environment === 'production')) fill(f);
    return out;
  }
}

function fromFact(e: EnvVarFact, source: string): EnvironmentValue | undefined {
  if (e.value === undefined) return undefined;
  const out: EnvironmentValue = { name: e.name, source, range: e.range, value: e.value, raw: e.raw ?? e.value, from: e.from };
  if (e.unresolved && e.unresolved.length > 0) out.unresolved = e.unresolved;
  if (e.secret) out.secret = true;
  return out;
}

/** A compose `env_file` (a `.env` file, or another name such as `db.env`, read with the other inputs). */
function envFileAt(facts: Facts, path: string): LoadedEnvFile | undefined {
  return facts.envFiles.find((f) => f.file === path) ?? facts.composeEnvFiles.find((f) => f.file === path);
}

/** compose: `env_file` entries in order (a later file wins), then `environment` (which wins: compose spec, services.environment). */
export function composeEnvironment(facts: Facts, svc: ComposeService): Environment {
  const env: Environment = new Map();
  for (const ref of svc.envFiles) {
    if (!ref.resolvedPath) continue;
    const f = envFileAt(facts, ref.resolvedPath);
    if (!f) continue;
    for (const [k, v] of dotenvFileEnvironment(f, `env_file ${ref.name}`)) env.set(k, { ...v, via: ref.range });
  }
  for (const e of svc.environment) {
    // A value-less `KEY` takes the value of the shell running compose, which the repository does not show.
    const v = fromFact(e, `environment of compose service ${svc.name}`) ?? { name: e.name, source: `environment of compose service ${svc.name} (from the shell running compose)`, range: e.range, from: e.from };
    env.set(v.name, v);
  }
  return env;
}

/** Kubernetes' default namespace when a manifest names none. */
const DEFAULT_NAMESPACE = 'default';

/** Kubernetes: `envFrom` in order, then `env` (which wins); ConfigMaps and Secrets of the same namespace. */
export function k8sEnvironment(facts: Facts, namespace: string | undefined, c: K8sContainer): Environment {
  const ns = namespace ?? DEFAULT_NAMESPACE;
  const env: Environment = new Map();
  const lookup = (kind: 'configMap' | 'secret', name: string) => {
    for (const f of facts.kubernetes) {
      const list = kind === 'configMap' ? f.configMaps : f.secrets;
      const hit = list.find((o) => o.meta.name === name && (o.meta.namespace ?? DEFAULT_NAMESPACE) === ns);
      if (hit) return hit;
    }
    return undefined;
  };
  for (const ref of c.envFrom) {
    const kind = ref.kind === 'configMapRef' ? 'configMap' : ref.kind === 'secretRef' ? 'secret' : undefined;
    if (!kind) continue;
    const obj = lookup(kind, ref.name);
    if (!obj) continue;
    for (const d of obj.data) {
      const name = `${ref.prefix ?? ''}${d.key}`;
      env.set(name, { name, value: d.value, raw: d.value, range: d.range, source: `${kind === 'configMap' ? 'ConfigMap' : 'Secret'} ${ref.name}`, from: kind, ...(d.secret ? { secret: true } : {}) });
    }
  }
  for (const e of c.env) {
    if ((e.from === 'configMapKeyRef' || e.from === 'secretKeyRef') && e.ref) {
      const obj = lookup(e.from === 'configMapKeyRef' ? 'configMap' : 'secret', e.ref.name);
      const d = obj?.data.find((x) => x.key === e.ref!.key);
      if (d) env.set(e.name, { name: e.name, value: d.value, raw: d.value, range: d.range, source: `${e.from === 'configMapKeyRef' ? 'ConfigMap' : 'Secret'} ${e.ref.name} key ${e.ref.key}`, from: e.from, ...(d.secret ? { secret: true } : {}) });
      else env.set(e.name, { name: e.name, range: e.range, source: `${e.ref.name} key ${e.ref.key} (not in the repository)`, from: e.from });
      continue;
    }
    const v = fromFact(e, `env of container ${c.name}`);
    if (v) env.set(v.name, v);
  }
  return env;
}

/** PM2: `env`, then `env_production` (what `pm2 start --env production` adds). */
export function pm2Environment(app: Pm2App): Environment {
  const env: Environment = new Map();
  for (const e of app.env) {
    const v = fromFact(e, 'PM2 env');
    if (v) env.set(v.name, v);
  }
  for (const e of app.envByName['production'] ?? []) {
    const v = fromFact(e, 'PM2 env_production');
    if (v) env.set(v.name, v);
  }
  return env;
}

/** serverless.yml: `provider.environment`, then the function's `environment` (which wins). */
export function serverlessEnvironment(sls: ServerlessFacts, fn: ServerlessFunction): Environment {
  const env: Environment = new Map();
  for (const e of sls.providerEnvironment) {
    const v = fromFact(e, 'provider.environment');
    if (v) env.set(v.name, v);
  }
  for (const e of fn.environment) {
    const v = fromFact(e, `environment of function ${fn.name}`);
    if (v) env.set(v.name, v);
  }
  return env;
}

/** Layers environments: later ones fill only the variables the earlier ones lack. */
export function withFallback<V>(primary: Map<string, V>, ...fallbacks: Array<Map<string, V>>): Map<string, V> {
  const out = new Map<string, V>();
  for (const f of [...fallbacks].reverse()) for (const [k, v] of f) out.set(k, v);
  for (const [k, v] of primary) out.set(k, v);
  return out;
}
