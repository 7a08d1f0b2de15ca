import type { CodePathSettings } from '../model/code-paths.js';
import type { DeploymentSettings } from '../model/deployment/types.js';

/** Facts about the deployment that the linted files do not hold, from the config file. */
export interface LintSettings {
  database: {
    /** Target PostgreSQL major version; the newest supported when not configured. */
    version: number;
    versionFromConfig: boolean;
    /** RAM of the database host in bytes, when declared. */
    memoryBytes?: number;
    memoryText?: string;
  };
  pgbouncer: {
    /** Target PgBouncer version ("1.18"); the newest supported when not configured. */
    version: string;
    versionFromConfig: boolean;
  };
  /** The config file's `deployment` section: declared services, servers, poolers, headroom, CPU count. */
  deployment?: DeploymentSettings;
  /** The config file's `codePaths` section: non-production paths added to (or taken from) the defaults. */
  codePaths?: CodePathSettings;
}
