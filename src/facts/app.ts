import type { InputProblem } from '../core/diagnostic.js';
import type { TextFile } from '../core/read-text.js';
import type { DiscoveryResult } from '../discovery/discover.js';
import type { SourceKind } from '../model/project.js';
import type { AppFacts } from '../sources/app/types.js';

/** Reads a candidate through the run's one file guard and keeps its text for frames and suppressions. */
export type KindReader = (kind: SourceKind) => (path: string) => TextFile;

/**
 * Facts of applications in other languages than JS/TS (issue 14): each language's extractor adds
 * its pools, app roots and app-server config files to one `AppFacts`. Only candidates the discovery
 * sorted by name are read (no file of a tree without these languages is opened: the pre-filter).
 */
export function buildAppFacts(discovery: DiscoveryResult, reader: KindReader, problems: InputProblem[]): AppFacts {
  const app: AppFacts = { pools: [], processConfigs: [], roots: [] };
  void discovery;
  void reader;
  void problems;
  return app;
}
