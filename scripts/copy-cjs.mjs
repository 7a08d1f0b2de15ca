// tsc does not emit the CommonJS files of src/ (src/sources/js/typescript.cjs, src/core/code-cache.cjs):
// each is copied to the same place under dist/src/, as `npm run build` and the GitHub Action's own
// build (action.yml) need them.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile() && e.name.endsWith('.cjs')) {
      const to = join(root, 'dist', 'src', relative(src, p));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(p, to);
    }
  }
};
walk(src);
