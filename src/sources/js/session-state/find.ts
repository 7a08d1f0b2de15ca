/**
 * SQL that depends on session state, sent through the libraries' query APIs:
 * node-postgres / neon / @vercel/postgres `query()`, postgres.js `sql\`…\`` and `sql.unsafe()`,
 * knex `raw()`, Sequelize `query()`, TypeORM `query()` (DataSource, EntityManager, QueryRunner),
 * Prisma `$queryRaw` / `$executeRaw` (tagged or with `Prisma.sql`) and their `Unsafe` forms,
 * Drizzle `db.execute(sql\`…\`)`, Kysely `sql\`…\`.execute(db)`; and postgres.js `sql.listen()`
 * (postgres 3.4.9 src/index.js listen(): a dedicated connection that runs `LISTEN`).
 */
import ts from '../typescript.cjs';
import { isFunctionLike, memberName, memberObject, outerOf, shortText, unwrap } from '../lifecycle/ast.js';
import type { ConnectionObjectRef, JsModuleContext, SessionStateStatement } from '../types.js';
import { sessionStateOf } from './sql.js';
import { constInitializer, templateText } from '../literals.js';
import { forEachNodeOfKinds, kindMask } from '../walk.js';

/** The nodes this analysis looks at. */
const VISITED_KINDS = kindMask([ts.SyntaxKind.CallExpression, ts.SyntaxKind.TaggedTemplateExpression]);

/** Methods that send the SQL text of their first argument. */
const QUERY_METHODS = new Set(['query', 'raw', 'unsafe', 'execute', '$queryRaw', '$executeRaw', '$queryRawUnsafe', '$executeRawUnsafe']);
/** Template tags on a connection object: `prisma.$queryRaw\`…\``, @vercel/postgres `pool.sql\`…\``. */
const TAG_METHODS = new Set(['$queryRaw', '$executeRaw', 'sql']);
/** Methods whose callback receives a connection bound to the receiver's pool (`sql.begin(sql => …)`). */
const CALLBACK_METHODS = new Set(['begin', 'transaction', '$transaction', 'connect', 'reserve', 'task', 'tx']);

/** Cheap text test before walking the tree. */
const HINT = /\b(?:set|listen|temp|temporary|hold|prepare|load|advisory_lock|advisory_lock_shared|set_config)\b/i;

export function findSessionStateStatements(ctx: JsModuleContext): SessionStateStatement[] {
  const sf = ctx.sourceFile;
  const out: SessionStateStatement[] = [];
  if (!HINT.test(sf.text)) return out;
  const add = (sqlNode: ts.Node, text: string | undefined, ref: ConnectionObjectRef, via: ts.Node) => {
    if (text === undefined) return;
    for (const s of sessionStateOf(text)) {
      out.push({
        file: ctx.file,
        range: ctx.rangeOf(sqlNode),
        kind: s.kind,
        statement: s.statement,
        ...(s.parameter !== undefined ? { parameter: s.parameter } : {}),
        via: shortText(via, sf),
        library: ref.library,
        ...(ref.definition ? { poolId: ref.definition.id } : {}),
      });
    }
  };
  forEachNodeOfKinds(sf, VISITED_KINDS, (node) => {
    try {
      if (ts.isCallExpression(node)) visitCall(ctx, node, add, out);
      else if (ts.isTaggedTemplateExpression(node)) visitTag(ctx, node, add);
    } catch (err) {
      // Odd code must not take the analysis down: the node is skipped.
      if (!(err instanceof RangeError)) throw err;
    }
  });
  return out.sort((a, b) => a.range.line - b.range.line || a.range.column - b.range.column);
}

type Add = (sqlNode: ts.Node, text: string | undefined, ref: ConnectionObjectRef, via: ts.Node) => void;

function visitCall(ctx: JsModuleContext, call: ts.CallExpression, add: Add, out: SessionStateStatement[]): void {
  const method = memberName(call.expression);
  const obj = memberObject(call.expression);
  if (method === undefined) return;
  // Kysely: sql`…`.execute(db)
  if (method === 'execute' && obj && ts.isTaggedTemplateExpression(unwrap(obj))) {
    const tagged = unwrap(obj) as ts.TaggedTemplateExpression;
    const db = call.arguments[0];
    const ref = db ? refOf(ctx, db) : undefined;
    if (ref) add(tagged, templateText(tagged.template), ref, call.expression);
    return;
  }
  if (!obj) return;
  if (method === 'listen') {
    const ref = refOf(ctx, obj);
    // postgres.js sql.listen(channel, fn): pg's Client has no listen() method.
    if (ref?.library === 'postgres') {
      out.push({
        file: ctx.file,
        range: ctx.rangeOf(call),
        kind: 'listen',
        statement: `${shortText(call.expression, ctx.sourceFile)}()`,
        via: shortText(call.expression, ctx.sourceFile),
        library: 'postgres',
        ...(ref.definition ? { poolId: ref.definition.id } : {}),
      });
    }
    return;
  }
  if (!QUERY_METHODS.has(method)) return;
  const ref = refOf(ctx, obj);
  if (!ref) return;
  const arg = call.arguments[0];
  if (!arg) return;
  add(unwrap(arg), sqlText(ctx, arg, 0), ref, call.expression);
}

function visitTag(ctx: JsModuleContext, node: ts.TaggedTemplateExpression, add: Add): void {
  // A tag that is an argument of a query call (db.execute(sql`…`), prisma.$queryRaw(Prisma.sql`…`))
  // is read by visitCall through sqlText.
  const outer = outerOf(node).parent;
  if (outer && ts.isCallExpression(outer) && outer.arguments.some((a) => unwrap(a) === node)) return;
  if (outer && ts.isPropertyAccessExpression(outer) && outer.name.text === 'execute') return;
  const tag = unwrap(node.tag);
  let ref: ConnectionObjectRef | undefined;
  if (ts.isPropertyAccessExpression(tag) && TAG_METHODS.has(tag.name.text)) ref = refOf(ctx, tag.expression);
  else ref = refOf(ctx, tag);
  if (!ref) return;
  // Only libraries whose connection object is itself a tag send the text (postgres.js, @vercel/postgres, neon).
  if (!(ts.isPropertyAccessExpression(tag) || ref.library === 'postgres' || ref.library === 'vercel-postgres' || ref.library === 'neon-serverless')) return;
  add(node, templateText(node.template), ref, node.tag);
}

/** The connection object an expression is, also through a callback parameter (`sql.begin(async (tx) => …)`). */
function refOf(ctx: JsModuleContext, expr: ts.Expression): ConnectionObjectRef | undefined {
  let ref: ConnectionObjectRef | undefined;
  try {
    ref = ctx.resolveConnectionObject(expr);
  } catch {
    ref = undefined;
  }
  if (ref) return ref;
  const root = unwrap(expr);
  if (!ts.isIdentifier(root)) return undefined;
  const owner = callbackOwner(root);
  return owner ? refOf(ctx, owner) : undefined;
}

/** `x` is a parameter of a callback passed to `owner.begin/transaction/connect(…)`: the owner. */
function callbackOwner(id: ts.Identifier): ts.Expression | undefined {
  for (let n: ts.Node | undefined = id.parent; n; n = n.parent) {
    if (!isFunctionLike(n)) continue;
    const declares = n.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === id.text);
    if (!declares) continue;
    const call = outerOf(n).parent;
    if (!call || !ts.isCallExpression(call)) return undefined;
    const m = memberName(call.expression);
    const o = memberObject(call.expression);
    // node-postgres pool.connect((err, client, done) => …): the client is the second parameter.
    if (m === 'connect' && n.parameters[0] && ts.isIdentifier(n.parameters[0].name) && n.parameters[0].name.text === id.text) return undefined;
    return m !== undefined && CALLBACK_METHODS.has(m) && o ? o : undefined;
  }
  return undefined;
}

/** The SQL text of a query argument, when it can be read. */
function sqlText(ctx: JsModuleContext, arg: ts.Expression, depth: number): string | undefined {
  if (depth > 3) return undefined;
  const e = unwrap(arg);
  if (ts.isStringLiteralLike(e)) return e.text;
  if (ts.isTemplateExpression(e)) return templateText(e);
  if (ts.isTaggedTemplateExpression(e)) return templateText(e.template); // Prisma.sql`…`, drizzle sql`…`
  if (ts.isObjectLiteralExpression(e)) {
    // node-postgres / TypeORM query config { text } or { sql }.
    for (const p of e.properties) {
      if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && (p.name.text === 'text' || p.name.text === 'sql')) return sqlText(ctx, p.initializer, depth + 1);
    }
    return undefined;
  }
  if (ts.isIdentifier(e)) {
    const init = constInitializer(ctx.sourceFile, e.text);
    return init ? sqlText(ctx, init, depth + 1) : undefined;
  }
  return undefined;
}
