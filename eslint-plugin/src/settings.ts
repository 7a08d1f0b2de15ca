import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ALL_RULES } from '../../rules/index.js';
import { defaultSettings, findConfigFile, loadConfig } from '../../src/engine/config.js';
import type { LintSettings } from '../../src/engine/settings.js';

/** `settings.pgconn` of the ESLint config. */
export interface PluginSettings {
  /**
   * Report the findings that need the repository's deployment model (pool budgets, pooler
   * modes) on pool definitions. `false` turns them off (the model is then never built).
   */
  projectModel: boolean;
}

export function pluginSettingsOf(settings: Record<string, unknown> | undefined): PluginSettings {
  const own = settings?.['pgconn'];
  const projectModel = typeof own === 'object' && own !== null ? (own as Record<string, unknown>)['projectModel'] : undefined;
  return { projectModel: projectModel !== false };
}

/** Per config file (or per working directory without one): the settings, until the file's mtime changes. */
const cache = new Map<string, { configFile: string | null; mtimeMs: number; settings: LintSettings }>();
/** Per lint of a file (ESLint's SourceCode, shared by every pgconn rule on it): the settings found. */
const perRun = new WeakMap<object, { file: string; settings: LintSettings }>();

/**
 * The same settings the CLI uses (database version and memory, PgBouncer version, declared
 * deployment, non-production code paths), from the `pgconn-lint.config.*` found upward from the
 * file. Severities and options come from the ESLint config instead. Without a config file,
 * `codePaths` patterns are relative to ESLint's working directory (`cwd`), as the CLI's are to its
 * own. A config file the CLI would refuse gives the defaults here: the editor keeps linting, and
 * the CLI reports the mistake. Looked up once per lint of a file (`run`: ESLint's SourceCode),
 * not once per rule: the lookup walks up the directories and reads every package.json on the way.
 */
export function lintSettingsFor(file: string, cwd: string = dirname(file), run?: object): LintSettings {
  const known = run !== undefined ? perRun.get(run) : undefined;
  if (known !== undefined && known.file === file) return known.settings;
  const settings = lookUpSettings(file, cwd);
  if (run !== undefined) perRun.set(run, { file, settings });
  return settings;
}

function lookUpSettings(file: string, cwd: string): LintSettings {
  const dir = dirname(file);
  const configFile = findConfigFile(dir);
  let mtimeMs = -1;
  if (configFile !== null) {
    try {
      mtimeMs = statSync(configFile).mtimeMs;
    } catch {
      /* vanished: read as absent below */
    }
  }
  const key = configFile ?? `\0${cwd}`;
  const hit = cache.get(key);
  if (hit && hit.mtimeMs === mtimeMs) return hit.settings;
  let settings: LintSettings;
  try {
    settings = loadConfig({ cwd, searchFrom: dir, rules: ALL_RULES }).settings;
  } catch {
    // The CLI's defaults (src/engine/config.ts defaultSettings).
    settings = defaultSettings(configFile !== null ? dirname(configFile) : cwd);
  }
  cache.set(key, { configFile, mtimeMs, settings });
  return settings;
}
