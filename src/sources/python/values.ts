/**
 * What a Python expression's value is, statically, with where it comes from: the same questions
 * and the same `Provenance` as the JS resolver (src/sources/js/values.ts), for Python's idioms:
 * literals, module constants (also imported from another module of the repository),
 * `os.environ.get("X", "10")`, `os.getenv`, `os.environ["X"]`, `int(...)`, python-decouple
 * `config("X", default=10, cast=int)`, django-environ `env.int("X", default=10)` and pydantic-settings
 * `BaseSettings` fields. Anything else is unknown, with the reason.
 */
import type { AppSetting } from '../app/types.js';
import type { Provenance } from '../js/types.js';
import { MAX_STATIC_STRING_CHARS } from '../../core/limits.js';
import { callArgs, type PyModule } from './module.js';
import { child, namedChildren, type PyNode } from '../tree-sitter/syntax.js';

export type Value = AppSetting<unknown>;

/** Resolves names across the analysed modules of the repository. */
export interface PyProject {
  root: string;
  module(file: string): PyModule | undefined;
}

const MAX_DEPTH = 12;

const unknown = (reason: string, node?: PyNode, mod?: PyModule): Value => ({ value: undefined, provenance: { kind: 'unknown', reason }, ...(node && mod ? { range: mod.rangeOf(node) } : {}) });

/** The variables `os.environ.get`, `os.getenv`, decouple's `config` and django-environ read. */
const ENV_GETTERS = new Set(['os.environ.get', 'os.getenv', 'os.environ.setdefault', 'decouple.config', 'prettyconf.config', 'starlette.config.Config']);

export function resolvePy(expr: PyNode | undefined, mod: PyModule, project: PyProject, depth = 0): Value {
  if (!expr) return unknown('no value');
  if (depth > MAX_DEPTH) return unknown('the value is defined through too many names', expr, mod);
  const range = mod.rangeOf(expr);
  const lit = (value: unknown): Value => ({ value, provenance: { kind: 'literal' }, range });
  switch (expr.type) {
    case 'integer': {
      const t = mod.src(expr).replace(/_/g, '').toLowerCase();
      const n = t.startsWith('0x') ? parseInt(t.slice(2), 16) : t.startsWith('0o') ? parseInt(t.slice(2), 8) : t.startsWith('0b') ? parseInt(t.slice(2), 2) : Number(t.replace(/l$/, ''));
      return Number.isFinite(n) ? lit(n) : unknown(`${mod.src(expr)} is not a number`, expr, mod);
    }
    case 'float': {
      const n = Number(mod.src(expr).replace(/_/g, ''));
      return Number.isFinite(n) ? lit(n) : unknown(`${mod.src(expr)} is not a number`, expr, mod);
    }
    case 'true':
      return lit(true);
    case 'false':
      return lit(false);
    case 'none':
      return lit(null);
    case 'string':
    case 'concatenated_string': {
      const s = stringValue(expr, mod, project, depth);
      return s.kind === 'known' ? lit(s.text) : { ...unknown(s.reason), range };
    }
    case 'parenthesized_expression': {
      const inner = namedChildren(expr)[0];
      return resolvePy(inner, mod, project, depth + 1);
    }
    case 'unary_operator': {
      const arg = child(expr, 'argument');
      const v = resolvePy(arg, mod, project, depth + 1);
      const op = mod.src(expr).trim()[0];
      if (typeof v.value === 'number' && (op === '-' || op === '+')) return { ...v, value: op === '-' ? -v.value : v.value, range };
      return unknown(`${mod.src(expr)} is not a static value`, expr, mod);
    }
    case 'binary_operator': {
      const a = resolvePy(child(expr, 'left'), mod, project, depth + 1);
      const b = resolvePy(child(expr, 'right'), mod, project, depth + 1);
      const op = child(expr, 'operator') ? mod.src(child(expr, 'operator')!) : '';
      if (typeof a.value === 'number' && typeof b.value === 'number' && isStatic(a) && isStatic(b)) {
        const v = op === '+' ? a.value + b.value : op === '-' ? a.value - b.value : op === '*' ? a.value * b.value : op === '//' && b.value !== 0 ? Math.floor(a.value / b.value) : op === '/' && b.value !== 0 ? a.value / b.value : undefined;
        if (v !== undefined) return lit(v);
      }
      if (typeof a.value === 'string' && typeof b.value === 'string' && op === '+' && isStatic(a) && isStatic(b) && a.value.length + b.value.length <= MAX_STATIC_STRING_CHARS) return lit(a.value + b.value);
      return unknown(`${clip(mod.src(expr))} is computed at run time`, expr, mod);
    }
    case 'boolean_operator': {
      // `os.getenv("X") or "10"`: the variable, with the right side as its fallback.
      const op = mod.src(expr).slice(child(expr, 'left')!.end - expr.start).trim();
      const a = resolvePy(child(expr, 'left'), mod, project, depth + 1);
      const b = resolvePy(child(expr, 'right'), mod, project, depth + 1);
      if (op.startsWith('or')) {
        if (a.provenance.kind === 'env' && a.value === undefined && b.value !== undefined && isStatic(b)) return { value: b.value, provenance: { ...a.provenance, fallback: b.value as string | number | boolean, fallbackAt: b.range! }, range };
        if (isStatic(a) && a.value) return a;
      }
      return unknown(`${clip(mod.src(expr))} is decided at run time`, expr, mod);
    }
    case 'conditional_expression': {
      const [x, , y] = namedChildren(expr);
      const a = resolvePy(x, mod, project, depth + 1);
      const b = resolvePy(y, mod, project, depth + 1);
      if (typeof a.value === 'number' && typeof b.value === 'number') return { value: Math.max(a.value, b.value), provenance: { kind: 'literal' }, range, alternatives: [a.value, b.value] };
      return unknown(`${clip(mod.src(expr))} depends on a condition`, expr, mod);
    }
    case 'identifier':
      return resolveName(mod.src(expr), expr, mod, project, depth);
    case 'attribute':
      return resolveAttribute(expr, mod, project, depth);
    case 'subscript': {
      // os.environ["X"]: the variable, no fallback (a KeyError when unset).
      const value = child(expr, 'value');
      const key = child(expr, 'subscript');
      if (value && key && mod.qualifiedName(value) === 'os.environ') {
        const k = resolvePy(key, mod, project, depth + 1);
        if (typeof k.value === 'string' && isStatic(k)) return { value: undefined, provenance: { kind: 'env', envVar: k.value }, range };
      }
      return unknown(`${clip(mod.src(expr))} is read at run time`, expr, mod);
    }
    case 'call':
      return resolveCall(expr, mod, project, depth);
    default:
      return unknown(`${clip(mod.src(expr))} is not a static value`, expr, mod);
  }
}

function isStatic(v: Value): boolean {
  return v.provenance.kind === 'literal' || v.provenance.kind === 'constant';
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 60 ? `${one.slice(0, 57)}…` : one;
}

type StringResult = { kind: 'known'; text: string } | { kind: 'unknown'; reason: string; parts: Value[] };

/** A string literal, an implicit concatenation, or an f-string whose every part is known. */
export function stringValue(expr: PyNode, mod: PyModule, project: PyProject, depth: number): StringResult {
  if (expr.type === 'concatenated_string') {
    let text = '';
    const parts: Value[] = [];
    for (const s of namedChildren(expr)) {
      const r = stringValue(s, mod, project, depth);
      if (r.kind === 'unknown') return r;
      text += r.text;
      if (text.length > MAX_STATIC_STRING_CHARS) return { kind: 'unknown', reason: 'the string is too long to compute', parts };
    }
    return { kind: 'known', text };
  }
  const start = expr.children.find((c) => c.type === 'string_start');
  const prefix = start ? mod.src(start).replace(/['"]/g, '').toLowerCase() : '';
  const raw = prefix.includes('r');
  let text = '';
  const parts: Value[] = [];
  const missing: string[] = [];
  for (const c of expr.children) {
    if (c.type === 'string_content') text += raw ? mod.src(c) : unescape(mod.src(c));
    else if (c.type === 'escape_sequence') text += unescape(mod.src(c));
    else if (c.type === 'interpolation') {
      const inner = child(c, 'expression') ?? namedChildren(c)[0];
      const v = resolvePy(inner, mod, project, depth + 1);
      parts.push(v);
      if ((typeof v.value === 'string' || typeof v.value === 'number') && isStatic(v)) text += String(v.value);
      else missing.push(inner ? mod.src(inner) : '?');
    }
    if (text.length > MAX_STATIC_STRING_CHARS) return { kind: 'unknown', reason: 'the string is too long to compute', parts };
  }
  if (missing.length > 0) return { kind: 'unknown', reason: `an f-string built at run time from ${missing.map((m) => `{${clip(m)}}`).join(', ')}`, parts };
  return { kind: 'known', text };
}

function unescape(s: string): string {
  return s.replace(/\\(n|t|r|\\|'|"|\n)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === '\n' ? '' : c));
}

/** A module-level name: its one assignment (the last, when the module assigns it more than once under conditions), or an import. */
function resolveName(name: string, at: PyNode, mod: PyModule, project: PyProject, depth: number): Value {
  const assigned = mod.assignments.get(name);
  const local = isShadowed(name, at, mod);
  if (local) return unknown(`${name} is a local name of the function`, at, mod);
  if (assigned && assigned.length > 0) {
    if (assigned.length > 1) {
      const values = assigned.map((v) => resolvePy(v, mod, project, depth + 1));
      const nums = values.map((v) => v.value).filter((v): v is number => typeof v === 'number');
      if (nums.length === values.length && values.every(isStatic)) return { value: Math.max(...nums), provenance: { kind: 'constant', name, definedAt: mod.rangeOf(assigned[0]!) }, range: mod.rangeOf(at), alternatives: nums };
      return resolvePy(assigned[assigned.length - 1], mod, project, depth + 1);
    }
    const v = resolvePy(assigned[0], mod, project, depth + 1);
    if (v.provenance.kind === 'literal') return { ...v, provenance: { kind: 'constant', name, definedAt: v.range ?? mod.rangeOf(assigned[0]!) } };
    return v;
  }
  const imp = mod.imports.get(name);
  if (imp && imp.name !== undefined) {
    const target = importedModule(mod, imp, project);
    if (target) return resolveName(imp.name, target.root, target, project, depth + 1);
    return unknown(`${name} is imported from ${'.'.repeat(imp.level)}${imp.module}, which was not analysed`, at, mod);
  }
  return unknown(`${name} is not a module constant`, at, mod);
}

/** Is `name` a parameter or local of the function around `at` (then the module's name is not meant)? */
function isShadowed(name: string, at: PyNode, mod: PyModule): boolean {
  for (let p = at.parent; p; p = p.parent) {
    if (p.type !== 'function_definition') continue;
    const params = child(p, 'parameters');
    if (params && namedChildren(params).some((q) => (q.type === 'identifier' ? mod.src(q) : mod.src(child(q, 'name') ?? namedChildren(q)[0] ?? q)) === name)) return true;
  }
  return false;
}

export function importedModule(mod: PyModule, imp: { module: string; level: number; name?: string }, project: PyProject): PyModule | undefined {
  for (const f of mod.moduleFiles(imp, project.root)) {
    const m = project.module(f);
    if (m && m !== mod) return m;
  }
  return undefined;
}

function resolveAttribute(expr: PyNode, mod: PyModule, project: PyProject, depth: number): Value {
  const obj = child(expr, 'object');
  const attr = child(expr, 'attribute');
  if (!obj || !attr) return unknown('not a static value', expr, mod);
  const field = mod.src(attr);
  // settings.POOL_SIZE / get_settings().pool_size / Settings().pool_size: a pydantic-settings field.
  const cls = settingsClassOf(obj, mod, project, depth);
  if (cls) return settingsField(cls.mod, cls.node, field, expr, mod, project, depth);
  // `config.POOL_SIZE` after `from app import config` / `import config`: a constant of that module.
  const q = obj.type === 'identifier' ? mod.imports.get(mod.src(obj)) : undefined;
  if (q) {
    const target = importedModule(mod, q.name !== undefined ? { module: q.module ? `${q.module}.${q.name}` : q.name, level: q.level } : q, project) ?? importedModule(mod, q, project);
    if (target) return resolveName(field, target.root, target, project, depth + 1);
  }
  return unknown(`${clip(mod.src(expr))} is read at run time`, expr, mod);
}

/* ---------------- calls: env readers, conversions ---------------- */

function resolveCall(call: PyNode, mod: PyModule, project: PyProject, depth: number): Value {
  const fn = child(call, 'function');
  const range = mod.rangeOf(call);
  if (!fn) return unknown('not a static value', call, mod);
  const q = mod.qualifiedName(fn) ?? '';
  const args = callArgs(call, mod);
  // int(...), float(...), str(...): conversions of a known value.
  if (q === 'int' || q === 'float' || q === 'str' || q === 'bool') {
    const v = resolvePy(args.positional[0], mod, project, depth + 1);
    return { ...convert(v, q), range };
  }
  // os.environ.get("X", default) / os.getenv / decouple.config("X", default=…, cast=int)
  const envGetter = ENV_GETTERS.has(q) || (fn.type === 'identifier' && (q === 'environ.get' || q === 'getenv'));
  if (envGetter || q.endsWith('os.environ.get')) {
    const key = resolvePy(args.positional[0] ?? args.keywords.get('key')?.value ?? args.keywords.get('option')?.value, mod, project, depth + 1);
    if (typeof key.value !== 'string') return unknown(`${clip(mod.src(call))} reads a variable whose name is not static`, call, mod);
    const defNode = args.positional[1] ?? args.keywords.get('default')?.value;
    const castNode = args.keywords.get('cast')?.value;
    return envValue(key.value, defNode, castNode ? mod.src(castNode) : undefined, call, mod, project, depth);
  }
  // django-environ: env("X", default=…), env.int("X", default=…), env.str / env.bool / env.float.
  const environ = djangoEnvironCall(fn, mod);
  if (environ !== undefined) {
    const key = resolvePy(args.positional[0] ?? args.keywords.get('var')?.value, mod, project, depth + 1);
    if (typeof key.value !== 'string') return unknown(`${clip(mod.src(call))} reads a variable whose name is not static`, call, mod);
    const defNode = args.keywords.get('default')?.value ?? args.positional[2];
    return envValue(key.value, defNode, environ === 'call' ? undefined : environ, call, mod, project, depth);
  }
  return unknown(`${clip(mod.src(call))} is a call evaluated at run time`, call, mod);
}

function envValue(envVar: string, defNode: PyNode | undefined, cast: string | undefined, at: PyNode, mod: PyModule, project: PyProject, depth: number): Value {
  const range = mod.rangeOf(at);
  const provenance: Provenance = { kind: 'env', envVar };
  if (!defNode) return { value: undefined, provenance, range };
  let d = resolvePy(defNode, mod, project, depth + 1);
  if (cast === 'int' || cast === 'float' || cast === 'bool') d = convert(d, cast);
  if (d.value === undefined || d.value === null || !isStatic(d)) return { value: undefined, provenance, range };
  const fallback = d.value as string | number | boolean;
  return { value: fallback, provenance: { kind: 'env', envVar, fallback, ...(d.range ? { fallbackAt: d.range } : {}) }, range };
}

/** `int(v)` and friends on a resolved value (an env value keeps its provenance, its fallback converted). */
function convert(v: Value, how: string): Value {
  const conv = (x: unknown): unknown => {
    if (how === 'int') {
      const n = typeof x === 'number' ? Math.trunc(x) : typeof x === 'string' && /^\s*[-+]?\d+\s*$/.test(x) ? Number(x) : undefined;
      return n;
    }
    if (how === 'float') return typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x)) ? Number(x) : undefined;
    if (how === 'bool') return typeof x === 'boolean' ? x : typeof x === 'string' ? ['1', 'true', 'yes', 'on', 'y', 't'].includes(x.trim().toLowerCase()) : typeof x === 'number' ? x !== 0 : undefined;
    return x === undefined || x === null ? x : String(x);
  };
  if (v.provenance.kind === 'env') {
    const fb = v.provenance.fallback !== undefined ? conv(v.provenance.fallback) : undefined;
    const { fallback: _f, ...rest } = v.provenance;
    return { ...v, value: fb, provenance: fb !== undefined ? { ...rest, fallback: fb as number | string | boolean } : { kind: 'env', envVar: v.provenance.envVar } };
  }
  if (v.value === undefined) return v;
  const c = conv(v.value);
  return c === undefined ? { value: undefined, provenance: { kind: 'unknown', reason: `${JSON.stringify(v.value)} is not a valid ${how}` }, ...(v.range ? { range: v.range } : {}) } : { ...v, value: c };
}

/** `env(...)`, `env.int(...)` where `env = environ.Env(...)` (django-environ): 'call' or the cast, else undefined. */
function djangoEnvironCall(fn: PyNode, mod: PyModule): string | undefined {
  const isEnv = (n: PyNode | undefined): boolean => {
    if (n?.type !== 'identifier') return false;
    const a = mod.assignments.get(mod.src(n));
    const v = a?.[a.length - 1];
    if (v?.type !== 'call') return false;
    const f = child(v, 'function');
    return f !== undefined && mod.qualifiedName(f) === 'environ.Env';
  };
  if (isEnv(fn)) return 'call';
  if (fn.type === 'attribute' && isEnv(child(fn, 'object'))) {
    const m = mod.src(child(fn, 'attribute')!);
    if (m === 'int' || m === 'float' || m === 'bool' || m === 'str') return m;
  }
  return undefined;
}

/* ---------------- pydantic-settings ---------------- */

const SETTINGS_BASES = new Set(['pydantic_settings.BaseSettings', 'pydantic.BaseSettings', 'pydantic.v1.BaseSettings']);

/** Is this expression an instance of a pydantic-settings class: `settings` (= Settings()), `Settings()`, `get_settings()` (returns Settings()). */
function settingsClassOf(obj: PyNode, mod: PyModule, project: PyProject, depth: number): { mod: PyModule; node: PyNode } | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (obj.type === 'call') {
    const f = child(obj, 'function');
    if (!f || f.type !== 'identifier') return undefined;
    const name = mod.src(f);
    const c = settingsClass(name, mod, project, depth + 1);
    if (c) return c;
    // get_settings(): a function (often @lru_cache) that returns Settings().
    const fn = lookupFunction(name, mod, project);
    if (fn) {
      for (const ret of returnsOf(fn.node)) {
        const c2 = ret.type === 'call' ? settingsClassOf(ret, fn.mod, project, depth + 1) : undefined;
        if (c2) return c2;
      }
    }
    return undefined;
  }
  if (obj.type === 'identifier') {
    const name = mod.src(obj);
    const a = mod.assignments.get(name);
    const v = a?.[a.length - 1];
    if (v && v.type === 'call') return settingsClassOf(v, mod, project, depth + 1);
    const imp = mod.imports.get(name);
    if (imp && imp.name !== undefined) {
      const target = importedModule(mod, imp, project);
      if (target) {
        const a2 = target.assignments.get(imp.name);
        const v2 = a2?.[a2.length - 1];
        if (v2 && v2.type === 'call') return settingsClassOf(v2, target, project, depth + 1);
      }
    }
  }
  return undefined;
}

function lookupFunction(name: string, mod: PyModule, project: PyProject): { mod: PyModule; node: PyNode } | undefined {
  const f = mod.functions.get(name);
  if (f) return { mod, node: f };
  const imp = mod.imports.get(name);
  if (imp?.name !== undefined) {
    const target = importedModule(mod, imp, project);
    const g = target?.functions.get(imp.name);
    if (target && g) return { mod: target, node: g };
  }
  return undefined;
}

function returnsOf(fn: PyNode): PyNode[] {
  const out: PyNode[] = [];
  const stack = [...fn.children];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') continue;
    if (n.type === 'return_statement') {
      const v = namedChildren(n)[0];
      if (v) out.push(v);
    }
    stack.push(...n.children);
  }
  return out;
}

function settingsClass(name: string, mod: PyModule, project: PyProject, depth: number): { mod: PyModule; node: PyNode } | undefined {
  let target = mod;
  let cls = mod.classes.get(name);
  if (!cls) {
    const imp = mod.imports.get(name);
    if (imp?.name === undefined) return undefined;
    const m = importedModule(mod, imp, project);
    if (!m) return undefined;
    target = m;
    cls = m.classes.get(imp.name);
  }
  if (!cls || depth > MAX_DEPTH) return undefined;
  return inheritsSettings(cls, target, project, depth) ? { mod: target, node: cls } : undefined;
}

function inheritsSettings(cls: PyNode, mod: PyModule, project: PyProject, depth: number): boolean {
  const supers = child(cls, 'superclasses');
  if (!supers) return false;
  for (const s of namedChildren(supers)) {
    const q = mod.qualifiedName(s);
    if (q && SETTINGS_BASES.has(q)) return true;
    if (s.type === 'identifier' && settingsClass(mod.src(s), mod, project, depth + 1)) return true;
  }
  return false;
}

/**
 * A pydantic-settings field read from the environment. pydantic-settings (docs, "Environment variable
 * names" / "Case-sensitivity"): the variable is `env_prefix` + the field name, matched without regard
 * to case unless `case_sensitive=True`; an `alias` / `validation_alias` replaces the name (without the
 * prefix); a field without a default must be set. The variable is reported upper-case, as it is
 * written in compose and .env files.
 */
function settingsField(cmod: PyModule, cls: PyNode, field: string, at: PyNode, mod: PyModule, project: PyProject, depth: number): Value {
  const range = mod.rangeOf(at);
  const body = child(cls, 'body');
  const prefix = settingsPrefix(cls, cmod, project, depth);
  for (const stmt of body?.children ?? []) {
    const a = stmt.type === 'expression_statement' ? stmt.children[0] : undefined;
    if (a?.type !== 'assignment') continue;
    const left = child(a, 'left');
    if (!left || cmod.src(left) !== field) continue;
    let def = child(a, 'right');
    let envName = `${prefix}${field}`.toUpperCase();
    // Field(default=…, alias="X") / Field(10, validation_alias="X")
    if (def?.type === 'call' && /(^|\.)Field$/.test(cmod.qualifiedName(child(def, 'function')!) ?? '')) {
      const args = callArgs(def, cmod);
      for (const k of ['validation_alias', 'alias', 'env']) {
        const v = args.keywords.get(k);
        if (!v) continue;
        const r = resolvePy(v.value, cmod, project, depth + 1);
        if (typeof r.value === 'string') {
          envName = r.value.toUpperCase();
          break;
        }
      }
      def = args.positional[0] ?? args.keywords.get('default')?.value;
    }
    const provenance: Provenance = { kind: 'env', envVar: envName };
    if (!def) return { value: undefined, provenance, range };
    const d = resolvePy(def, cmod, project, depth + 1);
    if (d.value === undefined || d.value === null || !isStatic(d)) return { value: undefined, provenance, range };
    return { value: d.value, provenance: { kind: 'env', envVar: envName, fallback: d.value as string | number | boolean, ...(d.range ? { fallbackAt: d.range } : {}) }, range };
  }
  // A @property / @computed_field (a URL built from other fields) or an inherited field.
  return unknown(`${field} of ${cmod.src(child(cls, 'name')!)} is computed or inherited, not a plain field`, at, mod);
}

/** `model_config = SettingsConfigDict(env_prefix="APP_")` or `class Config: env_prefix = "APP_"`. */
function settingsPrefix(cls: PyNode, mod: PyModule, project: PyProject, depth: number): string {
  const body = child(cls, 'body');
  for (const stmt of body?.children ?? []) {
    if (stmt.type === 'expression_statement') {
      const a = stmt.children[0];
      if (a?.type === 'assignment' && mod.src(child(a, 'left')!) === 'model_config') {
        const v = child(a, 'right');
        if (v?.type === 'call') {
          const p = callArgs(v, mod).keywords.get('env_prefix');
          const r = p ? resolvePy(p.value, mod, project, depth + 1) : undefined;
          if (typeof r?.value === 'string') return r.value;
        } else if (v?.type === 'dictionary') {
          for (const pair of namedChildren(v)) {
            const k = child(pair, 'key');
            if (k && resolvePy(k, mod, project, depth + 1).value === 'env_prefix') {
              const r = resolvePy(child(pair, 'value'), mod, project, depth + 1);
              if (typeof r.value === 'string') return r.value;
            }
          }
        }
      }
    } else if (stmt.type === 'class_definition' && mod.src(child(stmt, 'name')!) === 'Config') {
      for (const s of child(stmt, 'body')?.children ?? []) {
        const a = s.type === 'expression_statement' ? s.children[0] : undefined;
        if (a?.type === 'assignment' && mod.src(child(a, 'left')!) === 'env_prefix') {
          const r = resolvePy(child(a, 'right'), mod, project, depth + 1);
          if (typeof r.value === 'string') return r.value;
        }
      }
    }
  }
  return '';
}

/* ---------------- a URL built from settings fields ---------------- */

/** Keyword names of URL builders: pydantic `PostgresDsn.build` / `MultiHostUrl.build` (username, host, port, path) and SQLAlchemy `URL.create` (username, host, port, database). */
const URL_PART_KEYWORDS: Record<'host' | 'port' | 'database' | 'user', string[]> = { host: ['host'], port: ['port'], database: ['path', 'database'], user: ['username'] };

/**
 * The parts of a URL that a pydantic-settings property builds (`settings.SQLALCHEMY_DATABASE_URI`,
 * a `@computed_field` returning `PostgresDsn.build(scheme=…, host=self.POSTGRES_SERVER, …)`), each
 * resolved like a field (`self.POSTGRES_SERVER` → the variable POSTGRES_SERVER). Undefined when the
 * expression is not such a property.
 */
export function urlPartsOf(expr: PyNode, mod: PyModule, project: PyProject): Partial<Record<'host' | 'port' | 'database' | 'user', Value>> | undefined {
  let e = expr;
  if (e.type === 'call' && mod.qualifiedName(child(e, 'function')!) === 'str') e = callArgs(e, mod).positional[0] ?? e;
  if (e.type !== 'attribute') return undefined;
  const obj = child(e, 'object');
  const attr = child(e, 'attribute');
  if (!obj || !attr) return undefined;
  const cls = settingsClassOf(obj, mod, project, 0);
  if (!cls) return undefined;
  const name = mod.src(attr);
  let fn: PyNode | undefined;
  for (const stmt of child(cls.node, 'body')?.children ?? []) {
    const d = stmt.type === 'decorated_definition' ? child(stmt, 'definition') : stmt;
    if (d?.type === 'function_definition' && cls.mod.src(child(d, 'name')!) === name) fn = d;
  }
  const ret = fn ? returnsOf(fn)[0] : undefined;
  const f = ret?.type === 'call' ? child(ret, 'function') : undefined;
  if (!ret || !f || !/(^|\.)(build|create)$/.test(cls.mod.qualifiedName(f) ?? '')) return undefined;
  const args = callArgs(ret, cls.mod);
  const out: Partial<Record<'host' | 'port' | 'database' | 'user', Value>> = {};
  for (const [part, keys] of Object.entries(URL_PART_KEYWORDS) as Array<[keyof typeof URL_PART_KEYWORDS, string[]]>) {
    const a = keys.map((k) => args.keywords.get(k)).find((x) => x !== undefined);
    if (!a) continue;
    const v = a.value;
    const self = v.type === 'attribute' && cls.mod.src(child(v, 'object')!) === 'self' ? cls.mod.src(child(v, 'attribute')!) : undefined;
    out[part] = self !== undefined ? settingsField(cls.mod, cls.node, self, v, cls.mod, project, 1) : resolvePy(v, cls.mod, project, 1);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
