/**
 * Transaction statements sent through a pool, where each call may run on another connection:
 * node-postgres `pool.query('BEGIN')` (docs/pages/features/transactions.mdx: "Do not use
 * transactions with the pool.query method"), neon's Pool, @vercel/postgres `sql`/`db`,
 * knex `knex.raw`, Sequelize `sequelize.query`, TypeORM `dataSource.query`, postgres.js
 * `sql\`BEGIN\`` / `sql.unsafe('BEGIN')` outside `sql.begin()`.
 */
import ts from '../typescript.cjs';
import type { ConnectionObjectRef, JsLibrary, JsModuleContext, PoolTransactionStatement } from '../types.js';
import { importedBindings, isFunctionLike, isShadowedByParameter, memberName, memberObject, outerOf, shortText, unwrap, type ImportedBinding } from './ast.js';
import { transactionControlOf } from './sql-text.js';
import { constInitializer, templateText } from '../literals.js';
import { forEachNodeOfKinds, kindMask } from '../walk.js';

/** The nodes this analysis looks at. */
const VISITED_KINDS = kindMask([ts.SyntaxKind.CallExpression, ts.SyntaxKind.TaggedTemplateExpression]);

/** Which pool method sends raw SQL, per library. */
const QUERY_METHOD: Partial<Record<JsLibrary, readonly string[]>> = {
  pg: ['query'],
  'neon-serverless': ['query'],
  'vercel-postgres': ['query'],
  sequelize: ['query'],
  // TypeORM DataSource.query(): "Executes raw SQL query and returns raw database results" on a
  // query runner it creates and releases for that one call (typeorm src/data-source/DataSource.ts).
  typeorm: ['query'],
  knex: ['raw'],
  postgres: ['unsafe'],
};

const RAW_SQL_METHODS = new Set(Object.values(QUERY_METHOD).flat());

/** Libraries whose pool is also a template tag: postgres.js `sql`, @vercel/postgres `sql`, neon's `neon()`. */
const TAG_LIBRARIES: ReadonlySet<JsLibrary> = new Set<JsLibrary>(['postgres', 'vercel-postgres', 'neon-serverless']);

export function findPoolTransactions(ctx: JsModuleContext): PoolTransactionStatement[] {
  const sf = ctx.sourceFile;
  const imports = importedBindings(sf);
  const out: PoolTransactionStatement[] = [];
  // Cheap text test first: a transaction keyword at the start of some string literal.
  if (!KEYWORD_IN_STRING.test(sf.text)) return out;
  forEachNodeOfKinds(sf, VISITED_KINDS, (node) => {
    if (ts.isCallExpression(node)) {
      const method = memberName(node.expression);
      const obj = memberObject(node.expression);
      if (!method || !obj || !RAW_SQL_METHODS.has(method)) return;
      const ref = poolRef(ctx, imports, obj, node);
      if (!ref || !(QUERY_METHOD[ref.library] ?? []).includes(method)) return;
      if (!sendsOnPool(node, ref.library)) return;
      const found = statementIn(ctx, node.arguments[0]);
      if (found) out.push({ file: ctx.file, range: ctx.rangeOf(node), statement: found, via: shortText(node.expression, sf), library: ref.library });
    } else if (ts.isTaggedTemplateExpression(node)) {
      let tagObj: ts.Expression = node.tag;
      let libs = TAG_LIBRARIES;
      // @vercel/postgres: `pool.sql\`…\`` on a createPool() pool.
      const t = unwrap(node.tag);
      if (ts.isPropertyAccessExpression(t) && t.name.text === 'sql') {
        tagObj = t.expression;
        libs = new Set<JsLibrary>(['vercel-postgres']);
      }
      const ref = poolRef(ctx, imports, tagObj, node);
      if (!ref || !libs.has(ref.library)) return;
      const text = templateText(node.template);
      const found = text !== undefined ? transactionControlOf(text)?.statement : undefined;
      if (found) out.push({ file: ctx.file, range: ctx.rangeOf(node), statement: found, via: shortText(node.tag, sf), library: ref.library });
    }
  });
  return out.sort((a, b) => a.range.line - b.range.line || a.range.column - b.range.column);
}

/** A quote, optional SQL comments, then a keyword classifyStatement() knows. */
const KEYWORD_IN_STRING = /['"`](?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(?:begin|start|commit|end|abort|rollback|savepoint|release|set)\b/i;

/** The pool this receiver is; undefined for clients, reserved connections and transactions. */
function poolRef(ctx: JsModuleContext, imports: Map<string, ImportedBinding>, obj: ts.Expression, at: ts.Node): ConnectionObjectRef | undefined {
  const root = unwrap(obj);
  // `sql.begin(async sql => sql\`…\`)`, `withTx(async (pool) => …)`: a parameter is not the module's pool.
  if (ts.isIdentifier(root) && isShadowedByParameter(at, root.text)) return undefined;
  let ref: ConnectionObjectRef | undefined;
  try {
    ref = ctx.resolveConnectionObject(obj);
  } catch {
    ref = undefined;
  }
  if (!ref && ts.isIdentifier(root)) {
    // @vercel/postgres exports ready pools: `import { sql, db } from '@vercel/postgres'`.
    const b = imports.get(root.text);
    if (b && ctx.libraryOf(b.module) === 'vercel-postgres' && (b.imported === 'sql' || b.imported === 'db')) ref = { library: 'vercel-postgres', kind: 'pool' };
  }
  if (!ref || ref.kind !== 'pool') return undefined;
  // With a single connection every call shares it; postgres.js allows BEGIN exactly then
  // (postgres 3.4.9 src/connection.js: UNSAFE_TRANSACTION unless `max === 1` or reserved).
  const max = ref.definition?.max;
  if (max && max.value === 1 && (max.provenance.kind === 'literal' || max.provenance.kind === 'constant')) return undefined;
  return ref;
}

/** False when the call is routed to a transaction's connection after all. */
function sendsOnPool(call: ts.CallExpression, library: JsLibrary): boolean {
  if (library === 'knex') {
    // knex.raw('SET LOCAL …').transacting(trx) runs on trx's connection.
    const pa = outerOf(call).parent;
    if (pa && ts.isPropertyAccessExpression(pa) && pa.name.text === 'transacting') return false;
  }
  if (library === 'sequelize') {
    // sequelize.query(sql, { transaction: t }); an options object we cannot see may carry one.
    for (const a of call.arguments.slice(1)) {
      const u = unwrap(a);
      if (!ts.isObjectLiteralExpression(u)) return false;
      if (u.properties.some((p) => !p.name || (ts.isIdentifier(p.name) && p.name.text === 'transaction') || ts.isSpreadAssignment(p))) return false;
    }
    // With CLS (Sequelize v6 `useCLS`, always in v7) queries inside a managed
    // `sequelize.transaction(async () => …)` callback join that transaction.
    if (insideTransactionCallback(call)) return false;
  }
  // TypeORM DataSource.query(sql, parameters, queryRunner): runs on the given query runner.
  if (library === 'typeorm' && call.arguments.length >= 3) return false;
  return true;
}

function insideTransactionCallback(node: ts.Node): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (!isFunctionLike(n)) continue;
    const call = outerOf(n).parent;
    if (call && ts.isCallExpression(call) && memberName(call.expression) === 'transaction') return true;
  }
  return false;
}

/** The transaction statement an argument's SQL text amounts to, when it can be read. */
function statementIn(ctx: JsModuleContext, arg: ts.Expression | undefined): string | undefined {
  const text = sqlText(ctx, arg, 0);
  return text === undefined ? undefined : transactionControlOf(text)?.statement;
}

function sqlText(ctx: JsModuleContext, arg: ts.Expression | undefined, depth: number): string | undefined {
  if (!arg || depth > 3) return undefined;
  const e = unwrap(arg);
  if (ts.isStringLiteralLike(e)) return e.text;
  if (ts.isTemplateExpression(e)) return templateText(e);
  if (ts.isObjectLiteralExpression(e)) {
    // node-postgres query config: { text: 'BEGIN' } (a `name` would not change where it runs).
    for (const p of e.properties) if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'text') return sqlText(ctx, p.initializer, depth + 1);
    return undefined;
  }
  if (ts.isIdentifier(e)) {
    const init = constInitializer(ctx.sourceFile, e.text);
    return init ? sqlText(ctx, init, depth + 1) : undefined;
  }
  return undefined;
}
