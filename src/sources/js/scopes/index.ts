/**
 * Request scopes: the functions of a module that run once per request or invocation
 * (serverless handlers, Next.js routes and Server Actions, HTTP framework callbacks,
 * NestJS handlers and request-scoped providers, edge fetch handlers), with what they
 * do to the connection objects they create (closed, kept in a cache).
 */
import ts from '../typescript.cjs';
import { relative } from 'node:path';
import type { JsModuleContext, RequestScope, ScopeCloseTarget } from '../types.js';
import { POOL_CLOSE_METHODS } from '../lifecycle/resources.js';
import { directives, propertyNameText, SK, unwrap, type FunctionNode } from './ast.js';
import { runtimeSignals } from './edge.js';
import { exportedHandlers, type DetectedScope } from './exported-handlers.js';
import { indirectPools } from './indirect.js';
import { scopeLifetime } from './lifetime.js';
import { indexModule } from './module-index.js';
import { nestScopes } from './nest.js';
import { pathTraits } from './paths.js';
import { frameworkInstance, REGISTRATION_NAMES, routeCallbacks } from './routes.js';
import { forEachNodeOfKinds, kindMask } from '../walk.js';

/** The nodes the module pass looks at. */
const VISITED_KINDS = kindMask([
  SK.VariableDeclaration,
  SK.CallExpression,
  SK.ClassDeclaration,
  SK.ClassExpression,
  SK.FunctionDeclaration,
  SK.FunctionExpression,
  SK.ArrowFunction,
  SK.MethodDeclaration,
]);

export { pathTraits, type PathTraits } from './paths.js';
export { constructionHead, isServerlessScope, rangeContains, requestScopeAt, wrappersOf, wrapsInlineDefinition } from './lookup.js';

export interface FindRequestScopesOptions {
  /** The repository root: path conventions are matched relative to it (`api/`, `functions/` need it). */
  root?: string;
}

export function findRequestScopes(ctx: JsModuleContext, options: FindRequestScopesOptions = {}): RequestScope[] {
  const sf = ctx.sourceFile;
  const index = indexModule(sf);
  const traits = pathTraits(ctx.file, options.root);
  const runtime = runtimeSignals(index, traits);
  const exported = exportedHandlers(index, traits, runtime);
  const detected: DetectedScope[] = [...exported.scopes];
  let edgeModule = runtime.edge || exported.edgeModule;

  const instances = new Map<string, string>();
  const calls: ts.CallExpression[] = [];
  forEachNodeOfKinds(sf, VISITED_KINDS, (node) => {
    switch (node.kind) {
      case SK.VariableDeclaration: {
        const inst = frameworkInstance(node as ts.VariableDeclaration);
        if (inst) instances.set(inst[0], inst[1]);
        break;
      }
      case SK.CallExpression: {
        const callee = (node as ts.CallExpression).expression;
        const name = callee.kind === SK.Identifier ? (callee as ts.Identifier).text : callee.kind === SK.PropertyAccessExpression ? (callee as ts.PropertyAccessExpression).name.text : undefined;
        if (name !== undefined && REGISTRATION_NAMES.has(name)) calls.push(node as ts.CallExpression);
        break;
      }
      case SK.ClassDeclaration:
      case SK.ClassExpression:
        detected.push(...nestScopes(node as ts.ClassLikeDeclaration));
        break;
      case SK.FunctionDeclaration:
      case SK.FunctionExpression:
      case SK.ArrowFunction:
      case SK.MethodDeclaration: {
        const body = (node as FunctionNode).body;
        if (body !== undefined && body.kind === SK.Block && directives((body as ts.Block).statements).includes('use server')) {
          detected.push({ node, kind: 'next-route', description: `Next.js Server Action \`${functionName(node) ?? 'inline'}\`` });
        }
        break;
      }
    }
  });
  for (const call of calls) {
    const found = routeCallbacks(call, index, instances);
    if (found.some((f) => f.kind === 'edge-fetch')) edgeModule = true;
    detected.push(...found);
  }

  const seen = new Set<ts.Node>();
  const scopes: RequestScope[] = [];
  for (const d of detected.sort((a, b) => a.node.pos - b.node.pos)) {
    if (seen.has(d.node)) continue;
    seen.add(d.node);
    const { closes, keeps } = scopeLifetime(d.node, (n) => ctx.rangeOf(n), (receiver, method) => closeTargetOf(ctx, receiver, method, options.root));
    const scope: RequestScope = {
      file: ctx.file,
      range: ctx.rangeOf(d.node),
      kind: d.kind,
      description: d.description,
      edge: d.edge ?? edgeModule,
    };
    if (closes.length > 0) scope.closes = closes;
    if (keeps.length > 0) scope.keeps = keeps;
    const indirect = indirectPools(d.node, ctx);
    if (indirect.length > 0) scope.indirectPools = indirect;
    scopes.push(scope);
  }
  return scopes;
}

function functionName(fn: ts.Node): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && fn.name) return propertyNameText(fn.name);
  const parent = fn.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent)) return propertyNameText(parent.name);
  return undefined;
}

/**
 * What a close call in a request scope closes: a pool or client the receiver resolves to, when
 * the method is that library's close method, and whether every request shares it.
 */
function closeTargetOf(ctx: JsModuleContext, receiver: ts.Expression, method: string, root: string | undefined): ScopeCloseTarget | undefined {
  let ref;
  try {
    ref = ctx.resolveConnectionObject(receiver);
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
  if (ref === undefined || (ref.kind !== 'pool' && ref.kind !== 'client')) return undefined;
  if (!(POOL_CLOSE_METHODS[ref.library] ?? []).includes(method)) return undefined;
  const where = (r: { file: string; line: number }) => `${root !== undefined ? relative(root, r.file).split('\\').join('/') : r.file}:${r.line}`;
  const def = ref.definition;
  if (def !== undefined) {
    const base = { library: ref.library, kind: ref.kind, poolId: def.id, definedAt: def.range };
    if (def.construct.startsWith('class ')) return { ...base, shared: true, sharedBecause: `${def.construct.replace(/^class (\S+).*$/, '$1')} at ${where(def.range)}, a provider the application creates once` };
    if (def.scope.kind === 'module') return { ...base, shared: true, sharedBecause: `created once at module scope, ${where(def.range)}` };
    if (def.scope.lazySingleton) return { ...base, shared: true, sharedBecause: `created once and cached, ${where(def.range)}` };
    return { ...base, shared: false };
  }
  // No definition: a member typed as a pool or client of a decorated class is injected, and a
  // NestJS provider is one instance per application unless request-scoped
  // (https://docs.nestjs.com/fundamentals/injection-scopes).
  const e = unwrap(receiver);
  if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) {
    let cls: ts.Node | undefined = e.parent;
    while (cls !== undefined && !ts.isClassLike(cls)) cls = cls.parent;
    if (cls !== undefined && ts.isClassLike(cls) && ts.canHaveDecorators(cls) && (ts.getDecorators(cls) ?? []).length > 0) {
      return { library: ref.library, kind: ref.kind, shared: true, sharedBecause: `injected into ${cls.name?.text ?? 'the class'}, one instance for the whole application` };
    }
  }
  return undefined;
}
