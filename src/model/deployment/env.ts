import type { ComposeService, K8sContainer, Pm2App, ServerlessFacts, ServerlessFunction } from '../../sources/yaml/types.js';
import { composeEnvironment, DotenvIndex, k8sEnvironment, pm2Environment, serverlessEnvironment, withFallback as layer, type Environment } from '../environments.js';
import type { BuildContext } from './context.js';

/**
 * The environment a service's processes see, as the deployment model's steps ask for it. Every
 * answer comes from the model's one environment resolver (`src/model/environments.ts`), which the
 * connection model reads too; these are only the deployment context's entry points.
 */
export type ServiceEnv = Environment;

/** compose: `env_file` entries in order, then `environment` (which wins). */
export function composeEnv(ctx: BuildContext, svc: ComposeService): ServiceEnv {
  return composeEnvironment(ctx.facts, svc);
}

/** Kubernetes: `envFrom` in order, then `env` (which wins); ConfigMaps and Secrets of the same namespace. */
export function k8sEnv(ctx: BuildContext, namespace: string | undefined, c: K8sContainer): ServiceEnv {
  return k8sEnvironment(ctx.facts, namespace, c);
}

/** PM2: `env`, then `env_production`. */
export function pm2Env(app: Pm2App): ServiceEnv {
  return pm2Environment(app);
}

export function serverlessEnv(sls: ServerlessFacts, fn: ServerlessFunction): ServiceEnv {
  return serverlessEnvironment(sls, fn);
}

/** The .env files a deployed app in `dir` loads: the production chain (or the default one), templates only as a last resort. */
export function dotenvFor(ctx: BuildContext, dir: string): ServiceEnv {
  return new DotenvIndex(ctx.facts.envFiles).deployed(dir, (f) => ctx.rel(f.file) + (f.template ? ' (a template: nothing loads it)' : ''));
}

/** Layers environments: later ones fill only the variables the earlier ones lack. */
export function withFallback(primary: ServiceEnv, ...fallbacks: ServiceEnv[]): ServiceEnv {
  return layer(primary, ...fallbacks);
}
