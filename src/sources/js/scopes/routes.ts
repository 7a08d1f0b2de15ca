import ts from '../typescript.cjs';
import { calledName, dottedName, propertyNameText, stringPrefix, unwrap } from './ast.js';
import { resolveFunctions, type ModuleIndex } from './module-index.js';
import type { DetectedScope } from './exported-handlers.js';

/** Route registration methods shared by Express, Fastify (shorthand), Koa Router and Hono. */
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'options', 'head', 'all']);
/** Fastify request lifecycle hooks (https://fastify.dev/docs/latest/Reference/Hooks/#requestreply-hooks). */
const FASTIFY_REQUEST_HOOKS = new Set(['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', 'onResponse', 'onError', 'onTimeout', 'onRequestAbort']);
/** Route-option properties whose functions run per request (Fastify `route({ handler, preHandler })`, h3 `{ handler }`). */
const HANDLER_PROPERTIES = new Set(['handler', ...FASTIFY_REQUEST_HOOKS]);
/** Factories of app/router objects, by the name they are called with. */
const FRAMEWORK_FACTORIES = new Map<string, string>(Object.entries({
  express: 'Express',
  'express.Router': 'Express',
  Router: 'Router',
  Hono: 'Hono',
  Koa: 'Koa',
  Fastify: 'Fastify',
  fastify: 'Fastify',
  Elysia: 'Elysia',
  createApp: 'h3',
  createRouter: 'h3',
}));
/** Receivers that look like an app or router when their origin is not visible (a parameter, `this.app`). */
const APP_LIKE_NAME = /^(?:app|router|server|fastify|instance|koa|hono|routes?|v\d+)$|(?:App|Router|Server|Routes)$/;
/** Modules whose `get('/x', fn)` is not a server route (HTTP clients, request mocking in tests). */
const NOT_SERVER_MODULES = new Set(['msw', 'nock', 'supertest', 'axios', 'got', 'superagent', 'ky', 'undici']);
/** Receivers whose `get(url, callback)` is an HTTP client call: Node's `http.get(url, (res) => …)`. */
const HTTP_CLIENT_RECEIVERS = new Set(['http', 'https', 'http2', 'axios', 'got', 'request', 'superagent', 'ky', 'fetch', 'client', 'api']);

/** Names a call must have to register a per-request callback (a cheap filter before `routeCallbacks`). */
export const REGISTRATION_NAMES = new Set([
  ...ROUTE_METHODS, 'use', 'route', 'addHook', 'on', 'createServer', 'serve',
  'defineEventHandler', 'eventHandler', 'defineCachedEventHandler', 'addEventListener',
]);

/** Local names bound to a framework app or router: `const app = express()`, `const router = new Router()`. */
export function frameworkInstance(decl: ts.VariableDeclaration): [string, string] | undefined {
  if (!ts.isIdentifier(decl.name) || !decl.initializer) return undefined;
  const init = unwrap(decl.initializer);
  if (!ts.isCallExpression(init) && !ts.isNewExpression(init)) return undefined;
  const callee = dottedName(init.expression);
  if (callee === undefined) return undefined;
  const framework = FRAMEWORK_FACTORIES.get(callee) ?? FRAMEWORK_FACTORIES.get(callee.split('.').pop()!);
  return framework ? [decl.name.text, framework] : undefined;
}

/**
 * Callbacks registered to run per request by a call:
 * `app.get('/x', fn)`, `router.post('name', '/x', mw, fn)`, `app.route('/x').get(fn)`,
 * `app.use(fn)`, `fastify.route({ url, handler })`, `fastify.addHook('onRequest', fn)`,
 * `app.on('GET', '/x', fn)` (Hono), `http.createServer(fn)`, `defineEventHandler(fn)` (h3/Nuxt),
 * `Bun.serve({ fetch })`, `Deno.serve(fn)`, `addEventListener('fetch', fn)` (Service Worker syntax, edge).
 */
export function routeCallbacks(call: ts.CallExpression, index: ModuleIndex, instances: Map<string, string>): DetectedScope[] {
  const callee = unwrap(call.expression);
  const args = call.arguments;
  const functionsIn = (nodes: readonly ts.Expression[]) => nodes.flatMap((a) => [...resolveFunctions(index, a), ...handlerProperties(index, a)]);
  const http = (fns: ts.Node[], description: string): DetectedScope[] => fns.map((node) => ({ node, kind: 'http-route', description }));

  if (ts.isIdentifier(callee)) {
    const name = callee.text;
    if (name === 'defineEventHandler' || name === 'eventHandler' || name === 'defineCachedEventHandler') return http(functionsIn(args.slice(0, 1)), `h3 event handler (${name})`);
    if (name === 'createServer' && /^(?:node:)?https?2?$/.test(index.imports.get(name) ?? '')) return http(functionsIn(args), 'Node.js HTTP request listener (createServer)');
    if (name === 'addEventListener' && args.length >= 2 && stringPrefix(args[0]!) === 'fetch') {
      return functionsIn(args.slice(1, 2)).map((node) => ({ node, kind: 'edge-fetch', description: "Service Worker fetch listener (addEventListener('fetch'))", edge: true }));
    }
    return [];
  }
  if (!ts.isPropertyAccessExpression(callee)) return [];
  const method = callee.name.text;
  const receiver = unwrap(callee.expression);
  const receiverName = dottedName(receiver);
  const rootName = receiverName?.split('.')[0];
  if (rootName !== undefined && NOT_SERVER_MODULES.has(index.imports.get(rootName) ?? '')) return [];
  if (receiverName !== undefined && HTTP_CLIENT_RECEIVERS.has(receiverName) && !instances.has(receiverName) && method !== 'createServer') return [];
  const lastName = receiverName?.split('.').pop();
  const framework = (lastName !== undefined ? instances.get(lastName) : undefined) ?? frameworkOfModule(index);
  const appLike = lastName !== undefined && (instances.has(lastName) || APP_LIKE_NAME.test(lastName));
  const label = `${framework ?? 'HTTP'} route callback`;

  if (ROUTE_METHODS.has(method)) {
    // `app.route('/x').get(fn)` (Express): the path is on the inner call.
    const routeCall = expressRouteCall(receiver);
    if (routeCall) return http(functionsIn(args), `${label} (${shortText(routeCall)}.${method})`);
    let i = 0;
    let path: string | undefined;
    // Koa Router takes an optional route name before the path.
    while (i < args.length && i < 2 && isPathLike(args[i]!)) {
      if (isPathArg(args[i]!)) path = stringPrefix(args[i]!) ?? '…';
      i++;
    }
    if (path === undefined && !(appLike && i > 0)) return [];
    return http(functionsIn(args.slice(i)), `${label} (${receiverName ?? 'app'}.${method} '${path ?? '…'}')`);
  }
  if (method === 'use' && appLike) {
    return http(functionsIn(args.filter((a) => !isPathLike(a))), `${framework ?? 'HTTP'} middleware (${receiverName}.use)`);
  }
  if (method === 'route' && args.length === 1 && ts.isObjectLiteralExpression(unwrap(args[0]!))) {
    return http(handlerProperties(index, args[0]!), `${framework ?? 'Fastify'} route handler (${receiverName ?? 'fastify'}.route)`);
  }
  if (method === 'addHook' && args.length >= 2 && FASTIFY_REQUEST_HOOKS.has(stringPrefix(args[0]!) ?? '')) {
    return http(functionsIn(args.slice(1)), `Fastify ${stringPrefix(args[0]!)} hook`);
  }
  if (method === 'on' && args.length >= 3 && isPathLike(args[0]!) && isPathArg(args[1]!)) {
    return http(functionsIn(args.slice(2)), `${framework ?? 'Hono'} route callback (${receiverName}.on)`);
  }
  if (method === 'createServer' && (receiverName === 'http' || receiverName === 'https' || receiverName === 'http2')) {
    return http(functionsIn(args), `Node.js HTTP request listener (${receiverName}.createServer)`);
  }
  if (method === 'serve' && receiverName === 'Bun' && args[0]) return http(handlerProperties(index, args[0], new Set(['fetch'])), 'Bun.serve fetch handler');
  if (method === 'serve' && receiverName === 'Deno') return http(functionsIn(args), 'Deno.serve handler');
  return [];
}

/** The `app.route('/x')` call under `app.route('/x').get(a).post(b)`. */
function expressRouteCall(receiver: ts.Expression): ts.CallExpression | undefined {
  let e = receiver;
  while (ts.isCallExpression(e)) {
    const name = calledName(e);
    if (name === 'route') return e.arguments[0] && isPathArg(e.arguments[0]) ? e : undefined;
    const callee = unwrap(e.expression);
    if (!ROUTE_METHODS.has(name ?? '') || !ts.isPropertyAccessExpression(callee)) return undefined;
    e = unwrap(callee.expression);
  }
  return undefined;
}

/** Functions under per-request property names of an options object (`{ handler, preHandler }`). */
function handlerProperties(index: ModuleIndex, arg: ts.Expression, names: Set<string> = HANDLER_PROPERTIES): ts.Node[] {
  const obj = unwrap(arg);
  if (!ts.isObjectLiteralExpression(obj)) return [];
  const out: ts.Node[] = [];
  for (const p of obj.properties) {
    const name = propertyNameText(p.name);
    if (name === undefined || !names.has(name)) continue;
    if (ts.isMethodDeclaration(p)) out.push(p);
    else if (ts.isPropertyAssignment(p)) {
      const v = unwrap(p.initializer);
      // `preHandler: [auth, check]`
      if (ts.isArrayLiteralExpression(v)) for (const el of v.elements) out.push(...resolveFunctions(index, el));
      else out.push(...resolveFunctions(index, p.initializer));
    }
  }
  return out;
}

/** A route path: `'/users'`, `` `/users/${id}` ``, `'*'`, a RegExp, or an array of them. */
function isPathArg(arg: ts.Expression): boolean {
  const e = unwrap(arg);
  if (ts.isRegularExpressionLiteral(e)) return true;
  if (ts.isArrayLiteralExpression(e)) return e.elements.length > 0 && e.elements.every((el) => isPathArg(el));
  const s = stringPrefix(e);
  return s !== undefined && (s.startsWith('/') || s === '*');
}

/** A string-ish leading argument (a path, a Koa Router route name, Hono's method list). */
function isPathLike(arg: ts.Expression): boolean {
  const e = unwrap(arg);
  return stringPrefix(e) !== undefined || ts.isRegularExpressionLiteral(e) || (ts.isArrayLiteralExpression(e) && e.elements.every((el) => stringPrefix(el) !== undefined));
}

function frameworkOfModule(index: ModuleIndex): string | undefined {
  for (const m of index.importedModules) {
    if (m === 'express') return 'Express';
    if (m === 'fastify') return 'Fastify';
    if (m === 'koa' || m === '@koa/router' || m === 'koa-router') return 'Koa';
    if (m === 'hono' || m.startsWith('hono/')) return 'Hono';
  }
  return undefined;
}

function shortText(node: ts.Node): string {
  const t = node.getText().replace(/\s+/g, ' ');
  return t.length > 40 ? `${t.slice(0, 39)}…` : t;
}
