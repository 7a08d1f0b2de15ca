import ts from '../typescript.cjs';
import type { RequestScope } from '../types.js';
import { isFunctionNode, propertyNameText, unwrap, type FunctionNode } from './ast.js';
import { importsFrom, namesImportedFrom, resolveFunctions, type ModuleIndex } from './module-index.js';
import type { PathTraits } from './paths.js';
import type { RuntimeSignals } from './edge.js';

/** A function (or class) found to run per request, before ranges and lifetimes are computed. */
export interface DetectedScope {
  node: ts.Node;
  kind: RequestScope['kind'];
  description: string;
  /** Overrides the file's runtime (Workers handlers are edge; Next.js middleware is edge unless `runtime = 'nodejs'`). */
  edge?: boolean;
}

export interface ExportedHandlers {
  scopes: DetectedScope[];
  /** The exports prove the module runs on an edge runtime: a Workers module (`export default { fetch }`) or a Pages Function. */
  edgeModule: boolean;
}

const HTTP_METHOD_EXPORTS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
/** Cloudflare Workers module handlers (https://developers.cloudflare.com/workers/runtime-apis/handlers/). */
const WORKER_HANDLERS = new Set(['fetch', 'scheduled', 'queue', 'email', 'tail', 'trace']);
/** Cloudflare Pages Functions (https://developers.cloudflare.com/pages/functions/api-reference/). */
const PAGES_FUNCTION = /^onRequest(?:Get|Post|Put|Patch|Delete|Head|Options)?$/;

/** Handlers the platform calls by their exported name or as the default export. */
export function exportedHandlers(index: ModuleIndex, traits: PathTraits, runtime: RuntimeSignals): ExportedHandlers {
  const out: DetectedScope[] = [];
  let edgeModule = false;
  const add = (node: ts.Node | undefined, kind: RequestScope['kind'], description: string, extra: Partial<DetectedScope> = {}) => {
    for (const fn of resolveFunctions(index, node)) out.push({ node: fn, kind, description, ...extra });
  };
  const lambdaTypes = namesImportedFrom(index, (m) => m === 'aws-lambda');
  const netlify = traits.netlifyFunction || importsFrom(index, (m) => m === '@netlify/functions');
  const vercel = traits.vercelApi || importsFrom(index, (m) => m === '@vercel/node');
  const nextServer = importsFrom(index, (m) => m === 'next/server');
  const nextApiTypes = namesImportedFrom(index, (m) => m === 'next');
  const remix = importsFrom(index, (m) => m.startsWith('@remix-run/') || m === 'react-router' || m.startsWith('@react-router/'));
  const platform = netlify ? 'Netlify function' : vercel ? 'Vercel function' : 'exported Lambda handler';

  for (const [name, node] of index.exports) {
    if (name === 'default') continue;
    if (name === 'handler' || mentionsAny(node, lambdaTypes)) {
      const before = out.length;
      add(node, 'serverless-handler', `${platform} \`${name}\``);
      // `export const handler = serverless(app)` (serverless-http and similar): the app's routes
      // run per invocation; the call marks the module as a function deployment.
      const call = ts.isVariableDeclaration(node) ? node.initializer : ts.isExpression(node) ? node : undefined;
      if (out.length === before && call && ts.isCallExpression(unwrap(call))) out.push({ node: unwrap(call), kind: 'serverless-handler', description: `${platform} \`${name}\`` });
    } else if (HTTP_METHOD_EXPORTS.has(name)) {
      if (traits.nextAppRoute || nextServer) add(node, 'next-route', `Next.js route handler \`${name}\``);
      else if (vercel) add(node, 'serverless-handler', `Vercel function \`${name}\``);
      else if (traits.svelteKitEndpoint || importsFrom(index, (m) => m.startsWith('@sveltejs/kit'))) add(node, 'http-route', `SvelteKit endpoint \`${name}\``);
      else if (importsFrom(index, (m) => m === 'astro')) add(node, 'http-route', `Astro endpoint \`${name}\``);
    } else if ((name === 'middleware' || name === 'proxy') && nextServer) {
      // Next.js middleware ran on the Edge runtime by default (nodejs opt-in since 15.5);
      // Next.js 16 `proxy` runs on Node.js (https://nextjs.org/docs/app/api-reference/file-conventions/proxy).
      add(node, 'next-route', `Next.js ${name}`, { edge: name === 'middleware' && !runtime.nodejs });
    } else if (name === 'getServerSideProps') {
      add(node, 'next-route', 'Next.js getServerSideProps');
    } else if (PAGES_FUNCTION.test(name)) {
      edgeModule = true;
      add(node, 'edge-fetch', `Cloudflare Pages Function \`${name}\``, { edge: true });
    } else if ((name === 'loader' || name === 'action') && remix) {
      add(node, 'http-route', `Remix ${name}`);
    } else if (index.useServer && isAsyncFunctionExport(index, node)) {
      add(node, 'next-route', `Next.js Server Action \`${name}\``);
    }
  }

  const def = index.exports.get('default');
  if (def) {
    const worker = workerObject(index, def);
    if (worker) {
      edgeModule = true;
      for (const [method, fn] of worker) out.push({ node: fn, kind: 'edge-fetch', description: `Cloudflare Worker \`${method}\` handler`, edge: true });
    } else if (traits.nextPagesApi || mentionsAny(def, nextApiTypes)) {
      add(def, 'next-api', 'Next.js API route (default export)');
    } else if (traits.netlifyEdgeFunction) {
      add(def, 'edge-fetch', 'Netlify Edge Function (default export)', { edge: true });
    } else if (netlify) {
      add(def, 'serverless-handler', 'Netlify function (default export)');
    } else if (vercel) {
      add(def, 'serverless-handler', 'Vercel function (default export)');
    } else if (traits.nextAppPage) {
      add(def, 'next-route', 'Next.js page (Server Component)');
    } else if (index.useServer && isAsyncFunctionExport(index, def)) {
      add(def, 'next-route', 'Next.js Server Action (default export)');
    }
  }
  return { scopes: out, edgeModule };
}

/** `export default { fetch(req, env, ctx) {…} }` (also through a local `const worker = {…}`). */
function workerObject(index: ModuleIndex, def: ts.Node): Array<[string, FunctionNode]> | undefined {
  let e: ts.Node = def;
  if (ts.isIdentifier(e)) e = index.topLevel.get(e.text) ?? e;
  if (!ts.isExpression(e)) return undefined;
  const obj = unwrap(e);
  if (!ts.isObjectLiteralExpression(obj)) return undefined;
  // A `fetch` member makes it a Workers module; `{ fetch: app.fetch }` (Hono on Workers) has no function of its own here.
  if (!obj.properties.some((p) => propertyNameText(p.name) === 'fetch')) return undefined;
  const out: Array<[string, FunctionNode]> = [];
  for (const p of obj.properties) {
    const name = propertyNameText(p.name);
    if (name === undefined || !WORKER_HANDLERS.has(name)) continue;
    if (ts.isMethodDeclaration(p)) out.push([name, p]);
    else if (ts.isPropertyAssignment(p)) for (const fn of resolveFunctions(index, p.initializer)) out.push([name, fn]);
    else if (ts.isShorthandPropertyAssignment(p)) for (const fn of resolveFunctions(index, p.name)) out.push([name, fn]);
  }
  return out;
}

/** Does a declaration's type annotation or a parameter's type mention one of `names` (`Handler`, `APIGatewayProxyEvent`, `NextApiRequest`)? */
function mentionsAny(node: ts.Node, names: Set<string>): boolean {
  if (names.size === 0) return false;
  const typeTexts: string[] = [];
  if (ts.isVariableDeclaration(node) && node.type) typeTexts.push(node.type.getText());
  const fn = ts.isVariableDeclaration(node) ? node.initializer && unwrap(node.initializer) : ts.isExpression(node) ? unwrap(node) : node;
  if (fn && isFunctionNode(fn)) for (const p of fn.parameters) if (p.type) typeTexts.push(p.type.getText());
  return typeTexts.some((t) => [...names].some((n) => new RegExp(`\\b${n.replace(/\$/g, '\\$')}\\b`).test(t)));
}

/** Server Actions are async functions exported from a `'use server'` module. */
function isAsyncFunctionExport(index: ModuleIndex, node: ts.Node): boolean {
  return resolveFunctions(index, node).some((fn) => (ts.getModifiers(fn) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword));
}
