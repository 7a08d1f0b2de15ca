/**
 * Pools a Python module opens, as language-neutral `AppPool` facts (src/sources/app/types.ts):
 * SQLAlchemy engines, Django `DATABASES`, psycopg_pool, asyncpg and psycopg2 pools; and the process
 * settings of a gunicorn configuration file.
 */
import { relative, sep } from 'node:path';
import type { SourceRange } from '../../core/location.js';
import type { AppPool, AppSetting, PeakTerm, ProcessConfigFile } from '../app/types.js';
import { isParseError, parseConnectionString } from '../connection-url/parse.js';
import { callArgs, enclosingFunction, type CallArgs, type PyModule } from './module.js';
import { gunicornConcurrency } from '../command/app-servers.js';
import { ASYNCPG, DJ_DATABASE_URL, DJANGO, isDjangoPostgresEngine, POOL_CALLABLES, poolUse, preparedByDriver, PSYCOPG, PSYCOPG_POOL, SQLALCHEMY, type PythonPoolCallable } from './libraries.js';
import { child, namedChildren, walk, type PyNode } from '../tree-sitter/syntax.js';
import { resolvePy, urlPartsOf, type PyProject, type Value } from './values.js';

export interface ExtractOptions {
  project: PyProject;
  /** The application root of a file (the folder with manage.py / pyproject.toml …). */
  appDirOf(file: string): string;
}

const def = (value: number | boolean, note: string): AppSetting<number | boolean> => ({ value, provenance: { kind: 'default', note } });
const defNum = (value: number, note: string): AppSetting<number> => ({ value, provenance: { kind: 'default', note } });

function poolId(root: string, r: SourceRange): string {
  return `${relative(root, r.file).split(sep).join('/')}:${r.line}:${r.column}`;
}

/** Every pool the module creates. */
export function extractPools(mod: PyModule, opts: ExtractOptions): AppPool[] {
  const out: AppPool[] = [];
  for (const n of walk(mod.root)) {
    if (n.type !== 'call') continue;
    const fn = child(n, 'function');
    const q = fn ? mod.qualifiedName(fn) : undefined;
    const c = q !== undefined ? POOL_CALLABLES.get(q) : undefined;
    if (!c) continue;
    const p = poolOfCall(n, c, mod, opts);
    if (p) out.push(p);
  }
  out.push(...djangoPools(mod, opts));
  return out;
}

/* ---------------- scope ---------------- */

/** Decorators that make a function a request handler: Flask/FastAPI/Starlette/Sanic routes, DRF api_view. */
const ROUTE_DECORATOR = /^@\s*[\w.]*\.(route|get|post|put|patch|delete|head|options|api_route|websocket)\s*\(|^@\s*(api_view|require_http_methods|require_GET|require_POST|csrf_exempt|login_required)\b/;

function scopeOf(node: PyNode, mod: PyModule): AppPool['scope'] {
  const f = enclosingFunction(node);
  if (!f) return { kind: 'module' };
  const name = child(f.fn, 'name');
  const fnName = name ? mod.src(name) : undefined;
  const params = child(f.fn, 'parameters');
  const first = params ? namedChildren(params).map((p) => mod.src(p.type === 'identifier' ? p : (child(p, 'name') ?? namedChildren(p)[0] ?? p)))[0] : undefined;
  const route = f.decorators.some((d) => ROUTE_DECORATOR.test(mod.src(d)));
  // A Django function view takes the request first; a class-based view's get/post take self, request.
  const second = params ? namedChildren(params).map((p) => mod.src(p.type === 'identifier' ? p : (child(p, 'name') ?? namedChildren(p)[0] ?? p)))[1] : undefined;
  const djangoView = first === 'request' || (first === 'self' && second === 'request');
  if (route || djangoView) return { kind: 'per-request', ...(fnName ? { name: fnName } : {}), range: mod.rangeOf(f.fn) };
  return { kind: 'module' };
}

/* ---------------- library calls ---------------- */

function setting(v: Value): AppSetting<number> {
  return v as AppSetting<number>;
}

function optionsOf(args: CallArgs, mod: PyModule, project: PyProject, skip: string[] = []): AppPool['options'] {
  const out: AppPool['options'] = [];
  for (const [name, { name: n, value }] of args.keywords) {
    if (skip.includes(name)) continue;
    if ((name === 'connect_args' || name === 'kwargs') && value.type === 'dictionary') {
      for (const e of dictEntries(value, mod, project)) out.push({ name: `${name}.${e.key}`, value: resolvePy(e.value, mod, project), range: mod.rangeOf(e.pair) });
      continue;
    }
    out.push({ name, value: resolvePy(value, mod, project), range: { ...mod.rangeOf(n), endLine: mod.rangeOf(value).endLine, endColumn: mod.rangeOf(value).endColumn } });
  }
  return out;
}

function dictEntries(dict: PyNode, mod: PyModule, project: PyProject): Array<{ key: string; pair: PyNode; value: PyNode }> {
  const out: Array<{ key: string; pair: PyNode; value: PyNode }> = [];
  for (const pair of namedChildren(dict)) {
    if (pair.type !== 'pair') continue;
    const k = resolvePy(child(pair, 'key'), mod, project);
    const v = child(pair, 'value');
    if (typeof k.value === 'string' && v) out.push({ key: k.value, pair, value: v });
  }
  return out;
}

function poolOfCall(call: PyNode, c: PythonPoolCallable, mod: PyModule, opts: ExtractOptions): AppPool | undefined {
  const project = opts.project;
  const args = callArgs(call, mod);
  const kw = (name: string): Value | undefined => {
    const a = args.keywords.get(name);
    return a ? resolvePy(a.value, mod, project) : undefined;
  };
  const range = mod.rangeOf(call);
  const base = {
    id: poolId(project.root, range),
    language: 'python' as const,
    library: c.library,
    construct: c.construct,
    file: mod.file,
    range,
    appDir: opts.appDirOf(mod.file),
    scope: scopeOf(call, mod),
    use: poolUse(c),
  };
  const options = optionsOf(args, mod, project);
  if (args.splat.length > 0) options.push({ name: '**', value: { value: undefined, provenance: { kind: 'unknown', reason: `options passed through ${args.splat.map((s) => mod.src(s)).join(', ')}` } }, range: mod.rangeOf(args.splat[0]!) });
  const opt = (name: string) => options.find((o) => o.name === name)?.value;

  switch (c.library) {
    case 'sqlalchemy': {
      const urlNode = args.positional[0] ?? args.keywords.get('url')?.value;
      const url = urlNode ? (resolvePy(urlNode, mod, project) as AppSetting<string>) : undefined;
      // The driver is part of the code even when the URL comes from the environment: the fallback
      // written beside the variable (`postgresql+asyncpg://…`) names the driver the code is built for.
      const parsed = typeof url?.value === 'string' ? parseConnectionString(url.value) : undefined;
      // A literal URL of another database (sqlite://, mysql+pymysql://) is not a PostgreSQL pool.
      if (typeof url?.value === 'string' && url.provenance.kind !== 'env' && /^[a-z][\w+.-]*:\/\//i.test(url.value) && !/^postgres(ql)?[+:]/i.test(url.value)) return undefined;
      const driver = parsed && !isParseError(parsed) ? (parsed.sqlalchemyDriver ?? 'psycopg2') : undefined;
      const poolclass = args.keywords.get('poolclass');
      const poolclassName = poolclass ? (mod.qualifiedName(poolclass.value) ?? mod.src(poolclass.value)).split('.').pop()! : undefined;
      const src = `SQLAlchemy default (${SQLALCHEMY.source})`;
      let terms: PeakTerm[] = [];
      let explanation: string;
      let unbounded: string | undefined;
      if (poolclassName === 'NullPool') {
        unbounded = 'poolclass=NullPool opens a new connection for every checkout and closes it on return (lib/sqlalchemy/pool/impl.py NullPool): the process holds as many as it runs queries at once';
        explanation = 'NullPool (no pool)';
      } else if (poolclassName === 'StaticPool' || poolclassName === 'AssertionPool') {
        terms = [{ name: poolclassName, value: { value: 1, provenance: { kind: 'default', note: `${poolclassName} holds exactly one connection (lib/sqlalchemy/pool/impl.py)` } } }];
        explanation = `${poolclassName}: 1 connection`;
      } else {
        const size = kw('pool_size') ?? defNum(SQLALCHEMY.poolSize, src);
        const overflow = kw('max_overflow') ?? defNum(SQLALCHEMY.maxOverflow, src);
        terms = [
          { name: 'pool_size', value: setting(size) },
          { name: 'max_overflow', value: setting(overflow) },
        ];
        const show = (v: Value, n: string) => `${n} ${v.value ?? '?'}${v.provenance.kind === 'default' ? ' (default)' : v.provenance.kind === 'env' ? ` (${v.provenance.envVar})` : ''}`;
        explanation = `${show(size, 'pool_size')} + ${show(overflow, 'max_overflow')}`;
        if (size.value === 0) unbounded = 'pool_size=0 means no size limit (QueuePool docstring)';
        else if (overflow.value === -1) unbounded = 'max_overflow=-1 means no overflow limit (QueuePool docstring)';
      }
      const timeout = kw('pool_timeout');
      // A URL a settings property builds from parts (full-stack-fastapi-template's SQLALCHEMY_DATABASE_URI): the parts.
      const parts = url?.provenance.kind === 'unknown' && urlNode ? urlPartsOf(urlNode, mod, project) : undefined;
      const pool: AppPool = {
        ...base,
        peak: { terms, explanation, ...(unbounded ? { unbounded } : {}) },
        options,
        ...(url && !parts ? { connectionString: url } : {}),
        ...(parts ? { connectionOptions: parts as NonNullable<AppPool['connectionOptions']> } : {}),
      };
      if (poolclassName !== 'NullPool' && poolclassName !== 'StaticPool') pool.acquireTimeoutMs = timeout ? scale(timeout, 1000) : defNum(SQLALCHEMY.poolTimeoutSeconds * 1000, `pool_timeout 30 s, ${src}`);
      const prepared = preparedByDriver(driver, options, parsed && !isParseError(parsed) ? parsed.params : undefined);
      if (prepared) pool.preparedStatements = prepared;
      return pool;
    }
    case 'psycopg-pool': {
      const conninfo = args.positional[0] ?? args.keywords.get('conninfo')?.value;
      const min = kw('min_size') ?? defNum(PSYCOPG_POOL.minSize, `psycopg_pool default min_size 4 (${PSYCOPG_POOL.source})`);
      const max = kw('max_size');
      const peakValue: AppSetting<number> = max && max.value !== null ? setting(max) : { ...setting(min), ...(min.provenance.kind === 'default' ? { provenance: { kind: 'default', note: `max_size None: a fixed pool of min_size, default 4 (${PSYCOPG_POOL.source})` } } : {}) };
      const pool: AppPool = {
        ...base,
        peak: { terms: [{ name: max && max.value !== null ? 'max_size' : 'min_size', value: peakValue }], explanation: max && max.value !== null ? `max_size ${max.value ?? '?'}` : `max_size = min_size ${min.value ?? '?'}${min.provenance.kind === 'default' ? ' (default)' : ''}` },
        options,
        acquireTimeoutMs: kw('timeout') ? scale(kw('timeout')!, 1000) : defNum(PSYCOPG_POOL.timeoutSeconds * 1000, `timeout 30 s (${PSYCOPG_POOL.source})`),
      };
      if (conninfo) pool.connectionString = resolvePy(conninfo, mod, project) as AppSetting<string>;
      const threshold = opt('kwargs.prepare_threshold');
      pool.preparedStatements = threshold
        ? { ...(threshold as AppSetting<boolean>), value: threshold.value === undefined ? undefined : threshold.value !== null, why: `kwargs prepare_threshold=${JSON.stringify(threshold.value ?? '?')}` }
        : { value: true, provenance: { kind: 'default', note: `psycopg 3 prepare_threshold default ${PSYCOPG.prepareThreshold} (${PSYCOPG.source})` }, why: `psycopg 3 prepares a statement on the server after it ran ${PSYCOPG.prepareThreshold} times on a connection (prepare_threshold default)` };
      return pool;
    }
    case 'asyncpg': {
      const dsn = args.positional[0] ?? args.keywords.get('dsn')?.value;
      const max = kw('max_size') ?? defNum(ASYNCPG.maxSize, `asyncpg default max_size 10 (${ASYNCPG.source})`);
      const pool: AppPool = {
        ...base,
        peak: { terms: [{ name: 'max_size', value: setting(max) }], explanation: `max_size ${max.value ?? '?'}${max.provenance.kind === 'default' ? ' (default)' : ''}` },
        options,
        // Pool.acquire(timeout=None) waits without limit: the per-call timeout is not a pool option.
        acquireTimeoutMs: defNum(0, 'asyncpg Pool.acquire(timeout=None) waits without limit (asyncpg/pool.py)'),
      };
      if (dsn) pool.connectionString = resolvePy(dsn, mod, project) as AppSetting<string>;
      const co = connectionOptionsOf(args, mod, project, { host: 'host', port: 'port', database: 'database', user: 'user' });
      if (co) pool.connectionOptions = co;
      const cache = opt('statement_cache_size');
      pool.preparedStatements = cache
        ? { ...(cache as AppSetting<boolean>), value: typeof cache.value === 'number' ? cache.value > 0 : undefined, why: `statement_cache_size=${cache.value ?? '?'}` }
        : { value: true, provenance: { kind: 'default', note: `asyncpg statement_cache_size default ${ASYNCPG.statementCacheSize} (asyncpg/connection.py connect)` }, why: `asyncpg prepares every query as a named statement and caches ${ASYNCPG.statementCacheSize} of them per connection (statement_cache_size default)` };
      return pool;
    }
    case 'psycopg2': {
      // SimpleConnectionPool(minconn, maxconn, *args, **kwargs): args/kwargs go to psycopg2.connect.
      const maxNode = args.positional[1] ?? args.keywords.get('maxconn')?.value;
      const max = maxNode ? resolvePy(maxNode, mod, project) : { value: undefined, provenance: { kind: 'unknown' as const, reason: 'maxconn is not given' } };
      const dsn = args.positional[2] ?? args.keywords.get('dsn')?.value;
      const pool: AppPool = {
        ...base,
        peak: { terms: [{ name: 'maxconn', value: setting(max) }], explanation: `maxconn ${max.value ?? '?'}` },
        options,
      };
      if (dsn) pool.connectionString = resolvePy(dsn, mod, project) as AppSetting<string>;
      const co = connectionOptionsOf(args, mod, project, { host: 'host', port: 'port', database: 'dbname', user: 'user' });
      if (co) pool.connectionOptions = co;
      return pool;
    }
    default:
      return undefined;
  }
}

function scale(v: Value, k: number): AppSetting<number> {
  if (typeof v.value === 'number') return { ...(v as AppSetting<number>), value: v.value * k };
  if (v.provenance.kind === 'env' && typeof v.provenance.fallback === 'number') return { ...(v as AppSetting<number>), value: v.provenance.fallback * k };
  return v as AppSetting<number>;
}

function connectionOptionsOf(args: CallArgs, mod: PyModule, project: PyProject, names: { host: string; port: string; database: string; user: string }): AppPool['connectionOptions'] | undefined {
  const out: NonNullable<AppPool['connectionOptions']> = {};
  for (const key of ['host', 'port', 'database', 'user'] as const) {
    const a = args.keywords.get(names[key]);
    if (a) (out as Record<string, Value>)[key] = resolvePy(a.value, mod, project);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/* ---------------- Django DATABASES ---------------- */

interface DjangoAlias {
  alias: string;
  /** The alias's dict, or the call (dj_database_url.config(), env.db()) that builds it. */
  node: PyNode;
  /** Later `DATABASES["default"]["KEY"] = v` and `DATABASES["default"].update({...})` in the same module. */
  overrides: Map<string, PyNode>;
}

/** `DATABASES = {...}` at module level, and what the module changes in it afterwards. */
function djangoAliases(mod: PyModule): DjangoAlias[] {
  // Every assignment is kept (`if "DATABASE_URL" in os.environ: … else: …` gives two alternatives);
  // later changes apply to the latest assignment of that alias.
  const all: DjangoAlias[] = [];
  const aliases = new Map<string, DjangoAlias>();
  const assign = (a: DjangoAlias) => {
    all.push(a);
    aliases.set(a.alias, a);
  };
  const project = { root: '', module: () => undefined };
  const keyOf = (n: PyNode | undefined): string | undefined => {
    const v = n ? resolvePy(n, mod, project) : undefined;
    return typeof v?.value === 'string' ? v.value : undefined;
  };
  const statements: PyNode[] = [];
  const collect = (nodes: PyNode[]) => {
    for (const s of nodes) {
      if (s.type === 'expression_statement') statements.push(s);
      else if (s.type === 'if_statement' || s.type === 'try_statement') for (const c of s.children) if (c.type === 'block' || c.type.endsWith('_clause')) collect(c.type === 'block' ? c.children : c.children.filter((x) => x.type === 'block').flatMap((b) => b.children));
    }
  };
  collect(mod.root.children);
  for (const s of statements) {
    const e = s.children[0];
    if (!e) continue;
    if (e.type === 'assignment') {
      const left = child(e, 'left');
      const right = child(e, 'right');
      if (!left || !right) continue;
      if (left.type === 'identifier' && mod.src(left) === 'DATABASES' && right.type === 'dictionary') {
        for (const pair of namedChildren(right)) {
          if (pair.type !== 'pair') continue;
          const alias = keyOf(child(pair, 'key'));
          const v = child(pair, 'value');
          if (alias !== undefined && v) assign({ alias, node: v, overrides: new Map() });
        }
      } else if (left.type === 'subscript') {
        // DATABASES["default"] = …  /  DATABASES["default"]["CONN_MAX_AGE"] = …
        const inner = child(left, 'value');
        const key = keyOf(child(left, 'subscript'));
        if (inner?.type === 'identifier' && mod.src(inner) === 'DATABASES' && key !== undefined) assign({ alias: key, node: right, overrides: new Map() });
        else if (inner?.type === 'subscript' && mod.src(child(inner, 'value') ?? inner) === 'DATABASES' && key !== undefined) {
          const alias = keyOf(child(inner, 'subscript'));
          const a = alias !== undefined ? aliases.get(alias) : undefined;
          if (a) a.overrides.set(key, right);
        }
      }
    } else if (e.type === 'call') {
      // DATABASES["default"].update({...})
      const f = child(e, 'function');
      if (f?.type === 'attribute' && mod.src(child(f, 'attribute')!) === 'update') {
        const obj = child(f, 'object');
        if (obj?.type === 'subscript' && mod.src(child(obj, 'value')!) === 'DATABASES') {
          const alias = keyOf(child(obj, 'subscript'));
          const a = alias !== undefined ? aliases.get(alias) : undefined;
          const arg = namedChildren(child(e, 'arguments')!)[0];
          if (a && arg?.type === 'dictionary') for (const pair of namedChildren(arg)) {
            const k = keyOf(child(pair, 'key'));
            const v = child(pair, 'value');
            if (k !== undefined && v) a.overrides.set(k, v);
          }
        }
      }
    }
  }
  return all;
}

function djangoPools(mod: PyModule, opts: ExtractOptions): AppPool[] {
  const project = opts.project;
  const out: AppPool[] = [];
  for (const a of djangoAliases(mod)) {
    const range = mod.rangeOf(a.node);
    const keys = new Map<string, { node: PyNode; range: SourceRange }>();
    let connectionString: AppSetting<string> | undefined;
    let engine: string | undefined;
    let fromUrl: { connMaxAge?: Value; healthChecks?: Value } = {};
    if (a.node.type === 'dictionary') {
      for (const pair of namedChildren(a.node)) {
        // {**dj_database_url.config(...), "DISABLE_SERVER_SIDE_CURSORS": True}: the URL's settings, then the keys written.
        if (pair.type === 'dictionary_splat') {
          const inner = namedChildren(pair)[0];
          const built = inner?.type === 'call' ? djangoUrlCall(inner, mod, project) : undefined;
          if (built) {
            connectionString = built.url;
            fromUrl = built;
            engine = built.engine;
          }
          continue;
        }
        if (pair.type !== 'pair') continue;
        const k = resolvePy(child(pair, 'key'), mod, project).value;
        const v = child(pair, 'value');
        if (typeof k === 'string' && v) keys.set(k, { node: v, range: mod.rangeOf(pair) });
      }
    } else if (a.node.type === 'call') {
      const built = djangoUrlCall(a.node, mod, project);
      if (!built) continue;
      connectionString = built.url;
      fromUrl = built;
      engine = built.engine;
    } else continue;
    for (const [k, v] of a.overrides) keys.set(k, { node: v, range: mod.rangeOf(v) });
    const val = (k: string): Value | undefined => {
      const e = keys.get(k);
      return e ? resolvePy(e.node, mod, project) : undefined;
    };
    const eng = val('ENGINE');
    if (typeof eng?.value === 'string') engine = eng.value;
    if (engine !== undefined && !isDjangoPostgresEngine(engine)) continue;
    if (engine === undefined && connectionString === undefined) continue;
    if (typeof connectionString?.value === 'string' && connectionString.provenance.kind !== 'env' && !/^postgres(ql|gis)?[+:]/i.test(connectionString.value)) continue;

    const options: AppPool['options'] = [];
    const push = (name: string, v: Value | undefined, at?: SourceRange) => {
      if (v) options.push({ name, value: v, range: at ?? v.range ?? range });
    };
    for (const k of ['CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'DISABLE_SERVER_SIDE_CURSORS', 'ATOMIC_REQUESTS']) push(k, val(k), keys.get(k)?.range);
    if (!keys.has('CONN_MAX_AGE')) push('CONN_MAX_AGE', fromUrl.connMaxAge ?? def(DJANGO.connMaxAge, `Django default CONN_MAX_AGE 0: a connection per request (${DJANGO.source})`), fromUrl.connMaxAge?.range ?? range);
    if (!keys.has('CONN_HEALTH_CHECKS') && fromUrl.healthChecks) push('CONN_HEALTH_CHECKS', fromUrl.healthChecks);
    let pool: Value | undefined;
    const optNode = keys.get('OPTIONS')?.node;
    if (optNode?.type === 'dictionary') {
      for (const e of dictEntries(optNode, mod, project)) {
        if (e.key === 'pool') {
          pool = e.value.type === 'dictionary' ? { value: 'dict', provenance: { kind: 'literal' }, range: mod.rangeOf(e.value) } : resolvePy(e.value, mod, project);
          if (e.value.type === 'dictionary') for (const pe of dictEntries(e.value, mod, project)) push(`OPTIONS.pool.${pe.key}`, resolvePy(pe.value, mod, project), mod.rangeOf(pe.pair));
          push('OPTIONS.pool', pool, mod.rangeOf(e.pair));
        } else push(`OPTIONS.${e.key}`, resolvePy(e.value, mod, project), mod.rangeOf(e.pair));
      }
    }
    const base = {
      id: poolId(project.root, range),
      language: 'python' as const,
      library: 'django' as const,
      construct: `DATABASES["${a.alias}"]`,
      file: mod.file,
      range,
      appDir: opts.appDirOf(mod.file),
      scope: { kind: 'module' as const },
      options,
    };
    const poolOn = pool !== undefined && (pool.value === 'dict' || pool.value === true);
    let p: AppPool;
    if (poolOn) {
      const opt = (n: string) => options.find((o) => o.name === n)?.value;
      const min = opt('OPTIONS.pool.min_size') ?? defNum(PSYCOPG_POOL.minSize, `psycopg_pool default min_size 4 (${PSYCOPG_POOL.source})`);
      const max = opt('OPTIONS.pool.max_size');
      const peak = max ?? { ...min, ...(min.provenance.kind === 'default' ? { provenance: { kind: 'default' as const, note: `"pool": True uses psycopg_pool's defaults: max_size = min_size = 4 (${PSYCOPG_POOL.source})` } } : {}) };
      const timeout = opt('OPTIONS.pool.timeout');
      p = {
        ...base,
        peak: { terms: [{ name: max ? 'max_size' : 'min_size', value: setting(peak) }], explanation: `OPTIONS pool ${max ? `max_size ${max.value ?? '?'}` : `max_size = min_size ${min.value ?? '?'}${min.provenance.kind === 'default' ? ' (psycopg_pool default)' : ''}`}` },
        use: 'per-thread',
        acquireTimeoutMs: timeout ? scale(timeout, 1000) : defNum(PSYCOPG_POOL.timeoutSeconds * 1000, `psycopg_pool timeout 30 s (${PSYCOPG_POOL.source})`),
      };
    } else {
      p = {
        ...base,
        peak: { terms: [{ name: 'CONN', value: { value: 1, provenance: { kind: 'default', note: `Django opens one connection per thread per database alias (${DJANGO.source})` } } }], explanation: 'one connection per thread (no OPTIONS pool)' },
        use: 'per-thread-per-alias',
      };
    }
    if (connectionString) p.connectionString = connectionString;
    const co: NonNullable<AppPool['connectionOptions']> = {};
    for (const [k, name] of [['HOST', 'host'], ['PORT', 'port'], ['NAME', 'database'], ['USER', 'user']] as const) {
      const v = val(k);
      if (v) (co as Record<string, Value>)[name] = v;
    }
    if (Object.keys(co).length > 0) p.connectionOptions = co;
    // psycopg 3 prepares only with server-side binding (Django OPTIONS "server_side_binding": True; Django docs ref/databases "Server-side parameters binding").
    const ssb = options.find((o) => o.name === 'OPTIONS.server_side_binding')?.value;
    if (ssb?.value === true) {
      const t = options.find((o) => o.name === 'OPTIONS.prepare_threshold')?.value;
      p.preparedStatements = t
        ? { ...(t as AppSetting<boolean>), value: t.value === undefined ? undefined : t.value !== null, why: `server_side_binding with prepare_threshold=${t.value === null ? 'None' : (t.value ?? '?')}` }
        : { value: true, provenance: { kind: 'default', note: `psycopg 3 prepare_threshold default ${PSYCOPG.prepareThreshold} (${PSYCOPG.source})` }, why: `OPTIONS server_side_binding=True: psycopg 3 prepares a statement after it ran ${PSYCOPG.prepareThreshold} times on a connection` };
    }
    out.push(p);
  }
  return out;
}

/** `dj_database_url.config(default=…, conn_max_age=…)`, `dj_database_url.parse(url, …)`, `env.db()` / `env.db_url("X")`. */
function djangoUrlCall(call: PyNode, mod: PyModule, project: PyProject): { url: AppSetting<string>; engine?: string; connMaxAge?: Value; healthChecks?: Value } | undefined {
  const fn = child(call, 'function');
  if (!fn) return undefined;
  const q = mod.qualifiedName(fn) ?? '';
  const args = callArgs(call, mod);
  const kw = (n: string) => {
    const a = args.keywords.get(n);
    return a ? resolvePy(a.value, mod, project) : undefined;
  };
  const range = mod.rangeOf(call);
  const engine = kw('engine');
  const extra = {
    ...(typeof engine?.value === 'string' ? { engine: engine.value } : {}),
    connMaxAge: kw('conn_max_age') ?? def(DJ_DATABASE_URL.connMaxAge, 'dj-database-url default conn_max_age 0 (dj_database_url config/parse)'),
    ...(kw('conn_health_checks') ? { healthChecks: kw('conn_health_checks')! } : {}),
  };
  if (q === 'dj_database_url.config') {
    const envVar = kw('env');
    const name = typeof envVar?.value === 'string' ? envVar.value : DJ_DATABASE_URL.envVar;
    const d = kw('default');
    const url: AppSetting<string> =
      d && typeof d.value === 'string' && (d.provenance.kind === 'literal' || d.provenance.kind === 'constant')
        ? { value: d.value, provenance: { kind: 'env', envVar: name, fallback: d.value, ...(d.range ? { fallbackAt: d.range } : {}) }, range }
        : d && d.provenance.kind === 'env'
          ? (d as AppSetting<string>)
          : { value: undefined, provenance: { kind: 'env', envVar: name }, range };
    return { url, ...extra };
  }
  if (q === 'dj_database_url.parse') {
    const u = args.positional[0] ?? args.keywords.get('url')?.value;
    return { url: resolvePy(u, mod, project) as AppSetting<string>, ...extra };
  }
  // django-environ env.db() / env.db_url(var="DATABASE_URL", default=…)
  if (fn.type === 'attribute' && ['db', 'db_url'].includes(mod.src(child(fn, 'attribute')!))) {
    const obj = child(fn, 'object')!;
    const a = obj.type === 'identifier' ? mod.assignments.get(mod.src(obj)) : undefined;
    const v = a?.[a.length - 1];
    const f = v?.type === 'call' ? child(v, 'function') : undefined;
    if (!f || mod.qualifiedName(f) !== 'environ.Env') return undefined;
    const varNode = args.positional[0] ?? args.keywords.get('var')?.value;
    const name = varNode ? resolvePy(varNode, mod, project).value : DJ_DATABASE_URL.envVar;
    if (typeof name !== 'string') return { url: { value: undefined, provenance: { kind: 'unknown', reason: 'the variable name is not static' }, range } };
    const d = args.positional[1] ? resolvePy(args.positional[1], mod, project) : kw('default');
    const url: AppSetting<string> = d && typeof d.value === 'string' ? { value: d.value, provenance: { kind: 'env', envVar: name, fallback: d.value, ...(d.range ? { fallbackAt: d.range } : {}) }, range } : { value: undefined, provenance: { kind: 'env', envVar: name }, range };
    return { url, ...(typeof engine?.value === 'string' ? { engine: engine.value } : {}) };
  }
  return undefined;
}

/* ---------------- gunicorn.conf.py ---------------- */

/** What a gunicorn configuration file sets: `workers`, `threads`, `worker_class` (module-level names, as gunicorn reads them). */
export function gunicornConfig(mod: PyModule, project: PyProject): ProcessConfigFile {
  const cfg: ProcessConfigFile = { file: mod.file, server: 'gunicorn', problems: [] };
  const last = (name: string) => {
    const a = mod.assignments.get(name);
    return a?.[a.length - 1];
  };
  const w = last('workers');
  if (w) cfg.processes = resolvePy(w, mod, project) as AppSetting<number>;
  const t = last('threads');
  if (t) cfg.threads = resolvePy(t, mod, project) as AppSetting<number>;
  const wc = last('worker_class');
  if (wc) {
    const v = resolvePy(wc, mod, project);
    const range = mod.rangeOf(wc);
    if (typeof v.value === 'string') cfg.concurrency = { value: gunicornConcurrency(v.value, typeof cfg.threads?.value === 'number' ? cfg.threads.value : undefined), range, source: `worker_class ${v.value}` };
  }
  return cfg;
}

