/**
 * Finds connections acquired by hand (`await pool.connect()`, `createQueryRunner()`,
 * `new Client()` + `connect()`, unmanaged knex/Sequelize transactions, postgres.js
 * `sql.reserve()`) and classifies every reference to the variable holding one.
 */
import ts from '../typescript.cjs';
import type { ConnectionObjectKind, ConnectionObjectRef, JsLibrary, JsModuleContext } from '../types.js';
import { bindsName, descendants, enclosingFunction, importedBindings, importedLibraries, isFunctionLike, memberName, memberObject, outerOf, shortText, unwrap, type ImportedBinding } from './ast.js';
import { forEachNodeOfKinds, kindMask } from '../walk.js';

/** The nodes this analysis looks at. */
const VISITED_KINDS = kindMask([ts.SyntaxKind.CallExpression, ts.SyntaxKind.NewExpression]);

/** node-postgres and the libraries with its Pool API (neon's Pool, @vercel/postgres `sql`/`db`/`createPool()`). */
const PG_FAMILY: ReadonlySet<JsLibrary> = new Set<JsLibrary>(['pg', 'neon-serverless', 'vercel-postgres']);

/** What this analysis tracks: connections and, when created in a function that closes it, a pool object. */
export type ReleasableKind = ConnectionObjectKind;

/** A connection held in a local variable (or callback parameter) of one function. */
export interface TrackedResource {
  name: string;
  kind: ReleasableKind;
  library: JsLibrary;
  /** The function whose body decides whether it is released. */
  fn: ts.FunctionLikeDeclaration;
  /** Where references count: the block of a `let`/`const`, the function for `var` and parameters. */
  scope: ts.Node;
  /** The node reported as the acquire site. */
  site: ts.Node;
  /** Start and end node of the reported range (`new Client` without its options). */
  siteRange: [ts.Node, ts.Node];
  /** Nodes after whose evaluation the connection is held; empty when held on entry to `fn`. */
  acquireNodes: Set<ts.Node>;
  /** Methods on the variable that give the connection back. */
  releaseMethods: readonly string[];
  /** Plain functions that release it (the `done` of `pool.connect((err, client, done) => …)`). */
  releaseFunctions: readonly string[];
  /** Awaited methods of the variable that are not counted as throw points (see LIFECYCLE_CALLS). */
  quietMethods: readonly string[];
  /** Callback style: when this parameter is truthy, no connection was handed over. */
  errorParam?: string;
  /** The call that acquires it, as written (`pool.connect()`), for messages. */
  acquireText: string;
  /** Held from its first use rather than from one acquire call (TypeORM query runners): acquiring again after a release is not modelled. */
  lazy: boolean;
  /** The result is not kept at all (`await pool.connect();`). */
  discarded: boolean;
  /** The receiver could not be resolved; accepted only when the function releases the variable somewhere. */
  needsReleaseEvidence: boolean;
}

const RELEASE_METHODS: Record<ReleasableKind, readonly string[]> = {
  // pg-pool 3.14 index.js: `client.release = this._releaseOnce(client, idleListener)`.
  'pool-client': ['release'],
  // TypeORM QueryRunner.release(); postgres.js 3.4 src/index.js reserve(): `sql.release = () => …`.
  'query-runner': ['release'],
  reserved: ['release'],
  // pg Client.end() closes the socket.
  client: ['end'],
  // knex docs/src/guide/transactions.md: `transaction` "without a handler function" returns a trx
  // ended by trx.commit()/trx.rollback(); Sequelize v6 docs "Unmanaged transactions": t.commit()/t.rollback().
  transaction: ['commit', 'rollback'],
  // A pool object: the method depends on the library (POOL_CLOSE_METHODS).
  pool: [],
};

/**
 * How each library closes a pool object (pg-pool 3.14 `pool.end()`, postgres.js 3.4 `sql.end()`,
 * knex `destroy()`, Sequelize `close()`, TypeORM DataSource `destroy()` (`close()` before 0.3),
 * Prisma `$disconnect()`, MikroORM `close()`, Kysely `destroy()`).
 */
export const POOL_CLOSE_METHODS: Partial<Record<JsLibrary, readonly string[]>> = {
  pg: ['end'],
  'neon-serverless': ['end'],
  'vercel-postgres': ['end'],
  postgres: ['end'],
  knex: ['destroy'],
  sequelize: ['close'],
  typeorm: ['destroy', 'close'],
  prisma: ['$disconnect'],
  'mikro-orm': ['close'],
  kysely: ['destroy'],
};

/**
 * TypeORM's documented pattern calls `queryRunner.connect()` and `startTransaction()` before the
 * `try` (typeorm docs/transactions.md "Using QueryRunner"): not counted as throw points by the main
 * analysis. A failing `connect()` holds nothing; a failing `startTransaction()` holds the runner,
 * which the leak-window pass (leaks.ts `beforeTryLeak`) reports as a warning.
 */
const LIFECYCLE_CALLS: Record<ReleasableKind, readonly string[]> = {
  'pool-client': [],
  'query-runner': ['connect', 'startTransaction'],
  reserved: [],
  client: ['connect'],
  transaction: [],
  pool: ['connect', 'initialize', '$connect'],
};

export function releaseTextOf(r: Pick<TrackedResource, 'kind' | 'name' | 'releaseFunctions' | 'releaseMethods'>): string {
  if (r.releaseFunctions.length > 0) return `${r.releaseFunctions[0]}()`;
  if (r.kind === 'transaction') return `${r.name}.rollback()`;
  return `${r.name}.${r.releaseMethods[0] ?? RELEASE_METHODS[r.kind][0]}()`;
}

interface FileInfo {
  ctx: JsModuleContext;
  imports: Map<string, ImportedBinding>;
  libraries: Set<JsLibrary>;
}

function resolve(info: FileInfo, expr: ts.Expression): ConnectionObjectRef | undefined {
  try {
    return info.ctx.resolveConnectionObject(expr);
  } catch {
    // The resolver is another module's code: a failure there must not stop this analysis.
    return undefined;
  }
}

/** Does the file import a library of this family (used when a receiver is not resolved)? */
function imports(info: FileInfo, libs: Iterable<JsLibrary>): boolean {
  for (const l of libs) if (info.libraries.has(l)) return true;
  return false;
}

/** Which library's pool this receiver is, when it has the method; `unresolved` when unknown. */
function poolOf(info: FileInfo, obj: ts.Expression | undefined, family: ReadonlySet<JsLibrary>): JsLibrary | 'unresolved' | undefined {
  if (!obj) return undefined;
  const ref = resolve(info, obj);
  if (ref) return ref.kind === 'pool' && family.has(ref.library) ? ref.library : undefined;
  // `@vercel/postgres` exports ready pools: `import { sql, db } from '@vercel/postgres'`.
  const root = unwrap(obj);
  if (ts.isIdentifier(root)) {
    const b = info.imports.get(root.text);
    if (b && info.ctx.libraryOf(b.module) === 'vercel-postgres' && (b.imported === 'sql' || b.imported === 'db') && family.has('vercel-postgres')) return 'vercel-postgres';
    if (b) return undefined; // imported from elsewhere and the resolver does not know it
  }
  return imports(info, family) ? 'unresolved' : undefined;
}

function isFunctionArg(e: ts.Expression | undefined): e is ts.ArrowFunction | ts.FunctionExpression {
  if (!e) return false;
  const u = unwrap(e);
  return ts.isArrowFunction(u) || ts.isFunctionExpression(u);
}

/** `knex.transaction()` / `sequelize.transaction({ isolationLevel })`: no argument can be a callback. */
function hasNoCallbackArg(call: ts.CallExpression): boolean {
  return call.arguments.every((a) => {
    const u = unwrap(a);
    return ts.isObjectLiteralExpression(u) || u.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(u) && u.text === 'undefined');
  });
}

/** Where the value of an acquire expression goes. */
type Binding =
  | { kind: 'declared'; name: string; decl: ts.VariableDeclaration }
  | { kind: 'assigned'; name: string; assignment: ts.BinaryExpression }
  | { kind: 'discarded' };

function bindingOf(site: ts.Node): Binding | undefined {
  const p = site.parent;
  if (!p) return undefined;
  if (ts.isVariableDeclaration(p) && p.initializer === site && ts.isIdentifier(p.name)) {
    const list = p.parent;
    // `await using` / `using`: disposed by the language (Symbol.asyncDispose).
    if (ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Using) !== 0) return undefined;
    return { kind: 'declared', name: p.name.text, decl: p };
  }
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === site && ts.isIdentifier(unwrap(p.left))) {
    if (ts.isExpressionStatement(outerOf(p).parent)) return { kind: 'assigned', name: (unwrap(p.left) as ts.Identifier).text, assignment: p };
    return undefined;
  }
  if (ts.isExpressionStatement(p)) return { kind: 'discarded' };
  return undefined;
}

/** The block a `let`/`const` lives in, or the function for `var`. */
function scopeOfDeclaration(decl: ts.VariableDeclaration, fn: ts.FunctionLikeDeclaration): ts.Node {
  const list = decl.parent;
  if (ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.BlockScoped) !== 0) {
    for (let n: ts.Node | undefined = list.parent; n && n !== fn; n = n.parent) {
      if (ts.isBlock(n) || ts.isCaseBlock(n) || ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n)) {
        // A `for (const x …)` header binds in the loop; a declaration statement binds in its block.
        if (ts.isBlock(n) || ts.isCaseBlock(n)) return n;
        if (list.parent === n) return n;
      }
    }
  }
  return fn;
}

/** The local `let`/`var` declaration of `name` in `fn` (not in a nested function), if any. */
function localDeclaration(fn: ts.FunctionLikeDeclaration, name: string): ts.VariableDeclaration | undefined {
  if (!fn.body) return undefined;
  for (const n of descendants(fn.body)) {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && enclosingFunction(n) === fn) return n;
  }
  return undefined;
}

/** Every connection acquired by hand in the file that can be followed in one function. */
export function findTrackedResources(ctx: JsModuleContext): TrackedResource[] {
  const sf = ctx.sourceFile;
  const imported = importedBindings(sf);
  const info: FileInfo = { ctx, imports: imported, libraries: importedLibraries(ctx, imported) };
  const out: TrackedResource[] = [];
  // Cheap text test first: most modules never acquire anything by hand.
  if (!ACQUIRE_HINT.test(sf.text)) return out;
  // The file's text does not change while it is walked: whether it closes a pool anywhere is tested once.
  const closesPool = POOL_CLOSE_HINT.test(sf.text);
  forEachNodeOfKinds(sf, VISITED_KINDS, (node) => {
    if (ts.isCallExpression(node)) {
      const r = fromCall(info, node);
      if (r) out.push(r);
    } else if (ts.isNewExpression(node)) {
      const r = fromNewClient(info, node);
      if (r) out.push(r);
    }
    if (closesPool) {
      const p = fromPoolObject(info, node as ts.CallExpression | ts.NewExpression);
      if (p) out.push(p);
    }
  });
  return out.sort((a, b) => a.site.pos - b.site.pos);
}

const ACQUIRE_HINT = /\.(?:connect|createQueryRunner|transaction|reserve|end|destroy|close|\$disconnect)\b|\bClient\b/;
const POOL_CLOSE_HINT = /\.(?:end|destroy|close|\$disconnect)\s*\(/;

/**
 * `const pool = new Pool(cfg); … await pool.end()` inside one function: a pool object the
 * function opens and closes itself. Tracked only when the function closes it somewhere (else a
 * per-call pool is pool-in-handler's finding, and a factory's pool escapes).
 */
function fromPoolObject(info: FileInfo, node: ts.CallExpression | ts.NewExpression): TrackedResource | undefined {
  // Found in every file; in test code release-in-finally leaves it out (the codePaths classifier decides which files are tests).
  let site: ts.Node = outerOf(node);
  if (site.parent && ts.isAwaitExpression(site.parent)) site = outerOf(site.parent);
  const binding = bindingOf(site);
  if (!binding || binding.kind !== 'declared') return undefined;
  const fn = enclosingFunction(node);
  if (!fn || !fn.body) return undefined;
  const name = binding.name;
  const bodyText = fn.body.getText(info.ctx.sourceFile);
  if (!bodyText.includes(`${name}.`) || !new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\s*\\.\\s*(?:end|destroy|close|\\$disconnect)\\s*\\(`).test(bodyText)) return undefined;
  const ref = resolve(info, node);
  const def = ref?.definition;
  if (!ref || ref.kind !== 'pool' || !def || def.kind === 'client') return undefined;
  const closes = POOL_CLOSE_METHODS[def.library];
  if (!closes) return undefined;
  return {
    name,
    kind: 'pool',
    library: def.library,
    fn,
    scope: scopeOfDeclaration(binding.decl, fn),
    site: node,
    siteRange: [node, node.expression],
    acquireNodes: new Set<ts.Node>([unwrap(site as ts.Expression)]),
    lazy: false,
    releaseMethods: closes,
    releaseFunctions: [],
    quietMethods: LIFECYCLE_CALLS.pool,
    acquireText: def.construct,
    discarded: false,
    needsReleaseEvidence: true,
  };
}

function fromCall(info: FileInfo, call: ts.CallExpression): TrackedResource | undefined {
  const sf = info.ctx.sourceFile;
  const method = memberName(call.expression);
  const obj = memberObject(call.expression);
  if (!method || !obj) return undefined;
  let kind: ReleasableKind;
  let library: JsLibrary;
  let awaited = true;
  let unresolved = false;
  if (method === 'connect') {
    const lib = poolOf(info, obj, PG_FAMILY);
    if (!lib) return undefined;
    unresolved = lib === 'unresolved';
    library = lib === 'unresolved' ? 'pg' : lib;
    kind = 'pool-client';
    // pg-pool 3.14 index.js connect(cb): on error `callback(err, undefined, NOOP)`, else `callback(undefined, client, client.release)`.
    const cb = call.arguments[0];
    if (call.arguments.length > 0) {
      if (!isFunctionArg(cb)) return undefined;
      return fromCallback(info, call, unwrap(cb) as ts.ArrowFunction | ts.FunctionExpression, library, unresolved);
    }
    const then = thenCallback(call);
    if (then) return fromThen(info, call, then, library, unresolved);
  } else if (method === 'createQueryRunner') {
    const ref = resolve(info, obj);
    if (ref && ref.library !== 'typeorm') return undefined;
    unresolved = !ref;
    if (unresolved && !info.libraries.has('typeorm')) return undefined;
    library = 'typeorm';
    kind = 'query-runner';
    awaited = false;
  } else if (method === 'transaction') {
    if (!hasNoCallbackArg(call)) return undefined;
    const ref = resolve(info, obj);
    if (ref) {
      if (ref.kind !== 'pool' || (ref.library !== 'knex' && ref.library !== 'sequelize')) return undefined;
      library = ref.library;
    } else {
      const knex = info.libraries.has('knex');
      const seq = info.libraries.has('sequelize');
      if (knex === seq) return undefined; // neither, or both: cannot tell whose transaction() this is
      library = knex ? 'knex' : 'sequelize';
      unresolved = true;
    }
    kind = 'transaction';
  } else if (method === 'reserve') {
    if (call.arguments.length > 0) return undefined;
    const lib = poolOf(info, obj, new Set<JsLibrary>(['postgres']));
    if (!lib) return undefined;
    unresolved = lib === 'unresolved';
    library = 'postgres';
    kind = 'reserved';
  } else return undefined;

  let site: ts.Node = outerOf(call);
  if (awaited) {
    if (!ts.isAwaitExpression(site.parent)) return undefined;
    site = outerOf(site.parent);
  }
  const acquireNode = awaited ? unwrap(site as ts.Expression) : call;
  const binding = bindingOf(site);
  if (!binding) return undefined;
  const fn = enclosingFunction(call);
  // Module scope: a connection opened once at startup is long-lived by design (LISTEN, scripts).
  if (!fn || !fn.body) return undefined;
  const base = {
    kind,
    library,
    fn,
    site: call,
    siteRange: [call, call] as [ts.Node, ts.Node],
    acquireNodes: new Set<ts.Node>(kind === 'query-runner' ? [] : [acquireNode]),
    lazy: kind === 'query-runner',
    releaseMethods: RELEASE_METHODS[kind],
    releaseFunctions: [],
    quietMethods: LIFECYCLE_CALLS[kind],
    acquireText: shortText(call, sf),
    needsReleaseEvidence: unresolved,
  };
  if (binding.kind === 'discarded') {
    // Only a checked-out pool client or reserved connection is certainly lost when discarded.
    if ((kind !== 'pool-client' && kind !== 'reserved') || unresolved) return undefined;
    return { ...base, name: kind === 'reserved' ? 'reserved' : 'client', scope: fn, discarded: true };
  }
  const decl = binding.kind === 'declared' ? binding.decl : localDeclaration(fn, binding.name);
  // Assigned to a variable of an outer function or the module: stored for later, ownership escapes.
  if (!decl) return undefined;
  const r: TrackedResource = { ...base, name: binding.name, scope: scopeOfDeclaration(decl, fn), discarded: false };
  if (kind === 'query-runner') {
    // TypeORM takes the connection on the runner's first use (connect(), a query, its manager),
    // not in createQueryRunner() (typeorm docs/docs/query-runner.md): a runner only created holds nothing.
    for (const n of descendants(r.scope)) {
      if (ts.isCallExpression(n) && enclosingFunction(n) === fn && rootIdentifier(n.expression) === r.name && !r.releaseMethods.includes(memberName(n.expression) ?? '')) r.acquireNodes.add(n);
    }
    if (r.acquireNodes.size === 0) return undefined;
  }
  return r;
}

/** `a.b.c(…)`, `a('t').insert`, `a.manager.save` → `a`. */
export function rootIdentifier(expr: ts.Expression): string | undefined {
  let e = unwrap(expr);
  for (;;) {
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isCallExpression(e)) e = unwrap(e.expression);
    else break;
  }
  return ts.isIdentifier(e) ? e.text : undefined;
}

/** `pool.connect().then(client => …)`: the callback, when the chain starts right at the call. */
function thenCallback(call: ts.CallExpression): ts.ArrowFunction | ts.FunctionExpression | undefined {
  const o = outerOf(call);
  const pa = o.parent;
  if (!pa || !ts.isPropertyAccessExpression(pa) || pa.expression !== o || pa.name.text !== 'then') return undefined;
  const thenCall = outerOf(pa).parent;
  if (!thenCall || !ts.isCallExpression(thenCall) || thenCall.expression !== outerOf(pa)) return undefined;
  const cb = thenCall.arguments[0];
  return isFunctionArg(cb) ? (unwrap(cb) as ts.ArrowFunction | ts.FunctionExpression) : undefined;
}

function fromThen(info: FileInfo, call: ts.CallExpression, cb: ts.ArrowFunction | ts.FunctionExpression, library: JsLibrary, unresolved: boolean): TrackedResource | undefined {
  const p0 = cb.parameters[0];
  if (!p0 || !ts.isIdentifier(p0.name)) return undefined;
  return {
    name: p0.name.text,
    kind: 'pool-client',
    library,
    fn: cb,
    scope: cb,
    site: call,
    siteRange: [call, call],
    acquireNodes: new Set(),
    lazy: false,
    releaseMethods: RELEASE_METHODS['pool-client'],
    releaseFunctions: [],
    quietMethods: [],
    acquireText: shortText(call, info.ctx.sourceFile),
    discarded: false,
    needsReleaseEvidence: unresolved,
  };
}

function fromCallback(info: FileInfo, call: ts.CallExpression, cb: ts.ArrowFunction | ts.FunctionExpression, library: JsLibrary, unresolved: boolean): TrackedResource | undefined {
  const [pErr, pClient, pDone] = cb.parameters;
  if (!pClient || !ts.isIdentifier(pClient.name)) return undefined;
  if (pDone && !ts.isIdentifier(pDone.name)) return undefined;
  return {
    name: pClient.name.text,
    kind: 'pool-client',
    library,
    fn: cb,
    scope: cb,
    site: call.expression,
    siteRange: [call.expression, call.expression],
    acquireNodes: new Set(),
    lazy: false,
    releaseMethods: RELEASE_METHODS['pool-client'],
    releaseFunctions: pDone && ts.isIdentifier(pDone.name) ? [pDone.name.text] : [],
    quietMethods: [],
    ...(pErr && ts.isIdentifier(pErr.name) ? { errorParam: pErr.name.text } : {}),
    acquireText: `${shortText(call.expression, info.ctx.sourceFile)}(…)`,
    discarded: false,
    needsReleaseEvidence: unresolved,
  };
}

/** `const client = new Client(…)` followed by `await client.connect()` in the same function. */
function fromNewClient(info: FileInfo, expr: ts.NewExpression): TrackedResource | undefined {
  // Only `new Client()`, `new pg.Client()` or a name imported from node-postgres/neon: no resolving every `new X()`.
  const c = unwrap(expr.expression);
  const named = ts.isPropertyAccessExpression(c) ? c.name.text === 'Client' : ts.isIdentifier(c) && (c.text === 'Client' || PG_FAMILY.has(info.ctx.libraryOf(info.imports.get(c.text)?.module ?? '') as JsLibrary));
  if (!named) return undefined;
  const ref = resolve(info, expr);
  let library: JsLibrary | undefined;
  if (ref) {
    if (ref.kind !== 'client' || !PG_FAMILY.has(ref.library)) return undefined;
    library = ref.library;
  } else {
    // `new Client()` / `new pg.Client()` with Client imported from node-postgres or neon.
    const callee = unwrap(expr.expression);
    const root = ts.isPropertyAccessExpression(callee) && callee.name.text === 'Client' ? unwrap(callee.expression) : callee;
    if (!ts.isIdentifier(root)) return undefined;
    const b = info.imports.get(root.text);
    const lib = b ? info.ctx.libraryOf(b.module) : undefined;
    if (!b || !lib || !PG_FAMILY.has(lib)) return undefined;
    const ok = root === callee ? b.imported === 'Client' : b.imported === '*' || b.imported === 'default';
    if (!ok) return undefined;
    library = lib;
  }
  const site = outerOf(expr);
  const binding = bindingOf(site);
  if (!binding || binding.kind === 'discarded') return undefined;
  const fn = enclosingFunction(expr);
  if (!fn || !fn.body) return undefined;
  const decl = binding.kind === 'declared' ? binding.decl : localDeclaration(fn, binding.name);
  if (!decl) return undefined;
  const scope = scopeOfDeclaration(decl, fn);
  // The connection exists once `await client.connect()` has succeeded (pg Client.connect()).
  const acquireNodes = new Set<ts.Node>();
  for (const n of descendants(scope)) {
    if (!ts.isAwaitExpression(n) || enclosingFunction(n) !== fn) continue;
    const c = unwrap(n.expression);
    if (ts.isCallExpression(c) && memberName(c.expression) === 'connect') {
      const o = memberObject(c.expression);
      if (o && ts.isIdentifier(unwrap(o)) && (unwrap(o) as ts.Identifier).text === binding.name) acquireNodes.add(n);
    }
  }
  if (acquireNodes.size === 0) return undefined;
  return {
    name: binding.name,
    kind: 'client',
    library,
    fn,
    scope,
    site: expr,
    siteRange: [expr, expr.expression],
    acquireNodes,
    lazy: false,
    releaseMethods: RELEASE_METHODS.client,
    releaseFunctions: [],
    quietMethods: LIFECYCLE_CALLS.client,
    acquireText: `new ${shortText(expr.expression, info.ctx.sourceFile)}()`,
    discarded: false,
    needsReleaseEvidence: false,
  };
}

// ---------------------------------------------------------------------------------------------
// References

export type ReferenceUse =
  /** Gives the connection back (`client.release()`, `done()`, `trx.rollback()`). */
  | { kind: 'release'; call: ts.CallExpression }
  /** Used without changing owner (`client.query()`, `trx('t')`, `{ transaction: t }`, `if (client)`). */
  | { kind: 'use' }
  /** Ownership may leave this function: returned, stored, passed on, released in a callback. */
  | { kind: 'escape'; node: ts.Node };

/** Classifies every reference to the resource (and its release function) inside its scope. */
export function classifyReferences(r: TrackedResource): ReferenceUse[] {
  const out: ReferenceUse[] = [];
  const shadowCache = new Map<ts.Node, boolean>();
  const names = new Set([r.name, ...r.releaseFunctions]);
  for (const n of descendants(r.scope)) {
    if (!ts.isIdentifier(n) || !names.has(n.text) || !isReference(n)) continue;
    const nested = nestedFunctionBetween(n, r.fn, n.text, shadowCache);
    if (nested === 'shadowed') continue;
    const use = n.text === r.name ? classifyResourceRef(n, r) : classifyReleaseFnRef(n);
    if (nested === 'nested') {
      // Released inside a callback (`.finally(() => client.release())`, `res.on('finish', …)`):
      // when it runs is unknown, so ownership has left the straight-line code.
      out.push(use.kind === 'use' ? use : { kind: 'escape', node: n });
    } else out.push(use);
  }
  return out;
}

/** Is this identifier a value reference (not a property name, declaration name or label)? */
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (!p) return false;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p)) && p.name === id) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p) || ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p)) && p.name === id) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if (ts.isTypeReferenceNode(p) || ts.isQualifiedName(p) || ts.isTypeQueryNode(p)) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p)) return false;
  return true;
}

/** Between the reference and `fn`: a nested function that rebinds the name ('shadowed'), any nested function ('nested'). */
function nestedFunctionBetween(id: ts.Node, fn: ts.Node, name: string, cache: Map<ts.Node, boolean>): 'none' | 'nested' | 'shadowed' {
  let nested = false;
  for (let n = id.parent; n && n !== fn; n = n.parent) {
    if (isFunctionLike(n)) {
      nested = true;
      let s = cache.get(n);
      if (s === undefined) {
        s = n.parameters.some((p) => bindsName(p.name, name)) || declaresLocally(n, name);
        cache.set(n, s);
      }
      if (s) return 'shadowed';
    }
  }
  return nested ? 'nested' : 'none';
}

function declaresLocally(fn: ts.FunctionLikeDeclaration, name: string): boolean {
  if (!fn.body) return false;
  for (const n of descendants(fn.body)) {
    if (ts.isVariableDeclaration(n) && bindsName(n.name, name) && enclosingFunction(n) === fn) return true;
    if (ts.isFunctionDeclaration(n) && n.name?.text === name) return true;
  }
  return false;
}

function isAssignmentTarget(node: ts.Node): boolean {
  const p = node.parent;
  return !!p && ts.isBinaryExpression(p) && p.left === node && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

const NEUTRAL_BINARY = new Set([
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.InstanceOfKeyword,
]);

function classifyResourceRef(id: ts.Identifier, r: TrackedResource): ReferenceUse {
  const outer = outerOf(id);
  const p = outer.parent;
  if (!p) return { kind: 'escape', node: id };
  if (ts.isPropertyAccessExpression(p) && p.expression === outer) {
    const name = p.name.text;
    const po = outerOf(p);
    const pp = po.parent;
    if (pp && ts.isCallExpression(pp) && pp.expression === po) {
      return r.releaseMethods.includes(name) ? { kind: 'release', call: pp } : { kind: 'use' };
    }
    // `client.release = …` (wrapped, as in node-postgres' getClient example) or `client.release` taken as a value.
    if (isAssignmentTarget(po) || r.releaseMethods.includes(name)) return { kind: 'escape', node: id };
    return { kind: 'use' };
  }
  if (ts.isCallExpression(p)) {
    if (p.expression === outer) return { kind: 'use' }; // knex: trx('users')
    // knex: builder.transacting(trx) runs the query on the transaction's connection.
    if (memberName(p.expression) === 'transacting') return { kind: 'use' };
    return { kind: 'escape', node: id };
  }
  if (ts.isTaggedTemplateExpression(p) && p.tag === outer) return { kind: 'use' }; // postgres.js reserved`…`
  if (ts.isPropertyAssignment(p) && p.initializer === outer) {
    // Sequelize: Model.create(values, { transaction: t }) uses t's connection.
    return propertyNameText(p.name) === 'transaction' && r.kind === 'transaction' ? { kind: 'use' } : { kind: 'escape', node: id };
  }
  if (ts.isShorthandPropertyAssignment(p)) return id.text === 'transaction' && r.kind === 'transaction' ? { kind: 'use' } : { kind: 'escape', node: id };
  if (ts.isPrefixUnaryExpression(p) || ts.isTypeOfExpression(p) || ts.isVoidExpression(p) || ts.isAwaitExpression(p)) return { kind: 'use' };
  if (ts.isBinaryExpression(p)) {
    const op = p.operatorToken.kind;
    if (NEUTRAL_BINARY.has(op)) return { kind: 'use' };
    if ((op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) && p.left === outer) return { kind: 'use' };
    if (op === ts.SyntaxKind.EqualsToken && p.left === outer) {
      // The acquiring assignment itself; any other assignment makes the variable hold something else.
      return isAcquireRhs(p.right, r) ? { kind: 'use' } : { kind: 'escape', node: id };
    }
    return { kind: 'escape', node: id };
  }
  if (ts.isConditionalExpression(p) && p.condition === outer) return { kind: 'use' };
  if ((ts.isIfStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p)) && p.expression === outer) return { kind: 'use' };
  if (ts.isForStatement(p) && p.condition === outer) return { kind: 'use' };
  if (ts.isTemplateSpan(p) && !ts.isTaggedTemplateExpression(p.parent.parent)) return { kind: 'use' };
  if (ts.isExpressionStatement(p)) return { kind: 'use' };
  return { kind: 'escape', node: id };
}

/** `client = await pool.connect()` / `client = new Client()`: the assignment that acquires this resource. */
function isAcquireRhs(rhs: ts.Expression, r: TrackedResource): boolean {
  const u = unwrap(rhs);
  return r.acquireNodes.has(u) || u === r.site || (ts.isAwaitExpression(u) && unwrap(u.expression) === r.site);
}

function classifyReleaseFnRef(id: ts.Identifier): ReferenceUse {
  const outer = outerOf(id);
  const p = outer.parent;
  if (p && ts.isCallExpression(p) && p.expression === outer) return { kind: 'release', call: p };
  if (p && (ts.isPrefixUnaryExpression(p) || ts.isTypeOfExpression(p) || ts.isIfStatement(p))) return { kind: 'use' };
  return { kind: 'escape', node: id };
}

function propertyNameText(n: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  return undefined;
}

/** Names assigned boolean literals in the function: flags like `released = true` that guard a release. */
export function booleanFlags(fn: ts.FunctionLikeDeclaration): Set<string> {
  const out = new Set<string>();
  if (!fn.body) return out;
  for (const n of descendants(fn.body)) {
    const isBool = (e: ts.Expression | undefined) => !!e && (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword);
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && isBool(n.initializer)) out.add(n.name.text);
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && isBool(n.right)) out.add(n.left.text);
  }
  return out;
}
