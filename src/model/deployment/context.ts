import { relative, sep } from 'node:path';
import type { SourceRange } from '../../core/location.js';
import type { LintSettings } from '../../engine/settings.js';
import type { ProjectFacts } from '../project.js';
import type { CodePaths } from '../code-paths.js';
import { EndpointIndex } from './endpoints.js';
import type { DeploymentModel, DeploymentSettings } from './types.js';

/** State shared by the steps that build the deployment model. */
export interface BuildContext {
  facts: ProjectFacts;
  settings: LintSettings;
  /** Which files are non-production code (the project model's one classifier). */
  codePaths: CodePaths;
  declared: DeploymentSettings | undefined;
  cpus: number | undefined;
  headroom: number;
  index: EndpointIndex;
  notes: DeploymentModel['notes'];
  configProblems: DeploymentModel['configProblems'];
  /** Path relative to the repository root, `/`-separated. */
  rel(file: string): string;
  /** `file:line` for messages. */
  at(range: SourceRange | undefined): string;
}

/** A path relative to the repository root, `/`-separated (the path itself when it is the root or outside). */
export function repoRelative(root: string, file: string): string {
  const r = relative(root, file);
  return (r === '' || r.startsWith('..') ? file : r).split(sep).join('/');
}

/** Kubernetes' default namespace when a manifest names none. */
export const DEFAULT_NAMESPACE = 'default';

export function createContext(facts: ProjectFacts, settings: LintSettings, codePaths: CodePaths): BuildContext {
  const rel = (file: string): string => repoRelative(facts.root, file);
  const declared = settings.deployment;
  return {
    facts,
    settings,
    codePaths,
    declared,
    cpus: declared?.cpus?.value,
    // pool-oversubscription: slots kept free for migrations, admin sessions and monitoring (issue 5: default 10).
    headroom: declared?.headroom?.value ?? 10,
    index: new EndpointIndex(),
    notes: [],
    configProblems: [],
    rel,
    at: (r) => (r ? `${rel(r.file)}:${r.line}` : 'unknown location'),
  };
}
