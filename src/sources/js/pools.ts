import ts from './typescript.cjs';
import { calleeOrigin, type ExtractContext, type Site } from './libraries/common.js';
import { readKnex } from './libraries/knex.js';
import { readMikroOrm } from './libraries/mikro-orm.js';
import { readPgConstruction } from './libraries/pg.js';
import { readPostgresJs } from './libraries/postgres-js.js';
import { readPrismaClient } from './libraries/prisma.js';
import { readSequelize } from './libraries/sequelize.js';
import { readTypeorm } from './libraries/typeorm.js';
import { readDrizzle, readKysely, readPrismaPg } from './libraries/wrappers.js';
import { libraryOf } from './libraries.js';
import type { JsModule } from './module.js';
import { applyPerElement } from './per-element.js';
import { objectLiteralOf, type OptionBag, readOptions } from './options.js';
import type { PoolDefinition } from './types.js';
import { forEachNodeOfKinds, kindMask, unwrapExpression, walk } from './walk.js';

export type { ExtractContext } from './libraries/common.js';

type Reader = (site: Site) => PoolDefinition | undefined;

/** Neon's Pool/Client are node-postgres forks with the same options and defaults (@neondatabase/serverless README: drop-in replacement for pg). */
const VERCEL_URL = { envVar: 'POSTGRES_URL', note: '@vercel/postgres src/create-pool.ts: connectionString defaults to POSTGRES_URL' };

/** Which reader handles a construction, from the library export it calls. */
function readerFor(specifier: string, path: readonly string[], isNew: boolean): Reader | undefined {
  const lib = libraryOf(specifier);
  const p = path.join('.');
  switch (lib) {
    case 'pg':
      if (specifier === 'pg-pool') return isNew && p === '' ? (s) => readPgConstruction(s, 'pg', 'pool') : undefined;
      if (!isNew || !(specifier === 'pg' || specifier === 'pg/lib/index.js')) return undefined;
      if (p === 'Pool' || p === 'native.Pool') return (s) => readPgConstruction(s, 'pg', 'pool');
      if (p === 'Client' || p === 'native.Client') return (s) => readPgConstruction(s, 'pg', 'client');
      return undefined;
    case 'neon-serverless':
      if (!isNew) return undefined;
      if (p === 'Pool') return (s) => readPgConstruction(s, 'neon-serverless', 'pool');
      if (p === 'Client') return (s) => readPgConstruction(s, 'neon-serverless', 'client');
      return undefined;
    case 'vercel-postgres':
      if (isNew) return undefined;
      if (p === 'createPool') return (s) => readPgConstruction(s, 'vercel-postgres', 'pool', VERCEL_URL);
      if (p === 'createClient') return (s) => readPgConstruction(s, 'vercel-postgres', 'client');
      return undefined;
    case 'postgres':
      return !isNew && p === '' && specifier === 'postgres' ? readPostgresJs : undefined;
    case 'sequelize':
      return isNew && (p === '' || p === 'Sequelize') ? readSequelize : undefined;
    case 'typeorm':
      if (specifier === '@nestjs/typeorm') {
        if (!isNew && p === 'TypeOrmModule.forRoot') return (s) => readTypeorm(s, 'forRoot');
        if (!isNew && p === 'TypeOrmModule.forRootAsync') return (s) => readTypeorm(s, 'forRootAsync');
        return undefined;
      }
      if (isNew && (p === 'DataSource' || p === 'Connection')) return (s) => readTypeorm(s, 'DataSource');
      if (!isNew && p === 'createConnection') return (s) => readTypeorm(s, 'DataSource');
      return undefined;
    case 'knex':
      return !isNew && (p === '' || p === 'knex') ? readKnex : undefined;
    case 'kysely':
      return isNew && p === 'Kysely' ? readKysely : undefined;
    case 'drizzle':
      return !isNew && p === 'drizzle' ? readDrizzle : undefined;
    case 'mikro-orm':
      // MikroORM 5/6 re-export knex: packages/knex/src/index.ts `export { Knex, knex } from 'knex'`, and
      // packages/postgresql/src/index.ts `export * from '@mikro-orm/knex'` (medusa's create-pg-connection).
      if (!isNew && p === 'knex' && (specifier === '@mikro-orm/knex' || specifier === '@mikro-orm/postgresql')) return readKnex;
      if ((!isNew && p === 'MikroORM.init') || (isNew && p === 'MikroORM')) return readMikroOrm;
      if (!isNew && specifier === '@mikro-orm/nestjs' && p === 'MikroOrmModule.forRoot') return readMikroOrm;
      if (!isNew && specifier === '@mikro-orm/nestjs' && p === 'MikroOrmModule.forRootAsync') return (s) => readMikroOrm({ ...s, args: factoryArgs(s) });
      return undefined;
    case 'prisma':
      if (specifier === 'nestjs-prisma') return !isNew && (p === 'PrismaModule.forRoot' || p === 'PrismaModule.forRootAsync') ? (s) => readNestjsPrisma(s, p === 'PrismaModule.forRootAsync') : undefined;
      return isNew && p === 'PrismaClient' ? readPrismaClient : undefined;
    case 'prisma-adapter-pg':
      return isNew && p === 'PrismaPg' ? readPrismaPg : undefined;
    default:
      return undefined;
  }
}

/**
 * nestjs-prisma `PrismaModule.forRoot({ prismaServiceOptions: { prismaOptions } })`: the module provides
 * PrismaService, which `extends PrismaClient` and calls `super(prismaServiceOptions.prismaOptions)`
 * (notiz-dev/nestjs-prisma lib/prisma.module.ts, lib/prisma.service.ts): one PrismaClient of the app,
 * read like `new PrismaClient(prismaOptions)`.
 */
function readNestjsPrisma(s: Site, isAsync: boolean): PoolDefinition | undefined {
  const a0 = s.args[0];
  let l: ReturnType<OptionBag['lookup']> | undefined;
  if (a0 !== undefined && !isAsync) l = readOptions(a0, s.module).lookup('prismaServiceOptions.prismaOptions');
  else if (a0 !== undefined) {
    // forRootAsync({ useFactory: (config) => ({ prismaOptions: { … } }) }): the factory returns PrismaServiceOptions
    const f = readOptions(a0, s.module).lookup('useFactory');
    l = f.state === 'set' ? readOptions(f.entry.node, f.entry.module).lookup('prismaOptions') : { state: 'unknown', reason: 'the options come from useClass/useExisting' };
  }
  const def = readPrismaClient({ ...s, args: l?.state === 'set' ? [l.entry.node] : [] });
  if (l?.state === 'unknown') (def.opaqueOptions ??= []).push({ prefix: '', reason: `prismaServiceOptions.prismaOptions: ${l.reason}`, ...(l.range ? { range: l.range } : {}) });
  return def;
}

/** `forRootAsync({ useFactory: () => ({…}) })` → the factory, read as the options. */
function factoryArgs(s: Site): ts.Expression[] {
  const a0 = s.args[0];
  if (a0 === undefined) return [];
  const l = readOptions(a0, s.module).lookup('useFactory');
  return l.state === 'set' ? [l.entry.node] : [];
}

/** `new PrismaClient()` with PrismaClient imported from a generated client (`./generated/prisma`, Prisma 7's custom output). */
function isGeneratedPrismaClient(callee: ts.Expression, module: JsModule): boolean {
  const c = unwrapExpression(callee);
  const id = ts.isIdentifier(c) ? c : ts.isPropertyAccessExpression(c) && c.name.text === 'PrismaClient' && ts.isIdentifier(c.expression) ? c.expression : undefined;
  if (id === undefined) return false;
  if (ts.isIdentifier(c) && c.text !== 'PrismaClient') {
    // import { PrismaClient as DB } …
    const d = module.lookup(id);
    if (d?.kind !== 'import' || !ts.isImportSpecifier(d.node) || (d.node.propertyName ?? d.node.name).text !== 'PrismaClient') return false;
  }
  const d = module.lookup(id);
  if (d === undefined) return false;
  let spec: string | undefined;
  if (d.kind === 'import') {
    const n = d.node;
    if (ts.isImportEqualsDeclaration(n)) {
      const r = n.moduleReference;
      spec = ts.isExternalModuleReference(r) && ts.isStringLiteralLike(r.expression) ? r.expression.text : undefined;
    } else {
      const decl = ts.isImportSpecifier(n) ? n.parent.parent.parent : ts.isNamespaceImport(n) ? n.parent.parent : n.parent;
      spec = ts.isStringLiteralLike(decl.moduleSpecifier) ? decl.moduleSpecifier.text : undefined;
    }
  } else if (d.kind === 'var' && d.declaration.initializer) {
    const init = unwrapExpression(d.declaration.initializer);
    if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' && init.arguments[0] && ts.isStringLiteralLike(init.arguments[0])) {
      spec = init.arguments[0].text;
    }
  }
  if (spec === undefined) return false;
  if (/prisma|generated/i.test(spec)) return true;
  // A workspace package that re-exports the generated client: `@acme/database` whose src/index.ts is
  // `export * from '../generated/prisma'` (trigger.dev), or `export { PrismaClient } from '@prisma/client'`.
  const r = module.host.resolveImport(module.file, spec);
  return r.kind === 'local' && reexportsPrismaClient(r.module, 0);
}

/** Does the module re-export PrismaClient from `@prisma/client` or a generated client (the output is not in the repository)? */
function reexportsPrismaClient(m: JsModule, depth: number): boolean {
  if (depth > 3) return false;
  const t = m.exports();
  const named = t.named.get('PrismaClient');
  const fromGenerated = (spec: string): boolean => {
    if (!/prisma|generated/i.test(spec)) return false;
    const r = m.host.resolveImport(m.file, spec);
    return r.kind === 'missing' || (r.kind === 'external' && libraryOf(spec) === 'prisma');
  };
  if (named !== undefined) return named.kind === 'reexport' && named.name === 'PrismaClient' && fromGenerated(named.specifier);
  for (const spec of t.stars) {
    if (fromGenerated(spec)) return true;
    const r = m.host.resolveImport(m.file, spec);
    if (r.kind === 'local' && reexportsPrismaClient(r.module, depth + 1)) return true;
  }
  return false;
}

function superArgs(cls: ts.ClassDeclaration): ts.Expression[] {
  for (const m of cls.members) {
    if (!ts.isConstructorDeclaration(m) || m.body === undefined) continue;
    let args: ts.Expression[] = [];
    walk(m.body, (n) => {
      if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword) {
        args = [...n.arguments];
        return false;
      }
      return undefined;
    });
    return args;
  }
  return [];
}

function calleeText(e: ts.Expression): string {
  const t = e.getText().replace(/\s+/g, '');
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}

const CANDIDATE_KINDS = kindMask([ts.SyntaxKind.NewExpression, ts.SyntaxKind.CallExpression, ts.SyntaxKind.ClassDeclaration]);
const CALL_KINDS = kindMask([ts.SyntaxKind.CallExpression]);

function isCandidate(n: ts.Node): n is ts.NewExpression | ts.CallExpression | ts.ClassDeclaration {
  return ts.isNewExpression(n) || ts.isCallExpression(n) || (ts.isClassDeclaration(n) && (n.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword) ?? false));
}

/**
 * The construction sites of one module, with their options resolved. Sites are read
 * on demand (a wrapper asks for the pool it wraps, wherever it is written) and once.
 */
export class ModuleExtractor {
  private readonly done = new Map<ts.Node, PoolDefinition | null>();
  private readonly defs: PoolDefinition[] = [];
  private ran = false;

  constructor(
    private readonly module: JsModule,
    private readonly project: ExtractContext,
    private readonly register: (node: ts.Node, def: PoolDefinition) => void,
  ) {}

  /** The definition created at this node, reading the site now if needed. */
  definitionFor(node: ts.Node): PoolDefinition | undefined {
    const seen = this.done.get(node);
    if (seen !== undefined) return seen ?? undefined;
    if (!isCandidate(node)) return undefined;
    this.done.set(node, null); // a cycle (a site that wraps itself) reads as "no definition"
    const def = readSite(node, this.module, this.project);
    if (def !== undefined) {
      applyPerElement(def, node, this.module);
      this.done.set(node, def);
      this.defs.push(def);
      this.register(node, def);
    }
    return def;
  }

  /** Reads every site of the module and fills in exportedAs. */
  run(): PoolDefinition[] {
    if (this.ran) return this.defs;
    this.ran = true;
    const candidates: ts.Node[] = [];
    forEachNodeOfKinds(this.module.sourceFile, CANDIDATE_KINDS, (n) => {
      if (isCandidate(n)) candidates.push(n);
    });
    for (const c of candidates) this.definitionFor(c);
    if (this.defs.length > 0) {
      for (const name of this.module.exportNames()) {
        const t = this.module.traceExport(name, [], 'object');
        if (t?.kind !== 'node' || t.path.length > 0) continue;
        const def = this.done.get(t.node);
        if (def && !def.exportedAs.includes(name)) def.exportedAs.push(name);
      }
    }
    return this.defs;
  }
}

/** Reads a construction again, as `definitionFor` first did, without registering it (callers.ts reads it once per chain of callers). */
export function rereadConstruction(node: ts.Node, module: JsModule, project: ExtractContext): PoolDefinition | undefined {
  if (!isCandidate(node)) return undefined;
  const def = readSite(node, module, project);
  if (def !== undefined) applyPerElement(def, node, module);
  return def;
}

function readSite(node: ts.NewExpression | ts.CallExpression | ts.ClassDeclaration, module: JsModule, project: ExtractContext): PoolDefinition | undefined {
  if (ts.isClassDeclaration(node)) {
    const ext = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    if (ext === undefined) return undefined;
    const origin = calleeOrigin(ext, module);
    const isPrisma = (origin && libraryOf(origin.specifier) === 'prisma' && origin.path.join('.') === 'PrismaClient') || (!origin && isGeneratedPrismaClient(ext, module));
    if (!isPrisma) return undefined;
    const site: Site = { module, node, args: superArgs(node), construct: `class ${node.name?.text ?? ''} extends ${calleeText(ext)}`, specifier: origin?.specifier ?? '@prisma/client', project };
    return safeRead(readPrismaClient, site);
  }
  const callee = node.expression;
  if (ts.isCallExpression(node) && (callee.kind === ts.SyntaxKind.ImportKeyword || callee.kind === ts.SyntaxKind.SuperKeyword)) return undefined;
  const c = unwrapExpression(callee);
  // cheap syntactic gate before tracing: calls of plain names and member chains only
  if (!ts.isIdentifier(c) && !ts.isPropertyAccessExpression(c) && !ts.isCallExpression(c) && !ts.isElementAccessExpression(c)) return undefined;
  if (ts.isCallExpression(node) && ts.isIdentifier(c) && c.text === 'require') return undefined;
  const isNew = ts.isNewExpression(node);
  // Built only once the call is known to create a pool (most calls do not): formatting the callee's text costs.
  const site = (specifier: string): Site => ({ module, node, args: [...(node.arguments ?? [])], construct: isNew ? `new ${calleeText(callee)}` : `${calleeText(callee)}()`, specifier, project });
  const origin = calleeOrigin(callee, module);
  if (origin === undefined) {
    if (isNew && isGeneratedPrismaClient(callee, module)) return safeRead(readPrismaClient, site('@prisma/client'));
    return undefined;
  }
  const reader = readerFor(origin.specifier, origin.path, isNew);
  if (reader === undefined) return undefined;
  return safeRead(reader, site(origin.specifier));
}

/** A reader that fails on odd code must not take the whole analysis down: the site is skipped. */
function safeRead(reader: Reader, site: Site): PoolDefinition | undefined {
  try {
    const def = reader(site);
    return def;
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}

/**
 * Facts that need every module: named queries (`query({ name, text })` creates a
 * server-side prepared statement, pg 8.23 lib/query.js) and postgres.js `sql.listen()` /
 * `sql.subscribe()` (each a dedicated extra connection: postgres.js 3.4.9 src/index.js
 * listen() creates a separate instance with max 1). Applied module by module, in the order given.
 */
export function applyUsageFacts(modules: readonly JsModule[]): void {
  for (const m of modules) applyUsage(usageOf(m));
}

/**
 * What one module's calls say of the pools they use (`applyUsageFacts`), read from its tree and
 * applied later with `applyUsage`: a module settled early (src/sources/js/project.ts) is read before
 * its tree is dropped, and applied in its place among the others. Applying them in the modules'
 * order gives what `applyUsageFacts` gives: the first named query of a pool is the one kept.
 */
export type UsageFact =
  | { kind: 'prepared'; def: PoolDefinition; range: PoolDefinition['range'] }
  | { kind: 'dedicated'; def: PoolDefinition; max: number | undefined; method: string };

export function usageOf(m: JsModule): UsageFact[] {
  const out: UsageFact[] = [];
  forEachNodeOfKinds(m.sourceFile, CALL_KINDS, (n) => {
    if (!ts.isCallExpression(n)) return undefined;
    const callee = unwrapExpression(n.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const method = callee.name.text;
    if (method !== 'query' && method !== 'listen' && method !== 'subscribe') return undefined;
    try {
      if (method === 'query') {
        const a0 = n.arguments[0];
        if (a0 === undefined) return undefined;
        const obj = objectLiteralOf(a0, m);
        if ('reason' in obj) return undefined;
        const nameProp = obj.node.properties.find((p) => p.name !== undefined && ts.isIdentifier(p.name) && p.name.text === 'name');
        if (nameProp === undefined) return undefined;
        const ref = m.resolveConnectionObject(callee.expression);
        const def = ref?.definition;
        if (def === undefined || !['pg', 'neon-serverless', 'vercel-postgres'].includes(def.library)) return undefined;
        out.push({ kind: 'prepared', def, range: obj.module.rangeOf(nameProp) });
      } else {
        const ref = m.resolveConnectionObject(callee.expression);
        const def = ref?.definition;
        if (def === undefined || def.library !== 'postgres' || ref?.kind !== 'pool') return undefined;
        out.push({ kind: 'dedicated', def, max: def.max.value, method });
      }
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
    }
    return undefined;
  });
  return out;
}

export function applyUsage(facts: readonly UsageFact[]): void {
  for (const f of facts) {
    if (f.kind === 'prepared') {
      if (f.def.preparedStatements === undefined) f.def.preparedStatements = { value: true, provenance: { kind: 'literal' }, range: f.range };
    } else {
      f.def.connectionsPerProcess = {
        value: f.max !== undefined ? f.max + 1 : undefined,
        explanation: `sql.${f.method}() holds one dedicated connection besides the pool of max ${f.max ?? '?'}`,
      };
    }
  }
}

