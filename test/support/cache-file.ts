import { readFileSync, writeFileSync } from 'node:fs';

/** A facts cache file as one object: its header line with `files`, its second line (src/facts/cache.ts). */
export interface CacheFileData {
  files: Record<string, unknown>;
  js: { reads: Array<[string, string]>; modules: Array<[string, number]> } | null;
  walk: unknown;
  git: { head: string; changed: string[] } | null;
  [key: string]: unknown;
}

export function readCacheFile(file: string): CacheFileData {
  const text = readFileSync(file, 'utf8');
  const nl = text.indexOf('\n');
  return { ...(JSON.parse(text.slice(0, nl)) as object), files: JSON.parse(text.slice(nl + 1)) as Record<string, unknown> } as CacheFileData;
}

export function writeCacheFile(file: string, data: CacheFileData): void {
  const { files, ...header } = data;
  writeFileSync(file, `${JSON.stringify(header)}\n${JSON.stringify(files)}`);
}
