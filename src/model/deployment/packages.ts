import { inside } from '../../core/paths.js';
import { basename, dirname, relative } from 'node:path';
import type { PackageFacts } from '../project.js';

/** The repository's packages (ProjectFacts.packages), looked up by directory, by name and by what a command calls them. */
export class PackageIndex {
  private readonly byDir: Map<string, PackageFacts>;

  constructor(
    readonly root: string,
    readonly packages: readonly PackageFacts[],
  ) {
    this.byDir = new Map(packages.map((p) => [p.dir, p]));
  }

  /**
   * A package's directory and those of the workspace packages it depends on, transitively: a
   * bundler or `node_modules` link puts their code in the same process (`apps/api` → `packages/db`).
   */
  withDependencies(dir: string): string[] {
    const start = this.byDir.get(dir);
    if (!start) return [dir];
    const byName = new Map(this.packages.filter((p) => p.name !== undefined).map((p) => [p.name!, p]));
    const seen = new Set<PackageFacts>([start]);
    const queue = [start];
    while (queue.length > 0) {
      const p = queue.shift()!;
      for (const n of p.dependencies) {
        const d = byName.get(n);
        if (d && !seen.has(d) && d.dir !== this.root) {
          seen.add(d);
          queue.push(d);
        }
      }
    }
    return [...seen].map((p) => p.dir);
  }

  /** The package whose directory is `dir`. */
  at(dir: string): PackageFacts | undefined {
    return this.byDir.get(dir);
  }

  /** The nearest package at or above `dir`, up to the repository root. */
  containing(dir: string): PackageFacts | undefined {
    let d = dir;
    for (;;) {
      const hit = this.byDir.get(d);
      if (hit !== undefined) return hit;
      const up = dirname(d);
      if (d === this.root || up === d || relative(this.root, up).startsWith('..')) return undefined;
      d = up;
    }
  }

  /** The nearest package of a file. */
  of(file: string): PackageFacts | undefined {
    return this.containing(dirname(file));
  }

  /**
   * A workspace as a command names it: `-w api`, `--filter @acme/api`, `yarn workspace api`, `nx serve api`:
   * the package name, its name without scope, or its directory (relative path or last component).
   * Patterns (`--filter ./apps/*`, `...api`) are not followed.
   */
  workspace(name: string, within: string = this.root): PackageFacts | undefined {
    const n = name.replace(/^\.\.\.|\.\.\.$/g, '').replace(/^\{(.*)\}$/, '$1');
    const candidates = this.packages.filter((p) => inside(p.dir, within));
    return (
      candidates.find((p) => p.name === n) ??
      candidates.find((p) => p.name?.replace(/^@[^/]+\//, '') === n) ??
      candidates.find((p) => relative(within, p.dir).split('\\').join('/') === n.replace(/^\.\//, '').replace(/\/$/, '')) ??
      candidates.find((p) => p.dir !== within && basename(p.dir) === n)
    );
  }
}

export { inside };
