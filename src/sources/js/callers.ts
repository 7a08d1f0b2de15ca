/**
 * Pools sized by their callers (issue 15): a construction inside a function whose size comes from
 * the function's parameters (`init(config)` → `new pg.Pool(config)`, `buildWriterClient({
 * connectionLimit = env.X })`) is read again once per chain of calls that reaches it, with the
 * parameters bound to each call's arguments (`withBoundCalls`), across the modules of the analysis
 * and up to MAX_LEVELS calls up. When every chain gives the same size, the pool has that size; when
 * they differ, the construction is one pool per outermost call site (`calledFrom`), each with its own
 * size. A function whose callers cannot all be seen (it is passed around as a value, or has none in
 * the analysed files) stops the walk there, and what depends on it stays unknown.
 */
import ts from './typescript.cjs';
import { definitionId } from './libraries/common.js';
import { type CallSite, type JsModule, trace, withBoundCalls } from './module.js';
import type { PoolDefinition, Resolved } from './types.js';
import { forEachNodeOfKinds, isFunctionLike, kindMask } from './walk.js';

/** Calls followed up from the construction: `route → new PostgresMeta(cfg) → init(config) → new Pool(config)` is two. */
const MAX_LEVELS = 3;
/** Chains read per construction (postgres-meta builds its one pool from 90 route handlers). */
const MAX_CHAINS = 160;
/** Call sites of one function that are followed. */
const MAX_CALLS = 160;

type Fn = ts.SignatureDeclaration;

export interface CallersHost {
  /** Every loaded module of the analysis (the callers are looked for in them). */
  modules(): Iterable<JsModule>;
  repoRoot: string;
  /** Reads the construction again (not registered), under the active bindings. */
  reread(def: PoolDefinition): PoolDefinition | undefined;
  /** The construction's node. */
  nodeOf(def: PoolDefinition): ts.Node | undefined;
  /**
   * Does a module whose tree is gone (settled early, src/sources/js/project.ts) mention `name`? A
   * module that does not cannot hold a call of it (`find` looks only where the text does); one that
   * does makes the host analyse its part again with every tree alive.
   */
  droppedMentions?(name: string): boolean;
}

/** The functions around a node, the innermost first: only their parameters can reach it. */
function enclosingFunctions(node: ts.Node): Fn[] {
  const out: Fn[] = [];
  for (let p = node.parent; p !== undefined; p = p.parent) if (isFunctionLike(p)) out.push(p as Fn);
  return out;
}

const IDENTIFIERS = kindMask([ts.SyntaxKind.Identifier]);

/**
 * The names `CallerIndex` first looks for to size a construction: those of the functions around it
 * (callers of their callers come later). A module whose text names none holds none of those calls.
 */
export function callerNames(construction: ts.Node): string[] {
  const out: string[] = [];
  for (const fn of enclosingFunctions(construction)) {
    const how = calledAs(fn);
    if (how !== undefined) out.push(how.name);
  }
  return out;
}

/** The name a function is called by, and what a call must resolve to (a constructor's class). */
function calledAs(fn: Fn): { name: string; target: ts.Node; isNew: boolean } | undefined {
  if (ts.isConstructorDeclaration(fn)) {
    const cls = fn.parent;
    return ts.isClassDeclaration(cls) && cls.name !== undefined ? { name: cls.name.text, target: cls, isNew: true } : undefined;
  }
  if (ts.isFunctionDeclaration(fn)) return fn.name !== undefined ? { name: fn.name.text, target: fn, isNew: false } : undefined;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && fn.parent.initializer === fn && ts.isIdentifier(fn.parent.name)) {
    return { name: fn.parent.name.text, target: fn, isNew: false };
  }
  return undefined;
}

function resolvesTo(expr: ts.Expression, module: JsModule, target: ts.Node): boolean {
  const t = trace(expr, module, [], 'object');
  return t?.kind === 'node' && t.path.length === 0 && t.node === target;
}

/**
 * `fm.createDb(config)` where `fm` is a parameter whose default is an object of factory methods
 * (`fm = { createDb, createStores }`): the call runs the default's method when the caller passes
 * none, whatever else it may run.
 */
function viaDefaultObject(access: ts.PropertyAccessExpression, module: JsModule, target: ts.Node): boolean {
  const t = trace(access.expression, module, [], 'object');
  if (t?.kind !== 'opaque' || t.path.length > 0 || !ts.isParameter(t.node) || t.node.initializer === undefined) return false;
  return traceIs(trace(t.node.initializer, t.module, [access.name.text], 'object'), target);
}

function traceIs(t: ReturnType<typeof trace>, target: ts.Node): boolean {
  return t?.kind === 'node' && t.path.length === 0 && t.node === target;
}

/** Where an identifier is not a use of the value it names: a declaration's name, an import or export specifier, a property key. */
function isNotAUse(id: ts.Identifier): boolean {
  const p = id.parent;
  if (p === undefined) return true;
  if (ts.isImportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p) || ts.isExportSpecifier(p) || ts.isImportEqualsDeclaration(p)) return true;
  if ((ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isVariableDeclaration(p) || ts.isFunctionExpression(p) || ts.isClassExpression(p)) && p.name === id) return true;
  if ((ts.isPropertyAssignment(p) || ts.isPropertySignature(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isMethodSignature(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p) || ts.isEnumMember(p)) && p.name === id) return true;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return true;
  if (ts.isQualifiedName(p) || ts.isTypeReferenceNode(p) || ts.isTypeQueryNode(p) || ts.isExpressionWithTypeArguments(p)) return true;
  return false;
}

/** Is this object literal the default of a parameter (an object of factory methods)? */
function isParameterDefault(obj: ts.Node): boolean {
  let n: ts.Node = obj;
  while (n.parent !== undefined && (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isSatisfiesExpression(n.parent))) n = n.parent;
  return n.parent !== undefined && ts.isParameter(n.parent) && n.parent.initializer === n;
}

export class CallerIndex {
  private readonly cache = new Map<Fn, { calls: CallSite[] } | { reason: string }>();

  constructor(private readonly host: CallersHost) {}

  /** Every call of `fn` in the analysed modules, in file and position order, or why they cannot all be known. */
  callersOf(fn: Fn): { calls: CallSite[] } | { reason: string } {
    const hit = this.cache.get(fn);
    if (hit !== undefined) return hit;
    const out = this.find(fn);
    this.cache.set(fn, out);
    return out;
  }

  private find(fn: Fn): { calls: CallSite[] } | { reason: string } {
    const how = calledAs(fn);
    if (how === undefined) return { reason: 'a function without a name of its own' };
    // Its answer is not used: the host analyses the part again (project.ts `mustRedo`).
    if (this.host.droppedMentions?.(how.name) === true) return { reason: `${how.name} is mentioned in a module whose tree was dropped` };
    const calls: CallSite[] = [];
    let passed: string | undefined;
    for (const m of this.host.modules()) {
      if (passed !== undefined) break;
      if (!m.sourceFile.text.includes(how.name)) continue;
      forEachNodeOfKinds(m.sourceFile, IDENTIFIERS, (n) => {
        if (passed !== undefined || !ts.isIdentifier(n) || n.text !== how.name) return;
        const p = n.parent;
        // fm.createDb(config): a method of a parameter's default object of factory methods
        if (p !== undefined && ts.isPropertyAccessExpression(p) && p.name === n) {
          const call = p.parent;
          if (call !== undefined && (ts.isCallExpression(call) || ts.isNewExpression(call)) && call.expression === p && ts.isNewExpression(call) === how.isNew) {
            if (resolvesTo(p, m, how.target) || viaDefaultObject(p, m, how.target)) calls.push({ call, module: m });
          }
          return;
        }
        if (isNotAUse(n)) return;
        if (!resolvesTo(n, m, how.target)) return;
        if (p !== undefined && (ts.isCallExpression(p) || ts.isNewExpression(p)) && p.expression === n) {
          if (ts.isNewExpression(p) === how.isNew) calls.push({ call: p, module: m });
          return;
        }
        // { createDb } as a parameter's default: its calls are the `param.createDb(…)` found above
        if (p !== undefined && ts.isShorthandPropertyAssignment(p) && isParameterDefault(p.parent)) return;
        passed = `${how.name} is used as a value at ${shortFile(m.file)}:${m.rangeOf(n).line}, and where that value is called is not followed`;
      });
    }
    if (passed !== undefined) return { reason: passed };
    if (calls.length === 0) return { reason: `no call of ${how.name} in the analysed files` };
    if (calls.length > MAX_CALLS) return { reason: `${how.name} is called from more than ${MAX_CALLS} places` };
    calls.sort((a, b) => (a.module.file < b.module.file ? -1 : a.module.file > b.module.file ? 1 : a.call.getStart() - b.call.getStart()));
    return { calls };
  }

  /**
   * The pool definitions a construction stands for once its callers are followed: the same object
   * (its size now known) when every chain agrees, one per outermost call site when they differ, or
   * the definition unchanged when no caller can be followed.
   */
  resolve(def: PoolDefinition): PoolDefinition[] {
    interface Chain {
      bindings: Map<Fn, CallSite>;
      sites: CallSite[];
      unbound: Set<Fn>;
      def: PoolDefinition | undefined;
    }
    const read = (bindings: Map<Fn, CallSite>): { def: PoolDefinition | undefined; unbound: Set<Fn> } => {
      const unbound = new Set<Fn>();
      const d = withBoundCalls(bindings, unbound, () => this.host.reread(def));
      return { def: d, unbound };
    };
    const construction = this.host.nodeOf(def);
    if (construction === undefined) return [def];
    const first = read(new Map());
    if (!enclosingFunctions(construction).some((f) => first.unbound.has(f))) return [def];
    let frontier: Chain[] = [{ bindings: new Map(), sites: [], unbound: first.unbound, def: first.def }];
    const leaves: Chain[] = [];
    let chains = 0;
    let stop: string | undefined;
    for (let level = 0; level < MAX_LEVELS && frontier.length > 0 && stop === undefined; level++) {
      const next: Chain[] = [];
      for (const c of frontier) {
        // the innermost function first: its parameters are what the construction reads
        // a chain that gives the size ends there (the URL may still depend on a request)
        const sized = c.def !== undefined && c.def.max.provenance.kind !== 'unknown';
        // the functions around the construction (then around the last call followed) whose parameters it read
        const point = c.sites.length === 0 ? construction : c.sites[c.sites.length - 1]!.call;
        const open = sized ? [] : enclosingFunctions(point).filter((f) => c.unbound.has(f) && !c.bindings.has(f)).map((f) => ({ f, callers: this.callersOf(f) }));
        const followed = open.find((o) => 'calls' in o.callers);
        if (followed === undefined || !('calls' in followed.callers)) {
          leaves.push(c);
          continue;
        }
        for (const site of followed.callers.calls) {
          if (++chains > MAX_CHAINS) {
            stop = `more than ${MAX_CHAINS} chains of calls reach it`;
            break;
          }
          const bindings = new Map(c.bindings);
          bindings.set(followed.f, site);
          const r = read(bindings);
          next.push({ bindings, sites: [...c.sites, site], unbound: r.unbound, def: r.def });
        }
        if (stop !== undefined) break;
      }
      frontier = next;
    }
    if (stop !== undefined) return [def];
    leaves.push(...frontier);
    const found = leaves.filter((c) => c.sites.length > 0 && c.def !== undefined);
    if (found.length === 0 || found.length !== leaves.length) return [def];
    const sizes = found.map((c) => c.def!.max);
    if (sizes.every((s) => s.provenance.kind === 'unknown')) return [def];
    if (sizes.every((s) => sameResolved(s, sizes[0]!))) {
      // every caller gives the same size: one pool, with what every chain reads alike
      for (const key of AGREED) {
        const vals = found.map((c) => c.def![key] as Resolved<unknown> | undefined);
        const v0 = vals[0];
        if (v0 !== undefined && vals.every((v) => v !== undefined && sameResolved(v, v0))) (def as unknown as Record<string, unknown>)[key] = v0;
      }
      const seen = new Set<string>();
      def.sizedBy = [];
      for (const c of found) {
        const outer = c.sites[c.sites.length - 1]!;
        const at = outer.module.rangeOf(outer.call);
        const key = `${at.file}:${at.line}:${at.column}`;
        if (!seen.has(key)) {
          seen.add(key);
          def.sizedBy.push(at);
        }
      }
      return [def];
    }
    // different sizes: a pool per outermost call site
    return found.map((c, i) => {
      const d = c.def!;
      const outer = c.sites[c.sites.length - 1]!;
      const at = outer.module.rangeOf(outer.call);
      const out: PoolDefinition = i === 0 ? Object.assign(def, { ...d, id: def.id, exportedAs: def.exportedAs }) : { ...d, exportedAs: [...def.exportedAs], id: `${def.id}@${definitionId(this.host.repoRoot, at.file, at.line, at.column)}` };
      out.calledFrom = c.sites.map((s) => s.module.rangeOf(s.call)).reverse();
      return out;
    });
  }
}

/** The fields taken from the callers when every chain reads them alike. */
const AGREED = ['max', 'min', 'idleTimeoutMs', 'acquireTimeoutMs', 'connectTimeoutMs', 'preparedStatements', 'connectionString'] as const;

/** The same value from the same source (ranges aside: each chain writes it in its own caller). */
function sameResolved(a: Resolved<unknown>, b: Resolved<unknown>): boolean {
  if (a.value !== b.value || a.provenance.kind !== b.provenance.kind) return false;
  const strip = (r: Resolved<unknown>) => JSON.stringify({ ...r.provenance, definedAt: undefined, fallbackAt: undefined, reason: undefined });
  if (strip(a) !== strip(b)) return false;
  return JSON.stringify(a.alternatives ?? null) === JSON.stringify(b.alternatives ?? null);
}

function shortFile(file: string): string {
  return file.split(/[\\/]/).slice(-2).join('/');
}

/** Is this node inside a function (a construction that runs per call)? */
export function insideFunction(node: ts.Node): boolean {
  for (let p = node.parent; p !== undefined; p = p.parent) if (isFunctionLike(p)) return true;
  return false;
}
