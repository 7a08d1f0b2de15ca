import { dirname, relative, sep } from 'node:path';
import { dotenvValues } from '../../sources/env/parse.js';
import type { LoadedEnvFile } from '../../sources/env/types.js';
import type { ComposeService, EnvVarFact, K8sContainer, Pm2App, ServerlessFacts, ServerlessFunction } from '../../sources/yaml/types.js';
import { DEFAULT_NAMESPACE, type BuildContext } from './context.js';
import type { ServiceEnvValue } from './types.js';
import { dollarReferences } from '../../sources/env/expand.js';

/**
 * The environment a service's processes see. This is the minimal resolution the deployment model
 * needs (compose environment/env_file, Kubernetes env/envFrom, PM2 env, serverless environment,
 * then the app's .env files); it is the one place to swap for the project-wide connection facts.
 */
export type ServiceEnv = Map<string, ServiceEnvValue>;

function put(env: ServiceEnv, v: ServiceEnvValue): void {
  env.set(v.name, v);
}

function fromFact(e: EnvVarFact, source: string): ServiceEnvValue | undefined {
  if (e.value === undefined) return undefined;
  const out: ServiceEnvValue = { name: e.name, source, range: e.range, value: e.value };
  if (e.unresolved && e.unresolved.length > 0) out.unresolved = e.unresolved;
  if (e.secret) out.secret = true;
  return out;
}

function envFile(ctx: BuildContext, path: string): LoadedEnvFile | undefined {
  const known = ctx.facts.envFiles.find((f) => f.file === path);
  if (known) return known;
  // A compose env_file with another name (`db.env`), read with the other inputs (src/model/build.ts).
  return ctx.facts.composeEnvFiles.find((f) => f.file === path);
}

/**
 * A .env file's values as the program sees them: expanded by the file's own assignments as
 * dotenv-expand does (the same expansion the connection model reads: `LoadedEnvFile.expanded`), so
 * `DATABASE_URL=postgres://app@${DB_HOST}:6432/app` reaches the pooler at DB_HOST. A value that
 * refers to a variable the file does not set, with no default, stays unresolved: its value is the
 * process environment's, which the repository does not show.
 */
function addDotenv(env: ServiceEnv, f: LoadedEnvFile, source: string): void {
  const expanded = f.expanded?.values;
  for (const [key, e] of dotenvValues(f.entries)) {
    const x = expanded?.get(key);
    const unknown = x === undefined || x.incomplete === true || x.references.some((r) => r.source !== 'file' && !r.usedDefault);
    const v: ServiceEnvValue = { name: key, source, range: e.valueRange, value: unknown ? e.value : x.value };
    const refs = !unknown || e.quoted === 'single' ? [] : dollarReferences(e.value);
    if (refs.length > 0) v.unresolved = refs;
    put(env, v);
  }
}

/** compose: `env_file` entries in order, then `environment` (which wins). */
export function composeEnv(ctx: BuildContext, svc: ComposeService): ServiceEnv {
  const env: ServiceEnv = new Map();
  for (const ref of svc.envFiles) {
    if (!ref.resolvedPath) continue;
    const f = envFile(ctx, ref.resolvedPath);
    if (f) addDotenv(env, f, `env_file ${ref.name}`);
  }
  for (const e of svc.environment) {
    const v = fromFact(e, `environment of compose service ${svc.name}`);
    if (v) put(env, v);
  }
  return env;
}

/** Kubernetes: `envFrom` in order, then `env` (which wins); ConfigMaps and Secrets of the same namespace. */
export function k8sEnv(ctx: BuildContext, namespace: string | undefined, c: K8sContainer): ServiceEnv {
  const ns = namespace ?? DEFAULT_NAMESPACE;
  const env: ServiceEnv = new Map();
  const lookup = (kind: 'configMap' | 'secret', name: string) => {
    for (const f of ctx.facts.kubernetes) {
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
      put(env, { name: `${ref.prefix ?? ''}${d.key}`, value: d.value, range: d.range, source: `${kind === 'configMap' ? 'ConfigMap' : 'Secret'} ${ref.name}`, ...(d.secret ? { secret: true } : {}) });
    }
  }
  for (const e of c.env) {
    if ((e.from === 'configMapKeyRef' || e.from === 'secretKeyRef') && e.ref) {
      const obj = lookup(e.from === 'configMapKeyRef' ? 'configMap' : 'secret', e.ref.name);
      const d = obj?.data.find((x) => x.key === e.ref!.key);
      if (d) put(env, { name: e.name, value: d.value, range: d.range, source: `${e.from === 'configMapKeyRef' ? 'ConfigMap' : 'Secret'} ${e.ref.name} key ${e.ref.key}`, ...(d.secret ? { secret: true } : {}) });
      else put(env, { name: e.name, range: e.range, source: `${e.ref.name} key ${e.ref.key} (not in the repository)` });
      continue;
    }
    const v = fromFact(e, `env of container ${c.name}`);
    if (v) put(env, v);
  }
  return env;
}

/** PM2: `env`, then `env_production` (what `pm2 start --env production` adds). */
export function pm2Env(app: Pm2App): ServiceEnv {
  const env: ServiceEnv = new Map();
  for (const e of app.env) {
    const v = fromFact(e, 'PM2 env');
    if (v) put(env, v);
  }
  for (const e of app.envByName['production'] ?? []) {
    const v = fromFact(e, 'PM2 env_production');
    if (v) put(env, v);
  }
  return env;
}

export function serverlessEnv(sls: ServerlessFacts, fn: ServerlessFunction): ServiceEnv {
  const env: ServiceEnv = new Map();
  for (const e of sls.providerEnvironment) {
    const v = fromFact(e, 'provider.environment');
    if (v) put(env, v);
  }
  for (const e of fn.environment) {
    const v = fromFact(e, `environment of function ${fn.name}`);
    if (v) put(env, v);
  }
  return env;
}

/**
 * The .env files an app in `dir` would load: those in `dir` and its parents up to the repository root.
 * Production files win over `.env`, which wins over templates (`.env.example`, used only when nothing
 * else defines the variable); other environments (development, test) are not used.
 */
export function dotenvFor(ctx: BuildContext, dir: string): ServiceEnv {
  const rank = (f: LoadedEnvFile): number | undefined => {
    if (f.template) return f.environment === 'default' || f.environment === 'production' ? 0 : undefined;
    if (f.environment === 'default') return f.local ? 2 : 1;
    if (f.environment === 'production' || f.environment === 'prod') return f.local ? 4 : 3;
    return undefined;
  };
  const inScope = (f: LoadedEnvFile): boolean => {
    const r = relative(dirname(f.file), dir);
    return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && !/^[a-zA-Z]:/.test(r));
  };
  const files = ctx.facts.envFiles
    .filter((f) => inScope(f) && rank(f) !== undefined)
    // lower rank first, and for equal rank the farther directory first: later files win.
    .sort((a, b) => rank(a)! - rank(b)! || dirname(a.file).length - dirname(b.file).length);
  const env: ServiceEnv = new Map();
  for (const f of files) addDotenv(env, f, ctx.rel(f.file) + (f.template ? ' (a template: nothing loads it)' : ''));
  return env;
}

/** Layers environments: later ones fill only the variables the earlier ones lack. */
export function withFallback(primary: ServiceEnv, ...fallbacks: ServiceEnv[]): ServiceEnv {
  const out: ServiceEnv = new Map();
  for (const f of [...fallbacks].reverse()) for (const [k, v] of f) out.set(k, v);
  for (const [k, v] of primary) out.set(k, v);
  return out;
}
