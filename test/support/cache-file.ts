import { readFileSync, writeFileSync } from 'node:fs';
import { encodeEntries } from '../../src/facts/cache.js';

/**
 * A facts cache file as one object: its header line, with each section after it parsed in place
 * (`walk` with its `candidates`, `js` with the analysis's `facts` and `problems`, `report`, `files`;
 * src/facts/cache.ts).
 */
export interface CacheFileData {
  files: Record<string, unknown>;
  js: { reads: Array<[string, string]>; modules: Array<[string, number]>; facts?: unknown; problems?: unknown; [key: string]: unknown } | null;
  walk: unknown;
  git: { head: string; changed: string[] } | null;
  report: unknown;
  [key: string]: unknown;
}

const SECTIONS = ['walk', 'candidates', 'js', 'jsFacts', 'report', 'files'] as const;

export function readCacheFile(file: string): CacheFileData {
  const bytes = readFileSync(file);
  const nl = bytes.indexOf(0x0a);
  const header = JSON.parse(bytes.subarray(0, nl).toString('utf8')) as Record<string, unknown> & { sections: Record<string, [number, number]> };
  const body = bytes.subarray(nl + 1);
  const part = (name: string): unknown => {
    const [at, length] = header.sections[name]!;
    return JSON.parse(body.subarray(at, at + length).toString('utf8'));
  };
  const { sections: _sections, ...rest } = header;
  const js = part('js') as CacheFileData['js'];
  const jsFacts = part('jsFacts') as { facts: unknown; problems: unknown } | null;
  const head = part('walk') as Record<string, unknown> | null;
  const walk = head === null ? null : { ...head, candidates: part('candidates') };
  return { ...rest, walk, js: js === null ? null : { ...js, ...(jsFacts ?? {}) }, report: part('report'), files: part('files') as Record<string, unknown> } as CacheFileData;
}

export function writeCacheFile(file: string, data: CacheFileData): void {
  const { files, js, walk, report, ...header } = data;
  const jsHead = js === null ? null : { digest: js.digest, reads: js.reads, modules: js.modules };
  const jsFacts = js === null ? null : { facts: js.facts, problems: js.problems };
  const entries = encodeEntries(files);
  const parts: Record<string, Buffer> = {
    walk: Buffer.from(JSON.stringify(walk === null || typeof walk !== 'object' ? walk : { ...walk, candidates: undefined })),
    candidates: Buffer.from(JSON.stringify(walk === null || typeof walk !== 'object' ? null : ((walk as { candidates?: unknown }).candidates ?? null))),
    js: Buffer.from(JSON.stringify(jsHead)),
    jsFacts: Buffer.from(JSON.stringify(jsFacts)),
    report: Buffer.from(JSON.stringify(report ?? null)),
    files: entries.bytes,
  };
  const sections: Record<string, [number, number]> = {};
  let offset = 0;
  for (const name of SECTIONS) {
    sections[name] = [offset, parts[name]!.length];
    offset += parts[name]!.length;
  }
  writeFileSync(file, Buffer.concat([Buffer.from(`${JSON.stringify({ ...header, sections, buckets: entries.buckets })}\n`), ...SECTIONS.map((n) => parts[n]!)]));
}
