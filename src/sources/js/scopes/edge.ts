import ts from '../typescript.cjs';
import { propertyNameText, unwrap } from './ast.js';
import { importsFrom, type ModuleIndex } from './module-index.js';
import type { PathTraits } from './paths.js';

export interface RuntimeSignals {
  /** The module runs on an edge runtime, where a socket cannot outlive the request. */
  edge: boolean;
  /** `export const runtime = 'nodejs'` (Next.js route segment config): not edge, even for middleware. */
  nodejs: boolean;
}

/**
 * File-level runtime signals:
 * - Next.js route segment config `export const runtime = 'edge'` (also `'experimental-edge'`)
 *   and the Pages Router / Vercel form `export const config = { runtime: 'edge' }`
 *   (https://nextjs.org/docs/app/api-reference/file-conventions/route-segment-config#runtime);
 * - Cloudflare Workers modules (`cloudflare:workers`, `cloudflare:sockets`, Workers types,
 *   `hono/cloudflare-workers`, `@cloudflare/next-on-pages`);
 * - Netlify Edge Functions by path (`netlify/edge-functions/`).
 * The Workers module shape (`export default { fetch }`) and Pages Functions (`onRequest`)
 * are recognised where their handlers are found.
 */
export function runtimeSignals(index: ModuleIndex, traits: PathTraits): RuntimeSignals {
  const runtime = exportedRuntime(index);
  const edge =
    runtime === 'edge' ||
    runtime === 'experimental-edge' ||
    traits.netlifyEdgeFunction ||
    importsFrom(index, (m) => m.startsWith('cloudflare:') || m === '@cloudflare/workers-types' || m === 'hono/cloudflare-workers' || m === '@cloudflare/next-on-pages');
  return { edge, nodejs: runtime === 'nodejs' };
}

function exportedRuntime(index: ModuleIndex): string | undefined {
  const direct = stringInit(index.exports.get('runtime'));
  if (direct !== undefined) return direct;
  const config = index.exports.get('config');
  const init = config && ts.isVariableDeclaration(config) ? config.initializer : undefined;
  const obj = init ? unwrap(init) : undefined;
  if (obj && ts.isObjectLiteralExpression(obj)) {
    for (const p of obj.properties) {
      if (ts.isPropertyAssignment(p) && propertyNameText(p.name) === 'runtime' && ts.isStringLiteralLike(unwrap(p.initializer))) {
        return (unwrap(p.initializer) as ts.StringLiteralLike).text;
      }
    }
  }
  return undefined;
}

function stringInit(node: ts.Node | undefined): string | undefined {
  if (!node || !ts.isVariableDeclaration(node) || !node.initializer) return undefined;
  const v = unwrap(node.initializer);
  return ts.isStringLiteralLike(v) ? v.text : undefined;
}
