import { basename, dirname } from 'node:path';
import type { InputProblem } from '../core/diagnostic.js';
import type { TextFile } from '../core/read-text.js';
import type { DiscoveryResult } from '../discovery/discover.js';
import type { SourceKind } from '../model/project.js';
import type { AppFacts } from '../sources/app/types.js';
import { extractRailsDatabaseYml } from '../sources/rails/database-yml.js';
import { extractPumaConfig } from '../sources/rails/puma.js';
import { extractSidekiqConfig } from '../sources/rails/sidekiq-yml.js';
import { extractSpringConfig, isSpringConfigFile, springPools } from '../sources/spring/index.js';

/** Reads a candidate through the run's one file guard and keeps its text for frames and suppressions. */
export type KindReader = (kind: SourceKind) => (path: string) => TextFile;

/**
 * Facts of applications in other languages than JS/TS (issue 14): each language's extractor adds
 * its pools, app roots and app-server config files to one `AppFacts`. Only candidates the discovery
 * sorted by name are read (no file of a tree without these languages is opened: the pre-filter).
 * Returns the YAML candidates that turned out not to be ours (a `database.yml` outside `config/`, an
 * `application.yml` that is not Spring's): they are read as deployment files.
 */
export function buildAppFacts(discovery: DiscoveryResult, reader: KindReader, problems: InputProblem[]): { app: AppFacts; notMine: string[] } {
  const app: AppFacts = { pools: [], processConfigs: [], roots: [] };
  const notMine: string[] = [];
  const root = discovery.root;
  const read = (kind: SourceKind, path: string): string | undefined => {
    const t = reader(kind)(path);
    if (!t.ok) {
      problems.push(t.problem);
      return undefined;
    }
    return t.text;
  };
  const springFiles = [];
  for (const c of discovery.candidates) {
    if (c.kind === 'rails-database') {
      if (basename(dirname(c.path)) !== 'config' && !c.explicit) {
        notMine.push(c.path);
        continue;
      }
      const text = read('rails-yaml', c.path);
      if (text === undefined) continue;
      const facts = extractRailsDatabaseYml(text, c.path, root);
      app.pools.push(...facts.pools);
      problems.push(...facts.problems);
      app.roots.push({ dir: dirname(dirname(c.path)), language: 'ruby', framework: 'rails', file: c.path });
    } else if (c.kind === 'puma-config') {
      const text = read('ruby', c.path);
      if (text === undefined) continue;
      const facts = extractPumaConfig(text, c.path);
      app.processConfigs.push(facts);
      problems.push(...facts.problems);
    } else if (c.kind === 'sidekiq-config') {
      const text = read('rails-yaml', c.path);
      if (text === undefined) continue;
      const facts = extractSidekiqConfig(text, c.path);
      app.processConfigs.push(facts);
      problems.push(...facts.problems);
    } else if (c.kind === 'spring-config') {
      if (!isSpringConfigFile(c.path) && !c.explicit) {
        if (/\.ya?ml$/i.test(c.path)) notMine.push(c.path);
        continue;
      }
      const text = read(/\.properties$/i.test(c.path) ? 'properties' : 'yaml', c.path);
      if (text === undefined) continue;
      const facts = extractSpringConfig(text, c.path);
      problems.push(...facts.problems);
      if (facts.isSpring) springFiles.push(facts);
      else if (/\.ya?ml$/i.test(c.path)) notMine.push(c.path);
    }
  }
  const spring = springPools(springFiles, root);
  app.pools.push(...spring.pools);
  app.roots.push(...spring.roots);
  return { app, notMine };
}
