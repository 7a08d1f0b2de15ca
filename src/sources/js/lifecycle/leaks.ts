import ts from '../typescript.cjs';
import type { SourceRange } from '../../../core/location.js';
import type { ConnectionLeak, JsModuleContext } from '../types.js';
import { descendants, enclosingFunction, memberName, memberObject, shortText, unwrap } from './ast.js';
import { analyseFunction, S, type Path, type PathModel } from './paths.js';
import { booleanFlags, classifyReferences, findTrackedResources, releaseTextOf, type ReleasableKind, type TrackedResource } from './resources.js';

/**
 * Connections acquired by hand that some path through their function does not give back.
 * Silent whenever ownership may leave the function (returned, stored, passed to another
 * function, released from a callback): those cases need whole-program reasoning.
 */
export function findConnectionLeaks(ctx: JsModuleContext): ConnectionLeak[] {
  const out: ConnectionLeak[] = [];
  let resources: TrackedResource[];
  try {
    resources = findTrackedResources(ctx);
  } catch (e) {
    // Pathologically deep code can exhaust the stack; say nothing rather than crash the run.
    if (e instanceof RangeError) return out;
    throw e;
  }
  for (const r of resources) {
    try {
      const leak = leakOf(ctx, r);
      if (leak) out.push(leak);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  return out;
}

const WORDS: Record<ReleasableKind, { done: string; held: string; doing: string; verb: string }> = {
  'pool-client': { done: 'released', held: 'checked out', doing: 'releasing', verb: 'release' },
  'query-runner': { done: 'released', held: 'checked out', doing: 'releasing', verb: 'release' },
  reserved: { done: 'released', held: 'checked out', doing: 'releasing', verb: 'release' },
  client: { done: 'ended', held: 'connected', doing: 'ending', verb: 'end' },
  transaction: { done: 'committed or rolled back', held: 'open', doing: 'rolling back', verb: 'roll back' },
  pool: { done: 'closed', held: 'open', doing: 'closing', verb: 'close' },
};

function leakOf(ctx: JsModuleContext, r: TrackedResource): ConnectionLeak | undefined {
  const line = (n: ts.Node) => ctx.rangeOf(n).line;
  const base = {
    file: ctx.file,
    acquire: spanOf(ctx, r.siteRange[0], r.siteRange[1]),
    resource: { name: r.name, kind: r.kind, library: r.library },
    release: releaseTextOf(r),
  };
  const w = WORDS[r.kind];
  if (r.discarded) {
    return {
      ...base,
      leakAt: ctx.rangeOf(r.site),
      reason: 'never-released',
      detail: `the result of ${r.acquireText} at line ${line(r.site)} is discarded, so the ${r.kind === 'reserved' ? 'connection it reserved' : 'client it checked out'} is never ${w.done}`,
    };
  }
  const refs = classifyReferences(r);
  if (refs.some((u) => u.kind === 'escape')) return undefined;
  const releases = new Set<ts.Node>();
  for (const u of refs) if (u.kind === 'release') releases.add(u.call);
  if (r.needsReleaseEvidence && releases.size === 0) return undefined;

  const model: PathModel = {
    acquire: r.acquireNodes,
    reacquire: !r.lazy,
    release: releases,
    quietAwaits: quietAwaits(r, releases),
    resourceName: r.name,
    ...(r.errorParam !== undefined ? { errorParam: r.errorParam } : {}),
    flags: booleanFlags(r.fn),
  };
  const res = analyseFunction(r.fn, model, r.acquireNodes.size === 0);
  const held = (ps: readonly Path[]) => ps.filter((p) => p.s === S.Held);
  const throwsH = held(res.throws);
  const returnsH = held(res.returns);
  const endH = held(res.end);
  if (throwsH.length + returnsH.length + endH.length === 0) return beforeTryLeak(ctx, r, model, releases, base);

  const fnEnd = endOf(ctx, r.fn);
  if (releases.size === 0) {
    return { ...base, leakAt: fnEnd.range, reason: 'never-released', detail: `${r.name} is never ${w.done}: nothing in this function calls ${base.release}` };
  }
  const point = (n: ts.Node) => describeThrowPoint(ctx, r, n);
  // An exception thrown inside a catch (the ROLLBACK query) is secondary to the catch itself
  // not releasing: report the catch first then.
  const freshAll = throwsH.filter((p) => !p.cause && p.at);
  const anyCaught = [...throwsH, ...returnsH, ...endH].some((p) => p.cause);
  const fresh = freshAll.find((p) => !insideCatch(p.at!, r.fn)) ?? (anyCaught ? undefined : freshAll[0]);
  if (fresh?.at) {
    const at = fresh.at;
    if (ts.isThrowStatement(at)) return { ...base, leakAt: ctx.rangeOf(at), reason: 'throw-before-release', detail: `the throw at line ${line(at)} leaves ${r.name} ${w.held}` };
    return { ...base, leakAt: ctx.rangeOf(at), reason: 'throw-before-release', detail: `if ${point(at)} throws, ${r.name} is never ${w.done}` };
  }
  const caught = [...throwsH, ...returnsH, ...endH].find((p) => p.cause && p.catchClause);
  if (caught?.cause && caught.catchClause) {
    const cause = caught.cause;
    const when = ts.isThrowStatement(cause) ? `when the throw at line ${line(cause)} runs` : `if ${point(cause)} throws`;
    const cl = line(caught.catchClause);
    const how = throwsH.includes(caught) ? 'rethrows' : returnsH.includes(caught) ? 'returns' : 'ends';
    const at = caught.at ?? caught.catchClause;
    return { ...base, leakAt: ctx.rangeOf(at), reason: 'catch-without-release', detail: `${when}, the catch at line ${cl} ${how} without ${w.doing} ${r.name}` };
  }
  if (freshAll[0]?.at) {
    const at = freshAll[0].at;
    return { ...base, leakAt: ctx.rangeOf(at), reason: 'throw-before-release', detail: `if ${point(at)} throws, ${r.name} is never ${w.done}` };
  }
  const ret = returnsH.find((p) => p.at);
  if (ret?.at) {
    const at = ret.at;
    const text = ts.isReturnStatement(at) ? `the return at line ${line(at)} leaves ${r.name} ${w.held}` : `the callback returns at line ${line(at)} with ${r.name} still ${w.held}`;
    return { ...base, leakAt: ctx.rangeOf(at), reason: 'early-return', detail: text };
  }
  return { ...base, leakAt: fnEnd.range, reason: 'never-released', detail: `${r.name} is still ${w.held} when the function ends at line ${fnEnd.range.line}` };
}

function insideCatch(node: ts.Node, fn: ts.Node): boolean {
  for (let n = node.parent; n && n !== fn; n = n.parent) if (ts.isCatchClause(n)) return true;
  return false;
}

/** Awaits that cannot leak the connection: releasing it, or lifecycle calls before the `try` (see resources.ts). */
function quietAwaits(r: TrackedResource, releases: ReadonlySet<ts.Node>): Set<ts.Node> {
  const out = new Set<ts.Node>();
  if (!r.fn.body) return out;
  for (const n of descendants(r.fn.body)) {
    if (!ts.isAwaitExpression(n) || enclosingFunction(n) !== r.fn) continue;
    const c = unwrap(n.expression);
    if (!ts.isCallExpression(c)) continue;
    if (releases.has(c)) out.add(n);
    // `await client.query('ROLLBACK').catch(() => undefined)`: the failure is swallowed, the await cannot throw
    if (swallowsRejection(c, r.fn.getSourceFile())) out.add(n);
    const m = memberName(c.expression);
    const o = memberObject(c.expression);
    if (m && o && r.quietMethods.includes(m) && ts.isIdentifier(unwrap(o)) && (unwrap(o) as ts.Identifier).text === r.name) out.add(n);
  }
  return out;
}

/** "the query at line 12", "the call to sendMail at line 14", "the await at line 9". */
function describeThrowPoint(ctx: JsModuleContext, r: TrackedResource, at: ts.Node): string {
  const line = ctx.rangeOf(at).line;
  if (ts.isForOfStatement(at)) return `the for await loop at line ${line}`;
  if (!ts.isAwaitExpression(at)) return `the statement at line ${line}`;
  const e = unwrap(at.expression);
  if (ts.isTaggedTemplateExpression(e)) return `the query at line ${line}`;
  if (ts.isCallExpression(e)) {
    if (isQueryCall(e, r.name)) return `the query at line ${line}`;
    return `the call to ${shortText(e.expression, ctx.sourceFile, 40)} at line ${line}`;
  }
  return `the await at line ${line}`;
}

const QUERY_METHODS = new Set(['query', 'execute', 'raw', 'unsafe', 'sql', 'queryObject', 'queryArray']);

function isQueryCall(call: ts.CallExpression, name: string): boolean {
  if (QUERY_METHODS.has(memberName(call.expression) ?? '')) return true;
  // A chain rooted at the connection: client.query(), trx('users').insert(), queryRunner.manager.save().
  let e: ts.Expression = call.expression;
  for (;;) {
    e = unwrap(e);
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = e.expression;
    else if (ts.isCallExpression(e)) e = e.expression;
    else break;
  }
  if (ts.isIdentifier(e) && e.text === name) return true;
  // Sequelize: Model.create(values, { transaction: t }).
  return call.arguments.some((a) => ts.isObjectLiteralExpression(a) && a.properties.some((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && ts.isIdentifier(p.name) && p.name.text === 'transaction'));
}

function spanOf(ctx: JsModuleContext, from: ts.Node, to: ts.Node): SourceRange {
  const a = ctx.rangeOf(from);
  const b = ctx.rangeOf(to);
  return { file: a.file, line: a.line, column: a.column, endLine: b.endLine, endColumn: b.endColumn };
}

/** The closing brace of a function body (its whole expression for `x => expr`). */
function endOf(ctx: JsModuleContext, fn: ts.FunctionLikeDeclaration): { range: SourceRange } {
  const body = fn.body ?? fn;
  const r = ctx.rangeOf(body);
  if (!ts.isBlock(body)) return { range: r };
  return { range: { file: r.file, line: r.endLine, column: Math.max(1, r.endColumn - 1), endLine: r.endLine, endColumn: r.endColumn } };
}

/** `p.catch(handler)` with a handler that cannot throw: `() => undefined`, `() => {}`, `noop`, `(e) => console.warn(e)`. */
function swallowsRejection(call: ts.CallExpression, sf: ts.SourceFile): boolean {
  if (memberName(call.expression) !== 'catch' || call.arguments.length !== 1) return false;
  const h = unwrap(call.arguments[0]!);
  if (ts.isArrowFunction(h) || ts.isFunctionExpression(h)) return cannotThrow(h);
  if (!ts.isIdentifier(h)) return false;
  // a function of this file by that name (one declaration only), or an imported `noop`
  const found: ts.Node[] = [];
  let imported = false;
  for (const n of descendants(sf)) {
    if (ts.isFunctionDeclaration(n) && n.name?.text === h.text) found.push(n);
    else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === h.text && n.initializer) found.push(unwrap(n.initializer));
    else if ((ts.isImportSpecifier(n) || ts.isImportClause(n)) && n.name?.text === h.text) imported = true;
    else if (ts.isParameter(n) && ts.isIdentifier(n.name) && n.name.text === h.text) return false;
  }
  if (imported) return found.length === 0 && h.text === 'noop';
  const f = found.length === 1 ? found[0]! : undefined;
  return f !== undefined && (ts.isFunctionDeclaration(f) || ts.isArrowFunction(f) || ts.isFunctionExpression(f)) && cannotThrow(f);
}

/** A handler with no throw, no await, no `new` and no calls other than console logging. */
function cannotThrow(fn: ts.FunctionLikeDeclaration): boolean {
  if (fn.body === undefined || fn.asteriskToken !== undefined) return false;
  for (const n of [fn.body, ...descendants(fn.body)]) {
    if (ts.isThrowStatement(n) || ts.isAwaitExpression(n) || ts.isNewExpression(n) || ts.isYieldExpression(n) || ts.isTaggedTemplateExpression(n)) return false;
    if (ts.isCallExpression(n)) {
      const o = memberObject(n.expression);
      if (!(o && ts.isIdentifier(unwrap(o)) && (unwrap(o) as ts.Identifier).text === 'console')) return false;
    }
  }
  return true;
}

/**
 * The leak window: statements between the acquire and the `try` whose `finally` releases the
 * connection (`const c = await pool.connect(); c.escapeIdentifier(name); try { … } finally { c.release() }`,
 * `await queryRunner.startTransaction()` before `try`). The main analysis counts only awaits as
 * throw points and keeps TypeORM's `startTransaction()` quiet; here, once it found nothing, the
 * calls of that window count too (awaited or not, but not the connect calls that acquire).
 */
function beforeTryLeak(ctx: JsModuleContext, r: TrackedResource, model: PathModel, releases: ReadonlySet<ts.Node>, base: Omit<ConnectionLeak, 'leakAt' | 'reason' | 'detail'>): ConnectionLeak | undefined {
  const region = windowBeforeTry(r, releases);
  if (region.length === 0) return undefined;
  const syncThrows = new Set<ts.Node>();
  const quiet = new Set(model.quietAwaits);
  for (const st of region) {
    for (const n of [st, ...descendants(st)]) {
      if (enclosingFunction(n) !== r.fn) continue;
      if (ts.isAwaitExpression(n)) {
        const c = unwrap(n.expression);
        const m = ts.isCallExpression(c) ? memberName(c.expression) : undefined;
        if (m !== undefined && !CONNECT_CALLS.has(m) && !releases.has(c)) quiet.delete(n);
        continue;
      }
      if (!ts.isCallExpression(n) && !ts.isNewExpression(n)) continue;
      if (ts.isAwaitExpression(n.parent) || releases.has(n as ts.CallExpression) || r.acquireNodes.has(n) || cannotThrowCall(n)) continue;
      syncThrows.add(n);
    }
  }
  const res = analyseFunction(r.fn, { ...model, quietAwaits: quiet, syncThrows }, r.acquireNodes.size === 0);
  const inRegion = (n: ts.Node) => region.some((st) => st.pos <= n.pos && n.end <= st.end);
  const at = res.throws.find((p) => p.s === S.Held && p.at !== undefined && !p.cause && inRegion(p.at))?.at;
  if (at === undefined) return undefined;
  const line = ctx.rangeOf(at).line;
  const call = ts.isAwaitExpression(at) ? unwrap(at.expression) : at;
  const what = ts.isCallExpression(call) || ts.isNewExpression(call) ? `the call to ${shortText(call.expression, ctx.sourceFile, 40)} at line ${line}` : describeThrowPoint(ctx, r, at);
  const stmt = region.find((st) => st.pos <= at.pos && at.end <= st.end)!;
  return { ...base, leakAt: ctx.rangeOf(stmt), reason: 'before-try', detail: `if ${what} throws, ${r.name} is never ${WORDS[r.kind].done}` };
}

/** Calls that acquire a connection rather than use one: a failure there leaves nothing held. */
const CONNECT_CALLS = new Set(['connect', 'initialize', '$connect']);

/** `console.log(…)`, `String(x)`, `Number(x)`, `Date.now()`: calls nobody expects to throw. */
function cannotThrowCall(n: ts.CallExpression | ts.NewExpression): boolean {
  const e = unwrap(n.expression);
  if (ts.isIdentifier(e)) return ts.isCallExpression(n) && (e.text === 'String' || e.text === 'Number' || e.text === 'Boolean');
  const o = memberObject(e);
  const root = o && ts.isIdentifier(unwrap(o)) ? (unwrap(o) as ts.Identifier).text : undefined;
  return root === 'console' || (root === 'Date' && memberName(e) === 'now');
}

/** The statements between the one that acquires `r` and the `try` (same block) whose `finally` releases it. */
function windowBeforeTry(r: TrackedResource, releases: ReadonlySet<ts.Node>): ts.Statement[] {
  for (const rel of releases) {
    let child: ts.Node = rel;
    let tryStmt: ts.TryStatement | undefined;
    for (let p = rel.parent; p && p !== r.fn; child = p, p = p.parent) {
      if (ts.isTryStatement(p) && p.finallyBlock === child) {
        tryStmt = p;
        break;
      }
    }
    if (tryStmt === undefined || !ts.isBlock(tryStmt.parent)) continue;
    const list = tryStmt.parent.statements;
    const t = list.indexOf(tryStmt);
    // The statement that acquires: the site, or for a lazy runner its first use (`await queryRunner.connect()`).
    let first: ts.Node = r.site;
    if (r.lazy) for (const n of r.acquireNodes) if (first === r.site || n.pos < first.pos) first = n;
    const a = list.findIndex((st, i) => i < t && st.pos <= first.pos && first.end <= st.end);
    if (a === -1) continue;
    return list.slice(a + 1, t) as ts.Statement[];
  }
  return [];
}
