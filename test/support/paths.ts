import { resolve } from 'node:path';

/** The repository root. */
export const REPO_ROOT = resolve(__dirname, '../..');
/** ../shared/corpus beside the repository (CI clones the repository with shared/ beside it). Tests read it through corpus.ts. */
export const CORPUS_ROOT = resolve(REPO_ROOT, '../shared/corpus');
