import { isAbsolute, relative } from 'node:path';

/** What a file's place in the repository says about how it is run. */
export interface PathTraits {
  /** Next.js App Router route handler: `app/**​/route.ts`. */
  nextAppRoute: boolean;
  /** Next.js App Router page (a Server Component rendered per request): `app/**​/page.tsx`. */
  nextAppPage: boolean;
  /** Next.js Pages Router API route: `pages/api/**`. */
  nextPagesApi: boolean;
  /** Netlify Functions: `netlify/functions/**`. */
  netlifyFunction: boolean;
  /** Netlify Edge Functions (Deno, edge): `netlify/edge-functions/**`. */
  netlifyEdgeFunction: boolean;
  /** Vercel Functions: `api/**` at the project root (known only when the root is). */
  vercelApi: boolean;
  /** Cloudflare Pages Functions: `functions/**` at the project root (known only when the root is). */
  cloudflarePagesFunction: boolean;
  /** SvelteKit endpoint: `+server.ts`. */
  svelteKitEndpoint: boolean;
}

const CODE_EXT = String.raw`\.(?:[cm]?[jt]s|[jt]sx)$`;

/**
 * Classifies a file by its path. With `root`, the path is taken relative to it, so
 * directories above the repository (`/srv/app/…`) cannot match; root-anchored
 * conventions (`api/`, `functions/`) are only recognised with a root.
 */
export function pathTraits(file: string, root?: string): PathTraits {
  let rel = file.replace(/\\/g, '/');
  let anchored = false;
  if (root !== undefined) {
    const r = relative(root, file).replace(/\\/g, '/');
    if (!r.startsWith('../') && r !== '..' && !isAbsolute(r)) {
      rel = r;
      anchored = true;
    }
  }
  const segs = rel.split('/').filter((s) => s !== '' && s !== '.');
  const base = segs[segs.length - 1] ?? '';
  const dirs = segs.slice(0, -1);
  const hasDir = (name: string) => dirs.includes(name);
  const hasPair = (a: string, b: string) => dirs.some((d, i) => d === a && dirs[i + 1] === b);
  // Next.js: route groups `(shop)` and private folders live below app/, the convention only needs an app/ ancestor.
  return {
    nextAppRoute: hasDir('app') && new RegExp(`^route${CODE_EXT}`).test(base),
    nextAppPage: hasDir('app') && new RegExp(`^page${CODE_EXT}`).test(base),
    nextPagesApi: hasPair('pages', 'api'),
    netlifyFunction: hasPair('netlify', 'functions'),
    netlifyEdgeFunction: hasPair('netlify', 'edge-functions'),
    vercelApi: anchored && dirs[0] === 'api',
    cloudflarePagesFunction: anchored && dirs[0] === 'functions',
    svelteKitEndpoint: new RegExp(`^\\+server${CODE_EXT}`).test(base),
  };
}
