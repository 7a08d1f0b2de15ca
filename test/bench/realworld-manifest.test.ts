/**
 * bench/realworld/manifest.json is read by a harness that runs outside `npm test`
 * (the repositories are never committed). This keeps the manifest itself honest in
 * every run: pinned commits, rule ids that exist, every verdict with its reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../rules/index.js';
import { REPO_ROOT } from '../support/paths.js';

interface Entry {
  rule: string;
  file: string;
  line?: number;
  all?: boolean;
  kind?: string;
  why: string;
  cause?: string;
}
interface Pool {
  file: string;
  line: number;
  library: string;
  max?: number | null;
  why: string;
}
interface Repository {
  repo: string;
  commit: string;
  kind: string;
  expect: Entry[];
  silent: Entry[];
  pools: Pool[];
}

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'bench/realworld/manifest.json'), 'utf8')) as {
  repositories: Repository[];
};
const RULE_IDS = new Set<string>([...ALL_RULES.map((r) => r.meta.id), 'fatal', '*']);

describe('bench/realworld/manifest.json', () => {
  it('pins at least 12 distinct repositories at full commits', () => {
    expect(manifest.repositories.length).toBeGreaterThanOrEqual(12);
    expect(new Set(manifest.repositories.map((r) => r.repo)).size).toBe(manifest.repositories.length);
    for (const r of manifest.repositories) {
      expect(r.repo, r.repo).toMatch(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
      expect(r.commit, r.repo).toMatch(/^[0-9a-f]{40}$/);
      expect(r.kind.length, r.repo).toBeGreaterThan(0);
    }
  });

  it('names only rules that exist, with a reason for every verdict', () => {
    for (const r of manifest.repositories) {
      for (const e of [...r.expect, ...r.silent]) {
        const where = `${r.repo} ${e.rule} ${e.file}`;
        expect(RULE_IDS.has(e.rule), where).toBe(true);
        expect(e.file.length, where).toBeGreaterThan(0);
        expect(e.why.length, where).toBeGreaterThan(10);
        if (e.line !== undefined) expect(Number.isInteger(e.line) && e.line > 0, where).toBe(true);
      }
      for (const e of r.silent) {
        expect(['noise', 'wrong', 'correct'], `${r.repo} ${e.rule} ${e.file}`).toContain(e.kind);
        // A wrong finding says which code pattern causes it, for the rule's author.
        if (e.kind === 'wrong') expect(e.cause?.length ?? 0, `${r.repo} ${e.rule} ${e.file}`).toBeGreaterThan(10);
      }
    }
  });

  it('names a production pool for every repository', () => {
    for (const r of manifest.repositories) {
      expect(r.pools.length, r.repo).toBeGreaterThan(0);
      for (const p of r.pools) {
        expect(Number.isInteger(p.line) && p.line > 0, `${r.repo} ${p.file}`).toBe(true);
        if (p.max !== undefined && p.max !== null) expect(p.max, `${r.repo} ${p.file}`).toBeGreaterThan(0);
        expect(p.why.length, `${r.repo} ${p.file}`).toBeGreaterThan(5);
      }
    }
  });
});
