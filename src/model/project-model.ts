/**
 * The one model of a run (../shared/STYLE.md "The model: built once, one door"): built from the facts
 * and the settings in one place, handed to every rule as `ctx.model`, and read by `budget`,
 * `--print-model` and the ESLint plugin. Its parts are computed on first use and then shared, so a
 * run of code rules alone never pays for the deployment model; no rule builds or caches a model.
 */
import type { LintSettings } from '../engine/settings.js';
import { buildCodePaths, type CodePaths } from './code-paths.js';
import { buildConnections, type ConnectionModel } from './connections.js';
import { buildDeploymentModel } from './deployment/build.js';
import type { DeploymentModel } from './deployment/types.js';
import { buildParameterModel, type ParameterModel } from './parameters.js';
import { poolerPaths, type PoolerPath } from './pooler-path.js';
import type { ProjectFacts } from './project.js';

export interface ProjectModel {
  readonly facts: ProjectFacts;
  readonly settings: LintSettings;
  /** Which files are non-production code (tests, fixtures, scripts, seeds…): the one classifier. */
  readonly codePaths: CodePaths;
  /** Connection strings resolved per environment, and Prisma's client pools. */
  readonly connections: ConnectionModel;
  /** Servers, poolers, services, the edges between them and the budgets. */
  readonly deployment: DeploymentModel;
  /**
   * The effective value of every PostgreSQL setting per server (conf ⊕ `-c` ⊕ image env ⊕ operator
   * parameters, with the server's version) and of every pgbouncer.ini (with its PgBouncer's version).
   * Every rule that judges a setting reads it here.
   */
  readonly parameters: ParameterModel;
  /** Every client edge that reaches a pooler, with its pool mode and the pooler's version. */
  readonly poolerPaths: readonly PoolerPath[];
}

/** `given`: a hand-built deployment model, for the pooler rules' unit tests. */
export function buildProjectModel(facts: ProjectFacts, settings: LintSettings, given: { deployment?: DeploymentModel } = {}): ProjectModel {
  let connections: ConnectionModel | undefined;
  let deployment: DeploymentModel | undefined = given.deployment;
  let paths: PoolerPath[] | undefined;
  let parameters: ParameterModel | undefined;
  let codePaths: CodePaths | undefined;
  return {
    facts,
    settings,
    get codePaths() {
      return (codePaths ??= buildCodePaths(facts, settings));
    },
    get connections() {
      return (connections ??= buildConnections(facts, settings.deployment?.poolers));
    },
    get deployment() {
      return (deployment ??= buildDeploymentModel(facts, settings, this.codePaths));
    },
    get parameters() {
      return (parameters ??= buildParameterModel(facts, settings, this.deployment));
    },
    get poolerPaths() {
      return (paths ??= poolerPaths(this.deployment, facts, settings));
    },
  };
}
