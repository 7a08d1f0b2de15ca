/**
 * Reads `prisma.config.ts` (Prisma 6.x optional, Prisma 7 required) from its TypeScript syntax
 * tree. The file is never executed: only literal values, `env('X')` from prisma/config,
 * `process.env.X` (with `??`/`||` fallbacks) and top-level `const`s are understood.
 *
 * Shape (prisma/prisma packages/config/src/PrismaConfig.ts, 7.x): `{ schema?, migrations?: { path?,
 * seed?, initShadowDb? }, datasource?: { url?, shadowDatabaseUrl? }, experimental?, tables?, enums?,
 * views?, typedSql?, extensions? }`, decoded with `onExcessProperty: 'error'`, so any other key
 * (notably `datasource.directUrl`) makes Prisma refuse the file. Prisma 6.12–6.19 instead had
 * `engine: 'classic'` + `datasource: { url, directUrl?, shadowDatabaseUrl? }` or `engine: 'js'` + `adapter`.
 * Docs: https://www.prisma.io/docs/orm/reference/prisma-config-reference
 */
import ts from '../js/typescript.cjs';
import { LineIndex, type SourceRange } from '../../core/location.js';
import { readTextFile, type TextFile } from '../../core/read-text.js';
import { parseConfigSource } from '../js/nesting.js';
import { MAX_NESTING_DEPTH } from '../../core/limits.js';
import type { PrismaConfigFacts, PrismaValue } from './types.js';

const MAX_CONST_DEPTH = 8;

export function parsePrismaConfig(text: string, file: string): PrismaConfigFacts {
  const scriptKind = /\.[cm]?js$/i.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const facts: PrismaConfigFacts = { file, problems: [] };
  const sf = parseConfigSource(text, file, file, text, scriptKind, facts.problems);
  if (!sf) return facts;
  const idx = new LineIndex(text);
  const rangeOf = (a: number, b: number): SourceRange => idx.range(file, a, b);
  const nodeRange = (node: ts.Node): SourceRange => rangeOf(node.getStart(sf), node.getEnd());

  // Top-level `const x = …` for resolving identifiers.
  const consts = new Map<string, ts.Expression>();
  let exported: ts.Expression | undefined;
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st) && (st.declarationList.flags & ts.NodeFlags.Const) !== 0) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer) consts.set(d.name.text, d.initializer);
      }
    } else if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const mod = st.moduleSpecifier.text;
      // `import 'dotenv/config'`, `import { config } from 'dotenv'`, `import '@dotenvx/dotenvx/config'`.
      if (/^(?:dotenv|@dotenvx\/dotenvx)(?:\/config)?$/.test(mod) && !facts.dotenvImport) {
        facts.dotenvImport = { module: mod, range: nodeRange(st) };
      }
    } else if (ts.isExportAssignment(st)) {
      exported = st.expression; // `export default …` and `export = …`
    } else if (
      ts.isExpressionStatement(st) &&
      ts.isBinaryExpression(st.expression) &&
      st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      st.expression.left.getText(sf) === 'module.exports'
    ) {
      exported = st.expression.right;
    }
  }
  if (!exported) {
    facts.problems.push({
      severity: 'warning',
      message: 'No default export found in this Prisma config file; its settings could not be read.',
      help: 'Export the configuration with `export default defineConfig({ … })`.',
      range: rangeOf(0, 0),
    });
    return facts;
  }

  const unwrap = (e: ts.Expression): ts.Expression => {
    for (;;) {
      if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
      else return e;
    }
  };
  const resolveConst = (e: ts.Expression, depth: number): ts.Expression => {
    e = unwrap(e);
    if (ts.isIdentifier(e) && depth < MAX_CONST_DEPTH) {
      const init = consts.get(e.text);
      if (init) return resolveConst(init, depth + 1);
    }
    return e;
  };
  const objectOf = (e: ts.Expression): ts.ObjectLiteralExpression | undefined => {
    e = resolveConst(e, 0);
    // defineConfig({ … }) — any callee named defineConfig (imported under that name or as x.defineConfig).
    if (ts.isCallExpression(e)) {
      const callee = e.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      const arg = e.arguments[0];
      if (name === 'defineConfig' && arg) return objectOf(arg);
      return undefined;
    }
    return ts.isObjectLiteralExpression(e) ? e : undefined;
  };
  const prop = (obj: ts.ObjectLiteralExpression, key: string): { value: ts.Expression; node: ts.Node } | undefined => {
    let found: { value: ts.Expression; node: ts.Node } | undefined;
    for (const p of obj.properties) {
      // A later property overrides an earlier one, as in JavaScript.
      if (ts.isPropertyAssignment(p) && propertyName(p.name) === key) found = { value: p.initializer, node: p };
      else if (ts.isShorthandPropertyAssignment(p) && p.name.text === key) found = { value: p.name, node: p };
      else if (ts.isSpreadAssignment(p)) found = undefined; // a spread may override: unknown
    }
    return found;
  };

  /** `depth`: constants followed; `nest`: `??`/`||` operands entered (a chain of thousands would overflow the stack). */
  const valueOf = (e: ts.Expression, depth = 0, nest = 0): PrismaValue => {
    const node = unwrap(e);
    if (nest > MAX_NESTING_DEPTH) return { kind: 'other', text: `(nested more than ${MAX_NESTING_DEPTH} levels deep)`, range: nodeRange(node) };
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      return { kind: 'literal', value: node.text, range: rangeOf(node.getStart(sf) + 1, node.getEnd() - 1) };
    }
    const envVar = envVarOf(node);
    if (envVar !== undefined) return { kind: 'env', envVar, range: nodeRange(node) };
    if (
      ts.isBinaryExpression(node) &&
      (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || node.operatorToken.kind === ts.SyntaxKind.BarBarToken)
    ) {
      const left = valueOf(node.left, depth, nest + 1);
      // `a ?? b ?? c` is `(a ?? b) ?? c`: c goes at the end of a's fallback chain.
      const append = (v: PrismaValue, right: () => PrismaValue): PrismaValue => {
        if (v.kind !== 'env') return v;
        return { ...v, fallback: v.fallback ? append(v.fallback, right) : right() };
      };
      if (left.kind === 'env') return { ...append(left, () => valueOf(node.right, depth, nest + 1)), range: nodeRange(node) };
      // A non-empty literal on the left always wins; an empty one only survives `??`.
      if (left.kind === 'literal' && (left.value !== '' || node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) return left;
      if (left.kind === 'literal') return valueOf(node.right, depth, nest + 1);
      return { kind: 'other', text: node.getText(sf), range: nodeRange(node) };
    }
    if (ts.isIdentifier(node) && depth < MAX_CONST_DEPTH) {
      const init = consts.get(node.text);
      if (init) return valueOf(init, depth + 1, nest + 1);
    }
    return { kind: 'other', text: node.getText(sf), range: nodeRange(node) };
  };

  const config = objectOf(exported);
  if (!config) {
    facts.problems.push({
      severity: 'warning',
      message: 'The default export is not a `defineConfig({ … })` call or an object literal; its settings could not be read statically.',
      range: nodeRange(exported),
    });
    return facts;
  }
  facts.range = nodeRange(config);

  const schema = prop(config, 'schema');
  if (schema) {
    const v = valueOf(schema.value);
    facts.schemaValue = v;
    if (v.kind === 'literal') facts.schemaPath = v.value;
  }
  const engine = prop(config, 'engine');
  if (engine) {
    const v = valueOf(engine.value);
    if (v.kind === 'literal') facts.engine = v.value;
  }
  const migrations = prop(config, 'migrations');
  const migrationsObj = migrations ? objectOf(migrations.value) : undefined;
  const migrationsPath = migrationsObj ? prop(migrationsObj, 'path') : undefined;
  if (migrationsPath) {
    const v = valueOf(migrationsPath.value);
    if (v.kind === 'literal') facts.migrationsPath = v.value;
  }

  const datasource = prop(config, 'datasource');
  if (datasource) {
    const ds = objectOf(datasource.value);
    if (!ds) {
      facts.problems.push({
        severity: 'warning',
        message: '`datasource` is not an object literal; the database URL could not be read statically.',
        range: nodeRange(datasource.value),
      });
    } else {
      const out: NonNullable<PrismaConfigFacts['datasource']> = { range: nodeRange(ds) };
      const url = prop(ds, 'url');
      const shadow = prop(ds, 'shadowDatabaseUrl');
      const direct = prop(ds, 'directUrl');
      if (url) out.url = valueOf(url.value);
      if (shadow) out.shadowDatabaseUrl = valueOf(shadow.value);
      if (direct) {
        out.directUrl = valueOf(direct.value);
        if (facts.engine !== 'classic') {
          facts.problems.push({
            message:
              'Prisma 7 refuses this config: `datasource` accepts only `url` and `shadowDatabaseUrl`, and `directUrl` is an unknown key.',
            help: 'Put the direct (non-pooled) connection string in `datasource.url`: the CLI uses it for migrations, while the application connects through its driver adapter.',
            range: nodeRange(direct.node),
          });
        }
      }
      facts.datasource = out;
    }
  }
  return facts;

  function envVarOf(node: ts.Expression): string | undefined {
    // env('X') / env<Env>('X') from prisma/config (throws when X is unset)
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'env') {
      const a = node.arguments[0];
      if (a && (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a))) return a.text;
      return undefined;
    }
    // process.env.X / process.env['X']
    const target = ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) ? node.expression : undefined;
    if (!target || unwrapText(target) !== 'process.env') return undefined;
    if (ts.isPropertyAccessExpression(node)) return node.name.text;
    const arg = (node as ts.ElementAccessExpression).argumentExpression;
    return ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg) ? arg.text : undefined;
  }
  function unwrapText(e: ts.Expression): string {
    return unwrap(e).getText(sf).replace(/\s+/g, '');
  }
}

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteral(name.expression)) return name.expression.text;
  return undefined;
}

/** Reads the file and parses it; an unreadable file becomes a problem. */
export function loadPrismaConfig(path: string, readFile: (path: string) => TextFile = readTextFile): PrismaConfigFacts {
  const t = readFile(path);
  if (!t.ok) return { file: path, problems: [t.problem] };
  const facts = parsePrismaConfig(t.text, path);
  facts.problems.unshift(...t.problems);
  return facts;
}
