import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: { dir: string | undefined } | undefined;

/** The directory of pgconn-lint's own package.json above this module (src/ in tests, dist/src/ or dist/bundle/ when built); looked up once. */
export function packageRoot(): string | undefined {
  root ??= { dir: findPackageRoot() };
  return root.dir;
}

function findPackageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string };
      if (pkg.name === 'pgconn-lint') return dir;
    }
    dir = dirname(dir);
  }
  return undefined;
}

/** pgconn-lint's version, read from its package.json. */
export function packageVersion(): string {
  const root = packageRoot();
  if (root === undefined) return '0.0.0';
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
