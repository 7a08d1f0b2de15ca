#!/usr/bin/env node
// Generates a synthetic TypeScript/JavaScript monorepo for the speed benchmark (issue 3, "Speed").
//
//   node bench/generate.mjs [--files 10000] [--seed 1] [--out DIR]
//
// `--files` is the number of files the linter's discovery walks (after node_modules, dist, build,
// .git and .gitignore'd paths are skipped); the skipped directories come on top of it. The same
// seed gives a byte-identical tree. Prints a JSON summary on stdout.
//
// Mostly ordinary code (React components, hooks, utils, services, tests, configs), a few percent
// database code (node-postgres, Prisma, knex, postgres.js, TypeORM, Sequelize, Drizzle, Kysely),
// some of it wrong on purpose (release without finally, pool created per request, BEGIN through
// pool.query, no connection timeout), and a couple of postgresql.conf / pgbouncer.ini files.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const GENERATOR_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------------

function hashString(s) {
  // xmur3
  let h = 1779033703 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^= h >>> 16) >>> 0;
}

class Rng {
  constructor(seed) {
    // sfc32, seeded from a string
    const s = String(seed);
    this.a = hashString(s + 'a');
    this.b = hashString(s + 'b');
    this.c = hashString(s + 'c');
    this.d = hashString(s + 'd');
    for (let i = 0; i < 15; i++) this.next();
  }
  next() {
    this.a >>>= 0; this.b >>>= 0; this.c >>>= 0; this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(arr) {
    return arr[Math.floor(this.next() * arr.length)];
  }
  weighted(pairs) {
    let total = 0;
    for (const [, w] of pairs) total += w;
    let x = this.next() * total;
    for (const [v, w] of pairs) {
      x -= w;
      if (x < 0) return v;
    }
    return pairs[pairs.length - 1][0];
  }
  normal() {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  lognormal(median, sigma) {
    return median * Math.exp(sigma * this.normal());
  }
  sample(arr, n) {
    const copy = [...arr];
    const out = [];
    while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(this.next() * copy.length), 1)[0]);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

const NOUNS = [
  'user', 'order', 'invoice', 'product', 'cart', 'session', 'account', 'payment', 'shipment', 'review',
  'comment', 'team', 'project', 'task', 'notification', 'report', 'metric', 'subscription', 'coupon',
  'address', 'profile', 'message', 'channel', 'webhook', 'audit', 'tenant', 'workspace', 'document',
  'folder', 'tag', 'category', 'price', 'plan', 'feature', 'flag', 'event', 'booking', 'ticket',
  'vendor', 'warehouse', 'inventory', 'refund', 'receipt', 'member', 'invite', 'role', 'permission',
  'token', 'device', 'location', 'schedule', 'calendar', 'attachment', 'thread', 'reaction', 'survey',
  'answer', 'lead', 'deal', 'contract', 'quote', 'batch', 'export', 'import', 'job', 'pipeline',
];
const VERBS = [
  'get', 'fetch', 'load', 'create', 'update', 'remove', 'list', 'find', 'sync', 'compute', 'format',
  'parse', 'validate', 'normalize', 'build', 'render', 'map', 'filter', 'merge', 'resolve', 'apply',
  'check', 'collect', 'group', 'sort', 'serialize', 'hydrate', 'prepare', 'track', 'notify', 'archive',
];
const ADJS = [
  'active', 'pending', 'archived', 'draft', 'primary', 'default', 'recent', 'visible', 'shared',
  'public', 'internal', 'cached', 'partial', 'expired', 'verified', 'featured', 'hidden', 'locked',
];
const FIELD_TYPES_TS = ['string', 'number', 'boolean', 'Date', 'string | null', 'number | undefined', 'string[]', 'Record<string, string>'];
const UI_WORDS = ['Button', 'Card', 'Modal', 'Table', 'List', 'Form', 'Field', 'Header', 'Footer', 'Sidebar', 'Badge', 'Avatar', 'Tabs', 'Menu', 'Dialog', 'Tooltip', 'Toast', 'Banner', 'Panel', 'Grid', 'Chart', 'Filter', 'Picker', 'Select', 'Input', 'Pagination', 'Breadcrumb', 'Empty', 'Skeleton', 'Layout'];
const PKG_NAMES = ['utils', 'ui', 'config', 'logger', 'sdk', 'auth', 'analytics', 'i18n', 'validation', 'http', 'billing', 'search', 'emails', 'feature-flags', 'storage', 'events', 'design-tokens', 'testing', 'cli', 'scheduler', 'telemetry', 'forms', 'charts', 'icons', 'markdown', 'date', 'crypto', 'cache', 'queue', 'rate-limit'];
const APP_NAMES = ['web', 'api', 'functions', 'worker', 'admin', 'dashboard', 'gateway', 'mobile-bff', 'jobs', 'portal', 'marketing', 'partner-api', 'billing-service', 'notifier', 'importer', 'reports'];
const LOREM = 'the service keeps a cache of recent results so that a burst of identical requests hits the backend once and every later caller reads the stored value until it expires or the record changes upstream'.split(' ');

const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const camel = (...parts) => parts.map((p, i) => (i === 0 ? p : cap(p))).join('');
const pascal = (...parts) => parts.map(cap).join('');
const kebab = (...parts) => parts.join('-');
const plural = (n) => (n.endsWith('y') ? n.slice(0, -1) + 'ies' : n.endsWith('s') || n.endsWith('ch') ? n + 'es' : n + 's');
const snake = (...parts) => parts.join('_');

function sentence(r, min = 6, max = 18) {
  const n = r.int(min, max);
  const words = [];
  for (let i = 0; i < n; i++) words.push(r.chance(0.2) ? r.pick(NOUNS) : r.pick(LOREM));
  const s = words.join(' ');
  return cap(s) + '.';
}

// ---------------------------------------------------------------------------------------------
// Code pieces. `c` is the file context: { r, ts, jsx, esm, names: Set } — ts: emit types.
// ---------------------------------------------------------------------------------------------

function t(c, s) {
  return c.ts ? s : '';
}

function exp(c) {
  return c.esm ? 'export ' : '';
}

function fields(c, n) {
  const { r } = c;
  const out = [];
  const used = new Set();
  for (let i = 0; i < n; i++) {
    let f = r.chance(0.5) ? camel(r.pick(NOUNS), r.pick(['id', 'name', 'count', 'at', 'url', 'status', 'total', 'key', 'label', 'ids'])) : r.pick(['id', 'name', 'email', 'createdAt', 'updatedAt', 'status', 'title', 'description', 'amount', 'currency', 'ownerId', 'version', 'slug', 'position', 'metadata', 'enabled', 'expiresAt', 'locale', 'timezone', 'notes']);
    if (used.has(f)) f = f + i;
    used.add(f);
    out.push(f);
  }
  return out;
}

function uniqueName(c, base) {
  let name = base;
  let i = 2;
  while (c.names.has(name)) name = base + i++;
  c.names.add(name);
  return name;
}

function pInterface(c) {
  const { r } = c;
  const name = uniqueName(c, pascal(r.pick(ADJS), r.pick(NOUNS)));
  if (!c.ts) return pJsDocTypedef(c, name);
  const fs = fields(c, r.int(3, 12));
  const body = fs.map((f) => `  ${f}${r.chance(0.2) ? '?' : ''}: ${r.pick(FIELD_TYPES_TS)};`).join('\n');
  const doc = r.chance(0.5) ? `/** ${sentence(r)} */\n` : '';
  return `${doc}export interface ${name} {\n${body}\n}\n`;
}

function pJsDocTypedef(c, name) {
  const { r } = c;
  const fs = fields(c, r.int(3, 8));
  return `/**\n * @typedef {object} ${name}\n${fs.map((f) => ` * @property {${r.pick(['string', 'number', 'boolean', 'Date'])}} ${f} ${sentence(r, 3, 8)}`).join('\n')}\n */\n`;
}

function pUnion(c) {
  const { r } = c;
  const name = uniqueName(c, pascal(r.pick(NOUNS), 'Status'));
  const vals = r.sample(['idle', 'loading', 'ready', 'failed', 'pending', 'active', 'archived', 'deleted', 'queued', 'running', 'done', 'cancelled'], r.int(3, 6));
  if (c.ts) return `export type ${name} = ${vals.map((v) => `'${v}'`).join(' | ')};\n`;
  return `${exp(c)}const ${name.toUpperCase()}_VALUES = Object.freeze([${vals.map((v) => `'${v}'`).join(', ')}]);\n`;
}

function pConstMap(c) {
  const { r } = c;
  const name = uniqueName(c, snake(r.pick(NOUNS), r.pick(['labels', 'colors', 'routes', 'limits', 'defaults'])).toUpperCase());
  const keys = r.sample(NOUNS, r.int(4, 14));
  const body = keys.map((k) => `  ${k}: ${r.chance(0.5) ? `'${r.pick(ADJS)} ${k}'` : r.int(1, 5000)},`).join('\n');
  return `${exp(c)}const ${name} = {\n${body}\n}${t(c, ' as const')};\n`;
}

function pUtilFunction(c) {
  const { r } = c;
  const noun = r.pick(NOUNS);
  const name = uniqueName(c, camel(r.pick(VERBS), pascal(plural(noun))));
  const item = noun === 'export' || noun === 'import' ? 'entry' : noun;
  const ty = c.ts ? `: ${pascal(noun)}Like[]` : '';
  const variant = r.int(0, 4);
  let body;
  if (variant === 0) {
    body = `  const out${t(c, `: ${pascal(noun)}Like[]`)} = [];
  for (const ${item} of items) {
    if (!${item} || ${item}.${r.pick(['enabled', 'visible', 'active'])} === false) continue;
    if (options.${r.pick(['since', 'before', 'after'])} && ${item}.${r.pick(['createdAt', 'updatedAt'])} < options.since) continue;
    out.push({ ...${item}, ${r.pick(['label', 'title', 'name'])}: String(${item}.${r.pick(['name', 'id', 'slug'])}).trim() });
  }
  return out.sort((a, b) => (a.${r.pick(['position', 'id', 'name'])} < b.position ? -1 : 1));`;
  } else if (variant === 1) {
    body = `  return items.reduce((acc, ${item}) => {
    const key = ${item}.${r.pick(['ownerId', 'status', 'category', 'tenantId'])} ?? 'unknown';
    (acc[key] ||= []).push(${item});
    return acc;
  }, {}${t(c, ` as Record<string, ${pascal(noun)}Like[]>`)});`;
  } else if (variant === 2) {
    body = `  const seen = new Set${t(c, '<string>')}();
  const result = [];
  for (let i = 0; i < items.length; i++) {
    const id = String(items[i].id);
    if (seen.has(id)) continue;
    seen.add(id);
    result.push(items[i]);
    if (options.limit && result.length >= options.limit) break;
  }
  return result;`;
  } else if (variant === 3) {
    body = `  if (items.length === 0) return [];
  const total = items.reduce((sum, x) => sum + (Number(x.${r.pick(['amount', 'count', 'total', 'weight'])}) || 0), 0);
  return items.map((x) => ({ ...x, share: total === 0 ? 0 : Math.round((Number(x.amount) / total) * 10000) / 100 }));`;
  } else {
    body = `  const byId = new Map(items.map((x) => [x.id, x]));
  return (options.ids ?? []).map((id) => byId.get(id)).filter(Boolean)${t(c, ` as ${pascal(noun)}Like[]`)};`;
  }
  const params = c.ts ? `items: ${pascal(noun)}Like[], options: { since?: Date; limit?: number; ids?: string[] } = {}` : 'items, options = {}';
  const doc = r.chance(0.6) ? `/**\n * ${sentence(r)}\n * ${sentence(r)}\n */\n` : '';
  const typeDecl = c.ts && !c.names.has(`${pascal(noun)}Like`) ? (c.names.add(`${pascal(noun)}Like`), `type ${pascal(noun)}Like = Record<string, any>;\n\n`) : '';
  return `${typeDecl}${doc}${exp(c)}function ${name}(${params})${c.ts ? `${ty.replace('[]', '[] | Record<string, ' + pascal(noun) + 'Like[]>')}` : ''} {\n${body}\n}\n`;
}

function pAsyncService(c) {
  const { r } = c;
  const noun = r.pick(NOUNS);
  const verb = r.pick(['fetch', 'load', 'sync', 'create', 'update']);
  const name = uniqueName(c, camel(verb, pascal(noun)));
  const endpoint = `/${plural(noun)}`;
  const params = c.ts ? 'id: string, init: RequestInit = {}' : 'id, init = {}';
  const ret = c.ts ? `: Promise<${pascal(noun)}Payload | null>` : '';
  const payload = c.ts && !c.names.has(`${pascal(noun)}Payload`) ? (c.names.add(`${pascal(noun)}Payload`), `interface ${pascal(noun)}Payload {\n  id: string;\n  ${camel(noun, 'name')}: string;\n  updatedAt: string;\n}\n\n`) : '';
  const init = 'init';
  const attempts = r.int(2, 5);
  return `${payload}${exp(c)}async function ${name}(${params})${ret} {
  const url = \`\${BASE_URL}${endpoint}/\${encodeURIComponent(id)}\`;
  for (let attempt = 1; attempt <= ${attempts}; attempt++) {
    try {
      const res = await fetch(url, { ...${init}, headers: { accept: 'application/json' } });
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(\`${verb} ${noun} failed: \${res.status}\`);
      return (await res.json())${t(c, ` as ${pascal(noun)}Payload`)};
    } catch (err) {
      if (attempt === ${attempts}) throw err;
      await new Promise((resolve) => setTimeout(resolve, ${r.pick([100, 200, 250, 500])} * attempt));
    }
  }
  return null;
}
`;
}

function pClass(c) {
  const { r } = c;
  const noun = r.pick(NOUNS);
  const name = uniqueName(c, pascal(noun, r.pick(['Store', 'Manager', 'Registry', 'Tracker', 'Builder', 'Formatter', 'Scheduler'])));
  const methods = [];
  const n = r.int(2, 6);
  for (let i = 0; i < n; i++) {
    const m = camel(r.pick(VERBS), pascal(r.pick(NOUNS)));
    const variant = r.int(0, 2);
    if (variant === 0) {
      methods.push(`  ${m}(key${t(c, ': string')})${t(c, ': boolean')} {
    const entry = this.entries.get(key);
    if (!entry) return false;
    entry.touchedAt = Date.now();
    this.entries.set(key, entry);
    return true;
  }`);
    } else if (variant === 1) {
      methods.push(`  ${m}()${t(c, ': number')} {
    let removed = 0;
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (now - entry.touchedAt > this.ttlMs) {
        this.entries.delete(key);
        removed++;
      }
    }
    return removed;
  }`);
    } else {
      methods.push(`  ${c.ts ? 'async ' : 'async '}${m}(keys${t(c, ': string[]')})${t(c, ': Promise<number>')} {
    const results = await Promise.all(keys.map(async (key) => this.entries.has(key)));
    return results.filter(Boolean).length;
  }`);
    }
  }
  const fieldsDecl = c.ts ? `  private readonly entries = new Map<string, { value: unknown; touchedAt: number }>();\n\n  constructor(private readonly ttlMs: number = ${r.int(1, 60) * 1000}) {}\n` : `  constructor(ttlMs = ${r.int(1, 60) * 1000}) {\n    this.entries = new Map();\n    this.ttlMs = ttlMs;\n  }\n`;
  return `${exp(c)}class ${name} {\n${fieldsDecl}\n${methods.join('\n\n')}\n}\n`;
}

function pDataTable(c) {
  const { r } = c;
  const name = uniqueName(c, snake(r.pick(ADJS), plural(r.pick(NOUNS))).toUpperCase());
  const fs = fields(c, r.int(3, 6));
  const rows = [];
  const n = r.int(8, 60);
  for (let i = 0; i < n; i++) {
    rows.push(`  { ${fs.map((f, j) => `${f}: ${j === 0 ? `'${r.pick(NOUNS)}-${r.int(1000, 99999)}'` : r.chance(0.5) ? r.int(0, 100000) : `'${r.pick(ADJS)} ${r.pick(NOUNS)}'`}`).join(', ')} },`);
  }
  return `${exp(c)}const ${name} = [\n${rows.join('\n')}\n];\n`;
}

function pSchema(c) {
  const { r } = c;
  const noun = r.pick(NOUNS);
  const name = uniqueName(c, camel(noun, 'Schema'));
  const fs = fields(c, r.int(3, 10));
  const zt = ['z.string()', 'z.string().min(1)', 'z.number().int().nonnegative()', 'z.boolean()', 'z.string().email()', 'z.string().uuid()', 'z.coerce.date()', 'z.enum([\'a\', \'b\', \'c\'])', 'z.array(z.string())'];
  return `${exp(c)}const ${name} = z.object({\n${fs.map((f) => `  ${f}: ${r.pick(zt)}${r.chance(0.3) ? '.optional()' : ''},`).join('\n')}\n});\n${c.ts ? `export type ${pascal(noun)}Input = z.infer<typeof ${name}>;\n` : ''}`;
}

function pReducer(c) {
  const { r } = c;
  const noun = r.pick(NOUNS);
  const name = uniqueName(c, camel(noun, 'Reducer'));
  const actions = r.sample(['added', 'removed', 'updated', 'loaded', 'failed', 'reset', 'selected', 'cleared'], r.int(3, 6));
  const cases = actions.map((a) => `    case '${plural(noun)}/${a}':\n      return { ...state, ${a === 'failed' ? 'error: action.error, loading: false' : a === 'reset' || a === 'cleared' ? 'items: [], loading: false' : `items: ${a === 'removed' ? 'state.items.filter((x) => x.id !== action.id)' : '[...state.items, ...(action.items ?? [])]'}, loading: false`} };`).join('\n');
  const sig = c.ts ? `state: ${pascal(noun)}State = initial${pascal(noun)}State, action: { type: string; id?: string; items?: any[]; error?: string }` : `state = initial${pascal(noun)}State, action`;
  const stateDecl = `${c.ts ? `interface ${pascal(noun)}State {\n  items: any[];\n  loading: boolean;\n  error?: string;\n}\n` : ''}const initial${pascal(noun)}State${t(c, `: ${pascal(noun)}State`)} = { items: [], loading: false };\n`;
  if (c.names.has(`initial${pascal(noun)}State`)) return pConstMap(c);
  c.names.add(`initial${pascal(noun)}State`);
  return `${stateDecl}\n${exp(c)}function ${name}(${sig})${t(c, `: ${pascal(noun)}State`)} {\n  switch (action.type) {\n${cases}\n    default:\n      return state;\n  }\n}\n`;
}

function pComment(c) {
  const { r } = c;
  const lines = [];
  for (let i = r.int(2, 7); i > 0; i--) lines.push(` * ${sentence(c.r)}`);
  return `/**\n${lines.join('\n')}\n */\n`;
}

function pReactComponent(c) {
  const { r } = c;
  const noun = r.pick(NOUNS);
  const name = uniqueName(c, pascal(r.pick(ADJS), noun, r.pick(UI_WORDS)));
  const propsT = c.ts ? `{ ${camel(plural(noun))}, onSelect, loading = false }: { ${camel(plural(noun))}: Array<{ id: string; name: string }>; onSelect?: (id: string) => void; loading?: boolean }` : `{ ${camel(plural(noun))}, onSelect, loading = false }`;
  const list = camel(plural(noun));
  const variant = r.int(0, 2);
  let jsx;
  if (variant === 0) {
    jsx = `    <section className={styles.${camel(r.pick(['root', 'wrapper', 'container']))}} aria-busy={loading}>
      <header className={styles.header}>
        <h2>{title}</h2>
        <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search ${plural(noun)}" />
      </header>
      {visible.length === 0 ? (
        <p className={styles.empty}>No ${plural(noun)} yet.</p>
      ) : (
        <ul>
          {visible.map((item) => (
            <li key={item.id} className={item.id === selected ? styles.selected : undefined}>
              <button type="button" onClick={() => { setSelected(item.id); onSelect?.(item.id); }}>
                {item.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>`;
  } else if (variant === 1) {
    jsx = `    <table className="table table-${r.pick(['compact', 'striped', 'hover'])}">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">${cap(r.pick(NOUNS))}</th>
          <th scope="col" />
        </tr>
      </thead>
      <tbody>
        {visible.map((row) => (
          <tr key={row.id} onClick={() => onSelect?.(row.id)}>
            <td>{row.name}</td>
            <td>{row.id.slice(0, ${r.int(4, 12)})}</td>
            <td>{row.id === selected && <span className="badge">selected</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>`;
  } else {
    jsx = `    <div className={clsx(styles.grid, loading && styles.loading)}>
      {loading ? <Spinner size="${r.pick(['sm', 'md', 'lg'])}" /> : null}
      {visible.map((card) => (
        <article key={card.id} className={styles.card}>
          <h3>{card.name}</h3>
          <p>{t('${noun}.description', { name: card.name })}</p>
          <a href={\`/${plural(noun)}/\${card.id}\`}>Open</a>
        </article>
      ))}
    </div>`;
  }
  return `${c.esm ? 'export ' : ''}function ${name}(${propsT}) {
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState${t(c, '<string | null>')}(null);
  const title = ${r.chance(0.5) ? `'${cap(r.pick(ADJS))} ${plural(noun)}'` : `useMemo(() => \`\${${list}.length} ${plural(noun)}\`, [${list}])`};
  const visible = useMemo(
    () => ${list}.filter((x) => x.name.toLowerCase().includes(query.toLowerCase())),
    [${list}, query],
  );
  useEffect(() => {
    if (selected && !${list}.some((x) => x.id === selected)) setSelected(null);
  }, [${list}, selected]);
  return (
${jsx}
  );
}
`;
}

function pHook(c) {
  const { r } = c;
  const noun = r.pick(NOUNS);
  const name = uniqueName(c, camel('use', pascal(r.pick(ADJS)), pascal(plural(noun))));
  return `${exp(c)}function ${name}(${c.ts ? 'params: { enabled?: boolean; pageSize?: number } = {}' : 'params = {}'}) {
  const [state, setState] = useState${t(c, `<{ data: unknown[]; error: Error | null; loading: boolean }>`)}({ data: [], error: null, loading: false });
  useEffect(() => {
    if (params.enabled === false) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    fetch(\`/api/${plural(noun)}?limit=\${params.pageSize ?? ${r.pick([10, 20, 25, 50])}}\`, { signal: controller.signal })
      .then((res) => res.json())
      .then((data) => setState({ data, error: null, loading: false }))
      .catch((error) => {
        if (error.name !== 'AbortError') setState({ data: [], error, loading: false });
      });
    return () => controller.abort();
  }, [params.enabled, params.pageSize]);
  return state;
}
`;
}

function pTestSuite(c) {
  const { r } = c;
  const subject = r.pick([...c.names].filter((n) => /^[a-z]/.test(n))) ?? camel(r.pick(VERBS), pascal(r.pick(NOUNS)));
  const cases = [];
  for (let i = r.int(2, 6); i > 0; i--) {
    const v = r.int(0, 3);
    const noun = r.pick(NOUNS);
    if (v === 0) cases.push(`  it('${r.pick(['returns', 'keeps', 'drops', 'sorts', 'groups'])} ${r.pick(ADJS)} ${plural(noun)}', () => {\n    const input = [{ id: '1', name: 'a' }, { id: '2', name: 'b', enabled: false }];\n    expect(${subject}(input${t(c, ' as any')})).toMatchSnapshot();\n  });`);
    else if (v === 1) cases.push(`  it('handles an empty ${noun} list', () => {\n    expect(${subject}([])).toEqual(${r.pick(['[]', '{}'])});\n  });`);
    else if (v === 2) cases.push(`  it('calls the ${noun} endpoint once', async () => {\n    const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('{}'));\n    await Promise.resolve();\n    expect(spy).toHaveBeenCalledTimes(0);\n    spy.mockRestore();\n  });`);
    else cases.push(`  it.each([\n    [${r.int(0, 9)}, ${r.int(0, 9)}],\n    [${r.int(10, 99)}, ${r.int(10, 99)}],\n  ])('maps %s to %s (${noun})', (a, b) => {\n    expect(typeof a).toBe(typeof b);\n  });`);
  }
  return `describe('${subject}', () => {\n${cases.join('\n\n')}\n});\n`;
}

function pExpressRoutes(c) {
  const { r } = c;
  const noun = r.pick(NOUNS);
  const svc = camel(noun, 'Service');
  const routes = r.sample(['get', 'post', 'put', 'delete', 'patch'], r.int(2, 4)).map((m) => `router.${m}('/${plural(noun)}${m === 'get' || m === 'post' ? '' : '/:id'}', ${r.chance(0.5) ? 'requireAuth, ' : ''}async (req${t(c, ': Request')}, res${t(c, ': Response')}, next${t(c, ': NextFunction')}) => {
  try {
    const result = await ${svc}.${camel(m === 'get' ? 'list' : m === 'post' ? 'create' : m === 'delete' ? 'remove' : 'update', pascal(noun))}(${m === 'get' ? 'req.query' : m === 'post' ? 'req.body' : 'req.params.id, req.body'});
    res.status(${m === 'post' ? 201 : 200}).json(result);
  } catch (err) {
    next(err);
  }
});`);
  return routes.join('\n\n') + '\n';
}

/** Code that mentions pools and clients that are not PostgreSQL: the pre-filter must not be fooled into much work. */
function pDistractor(c) {
  const { r } = c;
  const imp = (names, from) => (c.esm ? `import { ${names} } from '${from}';\n` : `const { ${names.replace(/ as /g, ': ')} } = require('${from}');\n`);
  const v = r.int(0, 4);
  if (v === 0) return `${imp('createClient as createRedisClient', 'redis')}${exp(c)}const redisClient = createRedisClient({ url: process.env.REDIS_URL${t(c, '!')} });\nredisClient.on('error', (err${t(c, ': Error')}) => console.warn('redis connection error', err));\n`;
  if (v === 1) return `// undici keeps a pool of keep-alive sockets per origin\n${imp('Pool as UndiciPool', 'undici')}${exp(c)}const httpPool = new UndiciPool(process.env.UPSTREAM_URL ?? 'http://localhost:8080', { connections: ${r.int(4, 64)}, pipelining: 1 });\n`;
  if (v === 2) return `${exp(c)}const workerPool = Array.from({ length: ${r.int(2, 8)} }, (_, i) => ({ id: i, busy: false }));\n${exp(c)}function acquireWorker() {\n  const w = workerPool.find((x) => !x.busy);\n  if (w) w.busy = true;\n  return w;\n}\n`;
  if (v === 3) return `${exp(c)}const apiClient = createApiClient({ baseUrl: BASE_URL, timeoutMs: ${r.int(1, 30) * 1000}, retries: ${r.int(0, 3)} });\n`;
  return `// connection pooling for outbound HTTP is handled by the platform (keep-alive agent)\n${imp('Agent as HttpsAgent', 'node:https')}${exp(c)}const agent = new HttpsAgent({ keepAlive: true, maxSockets: ${r.int(10, 200)} });\n`;
}

function pDeclareFunction(c) {
  const { r } = c;
  const name = uniqueName(c, camel(r.pick(VERBS), pascal(r.pick(NOUNS))));
  return `export declare function ${name}(input: ${r.pick(['string', 'number', 'Record<string, unknown>', 'unknown[]'])}, options?: { ${camel(r.pick(ADJS))}?: boolean }): ${r.pick(['Promise<void>', 'string', 'boolean', 'number[]'])};\n`;
}

const PIECES_TS = [
  [pInterface, 12], [pUnion, 5], [pConstMap, 6], [pUtilFunction, 22], [pAsyncService, 10], [pClass, 8],
  [pDataTable, 4], [pSchema, 6], [pReducer, 4], [pComment, 3], [pHook, 3], [pExpressRoutes, 3], [pDistractor, 1.5],
];
const PIECES_TSX = [[pReactComponent, 30], [pHook, 8], [pInterface, 8], [pUtilFunction, 6], [pConstMap, 4], [pComment, 2]];
const PIECES_TEST = [[pTestSuite, 1]];
const PIECES_DTS = [[pInterface, 6], [pUnion, 2], [pDeclareFunction, 4], [pComment, 1]];

function importsFor(c, kind, siblings) {
  const { r } = c;
  const lines = [];
  const add = (names, from) => {
    if (c.esm) lines.push(`import { ${names.join(', ')} } from '${from}';`);
    else lines.push(`const { ${names.join(', ')} } = require('${from}');`);
  };
  if (kind === 'tsx') {
    if (c.esm) lines.push(`import { useEffect, useMemo, useState } from 'react';`);
    else lines.push(`const { useEffect, useMemo, useState } = require('react');`);
    if (r.chance(0.6)) lines.push(c.esm ? `import styles from './${r.pick(UI_WORDS)}.module.css';` : `const styles = require('./styles.module.css');`);
    if (r.chance(0.4)) add(['clsx'], 'clsx');
    if (r.chance(0.3)) add(['Spinner'], '@acme/ui');
    if (r.chance(0.3)) add(['useTranslation'], 'react-i18next');
  } else if (kind === 'test') {
    add(['describe', 'expect', 'it', 'vi'], 'vitest');
  } else {
    if (r.chance(0.3)) add(['z'], 'zod');
    if (r.chance(0.3)) add(r.sample(['formatISO', 'addDays', 'differenceInDays', 'parseISO'], r.int(1, 3)), 'date-fns');
    if (r.chance(0.25)) add(['logger'], '@acme/logger');
    if (r.chance(0.2)) add(['BASE_URL'], '@acme/config');
    if (r.chance(0.15)) add(['groupBy', 'uniqBy'], 'lodash-es');
    if (r.chance(0.1)) add(['Request', 'Response', 'NextFunction', 'Router'], 'express');
  }
  for (const s of r.sample(siblings, r.int(0, Math.min(3, siblings.length)))) add([camel(r.pick(VERBS), pascal(r.pick(NOUNS)))], s);
  return lines.join('\n') + (lines.length ? '\n\n' : '');
}

/** Ordinary code of about `size` bytes. */
function codeFile(r, opts, size) {
  const c = { r, ts: opts.ts, jsx: opts.kind === 'tsx', esm: opts.esm, names: new Set() };
  const parts = [];
  if (r.chance(0.15)) parts.push(`// ${sentence(r)}\n`);
  if (!c.esm && r.chance(0.5)) parts.push(`'use strict';\n\n`);
  if (opts.kind === 'tsx' && opts.client) parts.push(`'use client';\n\n`);
  parts.push(importsFor(c, opts.kind, opts.siblings ?? []));
  if (opts.kind === 'test') {
    const subject = camel(r.pick(VERBS), pascal(plural(r.pick(NOUNS))));
    parts.push(c.esm ? `import { ${subject} } from '../src/index';\n\n` : `const { ${subject} } = require('../src/index');\n\n`);
  } else if (opts.kind === 'ts' && r.chance(0.15)) {
    parts.push(`const BASE_URL = process.env.${r.pick(['API_URL', 'BASE_URL', 'PUBLIC_API_ORIGIN'])} ?? 'http://localhost:3000';\n\n`);
  }
  const table = opts.kind === 'tsx' ? PIECES_TSX : opts.kind === 'test' ? PIECES_TEST : opts.kind === 'dts' ? PIECES_DTS : PIECES_TS;
  let len = parts.reduce((n, p) => n + p.length, 0);
  const exported = [];
  while (len < size) {
    const piece = r.weighted(table)(c);
    parts.push(piece, '\n');
    len += piece.length + 1;
    if (!c.esm) {
      const m = /^(?:async )?(?:function|class|const) ([A-Za-z_][\w]*)/m.exec(piece);
      if (m) exported.push(m[1]);
    }
  }
  if (!c.esm && exported.length) parts.push(`module.exports = { ${[...new Set(exported)].join(', ')} };\n`);
  else if (c.esm && opts.defaultExport && c.names.size > 0) parts.push(`export default ${[...c.names].find((n) => /^[A-Z]/.test(n) && n !== n.toUpperCase()) ?? [...c.names][0]};\n`);
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// Database code. Every template returns { text, bad: string | null } (bad = the mistake planted).
// ---------------------------------------------------------------------------------------------

function poolOptions(r, bad) {
  const max = r.weighted([[`Number(process.env.DB_POOL_MAX ?? ${r.pick([5, 10, 20])})`, 3], [String(r.pick([5, 10, 15, 20, 25])), 3], [`parseInt(process.env.PG_POOL_SIZE || '${r.pick([10, 20])}', 10)`, 2]]);
  const lines = [`  connectionString: process.env.${r.pick(['DATABASE_URL', 'PG_URL', 'POSTGRES_URL'])},`, `  max: ${bad === 'max-zero' ? 0 : max},`];
  if (r.chance(0.7)) lines.push(`  idleTimeoutMillis: ${r.pick([10000, 30000, 60000])},`);
  if (bad !== 'missing-connection-timeout') lines.push(`  connectionTimeoutMillis: ${r.pick([2000, 5000, 10000])},`);
  if (r.chance(0.2)) lines.push(`  statement_timeout: ${r.pick([15000, 30000])},`);
  if (r.chance(0.2)) lines.push(`  ssl: process.env.NODE_ENV === 'production' ? { rejectUnauthorized: false } : undefined,`);
  return lines.join('\n');
}

function dbModulePg(r, ts, esm, bad) {
  const style = esm ? r.int(0, 1) : 2;
  let head;
  let ctor;
  if (style === 0) { head = `import { Pool } from 'pg';`; ctor = 'new Pool'; }
  else if (style === 1) { head = `import pg from 'pg';`; ctor = 'new pg.Pool'; }
  else { head = `const { Pool } = require('pg');`; ctor = 'new Pool'; }
  const body = `${head}

${esm ? 'export ' : ''}const pool = ${ctor}({
${poolOptions(r, bad)}
});

pool.on('error', (err${ts ? ': Error' : ''}) => {
  // an idle client died (server restart, network blip): log it, the pool replaces it
  console.error('unexpected error on idle PostgreSQL client', err);
});

${esm ? 'export ' : ''}async function query${ts ? '<T = any>' : ''}(text${ts ? ': string' : ''}, params${ts ? ': unknown[] = []' : ' = []'}) {
  const started = Date.now();
  const res = await pool.query${ts ? '<any>' : ''}(text, params);
  if (Date.now() - started > ${r.pick([200, 500, 1000])}) console.warn('slow query', { text, ms: Date.now() - started });
  return res.rows${ts ? ' as T[]' : ''};
}
${esm ? '' : '\nmodule.exports = { pool, query };\n'}`;
  return body;
}

function repoPg(r, ts, esm, dbSpec, bad) {
  const noun = r.pick(NOUNS);
  const table = plural(noun);
  const T = pascal(noun);
  const imp = esm ? `import { pool } from '${dbSpec}';` : `const { pool } = require('${dbSpec}');`;
  const fns = [];
  fns.push(`${esm ? 'export ' : ''}async function find${T}ById(id${ts ? ': string' : ''}) {
  const { rows } = await pool.query('SELECT * FROM ${table} WHERE id = $1', [id]);
  return rows[0] ?? null;
}`);
  fns.push(`${esm ? 'export ' : ''}async function list${plural(T)}(tenantId${ts ? ': string' : ''}, limit = 50) {
  const { rows } = await pool.query(
    'SELECT id, ${snake(noun, 'name')}, created_at FROM ${table} WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT $2',
    [tenantId, limit],
  );
  return rows;
}`);
  if (bad === 'release-without-finally') {
    fns.push(`${esm ? 'export ' : ''}async function archive${T}(id${ts ? ': string' : ''}) {
  const client = await pool.connect();
  await client.query('BEGIN');
  await client.query('UPDATE ${table} SET archived_at = now() WHERE id = $1', [id]);
  await client.query('INSERT INTO audit_log (entity, entity_id, action) VALUES ($1, $2, $3)', ['${noun}', id, 'archive']);
  await client.query('COMMIT');
  client.release();
}`);
  } else if (bad === 'transaction-on-pool') {
    fns.push(`${esm ? 'export ' : ''}async function transfer${T}(fromId${ts ? ': string' : ''}, toId${ts ? ': string' : ''}) {
  await pool.query('BEGIN');
  try {
    await pool.query('UPDATE ${table} SET owner_id = $2 WHERE id = $1', [fromId, toId]);
    await pool.query('COMMIT');
  } catch (err) {
    await pool.query('ROLLBACK');
    throw err;
  }
}`);
  } else if (r.chance(0.6)) {
    fns.push(`${esm ? 'export ' : ''}async function archive${T}(id${ts ? ': string' : ''}) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('UPDATE ${table} SET archived_at = now() WHERE id = $1', [id]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}`);
  }
  if (r.chance(0.3)) {
    fns.push(`${esm ? 'export ' : ''}async function count${plural(T)}ByStatus() {
  const { rows } = await pool.query({ name: 'count-${table}-by-status', text: 'SELECT status, count(*)::int AS n FROM ${table} GROUP BY status' });
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}`);
  }
  return `${imp}\n\n${fns.join('\n\n')}\n${esm ? '' : `\nmodule.exports = { ${fns.map((f) => /function (\w+)/.exec(f)[1]).join(', ')} };\n`}`;
}

function handlerPoolPg(r, ts, esm, flavor) {
  // Bad on purpose: a pool/client per invocation.
  if (flavor === 'lambda') {
    return `${esm ? `import { Pool } from 'pg';` : `const { Pool } = require('pg');`}

${esm ? 'export const handler = async' : 'exports.handler = async'} (event${ts ? ': { pathParameters?: { id?: string } }' : ''}) => {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: ${r.pick([5, 10])} });
  const { rows } = await pool.query('SELECT * FROM ${plural(r.pick(NOUNS))} WHERE id = $1', [event.pathParameters?.id]);
  return { statusCode: rows.length ? 200 : 404, body: JSON.stringify(rows[0] ?? null) };
};
`;
  }
  if (flavor === 'next') {
    return `import { Client } from 'pg';
import { NextResponse } from 'next/server';

export async function GET(request${ts ? ': Request' : ''}) {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const { searchParams } = new URL(request.url);
  const result = await client.query('SELECT id, title FROM ${plural(r.pick(NOUNS))} ORDER BY id DESC LIMIT $1', [Number(searchParams.get('limit') ?? 20)]);
  await client.end();
  return NextResponse.json(result.rows);
}
`;
  }
  return `${esm ? `import express from 'express';\nimport { Pool } from 'pg';` : `const express = require('express');\nconst { Pool } = require('pg');`}

const router = express.Router();

router.get('/${plural(r.pick(NOUNS))}/:id', async (req, res) => {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL });
  const { rows } = await pool.query('SELECT * FROM items WHERE id = $1', [req.params.id]);
  res.json(rows[0] ?? null);
});

${esm ? 'export default router;' : 'module.exports = router;'}
`;
}

function prismaModule(r, ts) {
  return `import { PrismaClient } from '@prisma/client';

const globalForPrisma = globalThis${ts ? ' as unknown as { prisma?: PrismaClient }' : ''};

export const prisma =
  globalForPrisma.prisma ??
  new PrismaClient({
    log: process.env.NODE_ENV === 'development' ? ['query', 'warn', 'error'] : ['error'],${r.chance(0.3) ? `\n    datasourceUrl: process.env.DATABASE_URL,` : ''}
  });

if (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma;
`;
}

function prismaRoute(r, ts, bad) {
  const noun = r.pick(NOUNS);
  const head = bad === 'pool-in-handler' ? `import { PrismaClient } from '@prisma/client';` : `import { prisma } from '@/lib/prisma';`;
  const inner = bad === 'pool-in-handler' ? `  const prisma = new PrismaClient();\n` : '';
  return `${head}
import { NextResponse } from 'next/server';

export async function GET(request${ts ? ': Request' : ''}) {
${inner}  const { searchParams } = new URL(request.url);
  const take = Math.min(Number(searchParams.get('take') ?? 20), 100);
  const items = await prisma.${noun}.findMany({ take, orderBy: { createdAt: 'desc' } });
  return NextResponse.json(items);
}

export async function POST(request${ts ? ': Request' : ''}) {
${inner}  const body = await request.json();
  const created = await prisma.${noun}.create({ data: body });
  return NextResponse.json(created, { status: 201 });
}
`;
}

function knexModule(r, esm) {
  const cfg = `{
  client: 'pg',
  connection: process.env.DATABASE_URL,
  pool: { min: ${r.pick([0, 2])}, max: ${r.pick([10, 20])}${r.chance(0.5) ? `, acquireTimeoutMillis: ${r.pick([30000, 60000])}` : ''} },
  migrations: { tableName: 'knex_migrations' },
}`;
  return esm
    ? `import knex from 'knex';\n\nexport const db = knex(${cfg});\n`
    : `const knex = require('knex');\n\nconst db = knex(${cfg});\n\nmodule.exports = { db };\n`;
}

function knexRepo(r, ts, esm, dbSpec, bad) {
  const noun = r.pick(NOUNS);
  const table = plural(noun);
  const imp = esm ? `import { db } from '${dbSpec}';` : `const { db } = require('${dbSpec}');`;
  const trx = bad === 'knex-trx-no-rollback'
    ? `  const trx = await db.transaction();
  await trx('${table}').where({ id }).update({ status: 'closed' });
  await trx('audit_log').insert({ entity: '${noun}', entity_id: id, action: 'close' });
  await trx.commit();`
    : `  await db.transaction(async (trx) => {
    await trx('${table}').where({ id }).update({ status: 'closed' });
    await trx('audit_log').insert({ entity: '${noun}', entity_id: id, action: 'close' });
  });`;
  const fns = [
    `async function list${pascal(plural(noun))}(limit${ts ? ': number' : ''} = 20) {\n  return db('${table}').select('*').orderBy('created_at', 'desc').limit(limit);\n}`,
    `async function close${pascal(noun)}(id${ts ? ': string' : ''}) {\n${trx}\n}`,
  ];
  return `${imp}\n\n${fns.map((f) => (esm ? 'export ' : '') + f).join('\n\n')}\n${esm ? '' : `\nmodule.exports = { list${pascal(plural(noun))}, close${pascal(noun)} };\n`}`;
}

function postgresJsModule(r, ts) {
  return `import postgres from 'postgres';

export const sql = postgres(process.env.DATABASE_URL${ts ? '!' : ''}, {
  max: ${r.pick([5, 10, 20])},
  idle_timeout: ${r.pick([20, 30, 60])},
  connect_timeout: ${r.pick([10, 30])},${r.chance(0.4) ? `\n  prepare: false, // behind PgBouncer in transaction mode` : ''}
});
`;
}

function postgresJsRepo(r, ts, dbSpec) {
  const noun = r.pick(NOUNS);
  const table = plural(noun);
  return `import { sql } from '${dbSpec}';

export async function get${pascal(noun)}(id${ts ? ': string' : ''}) {
  const [row] = await sql\`select * from ${table} where id = \${id}\`;
  return row ?? null;
}

export async function move${pascal(plural(noun))}(ids${ts ? ': string[]' : ''}, folderId${ts ? ': string' : ''}) {
  return sql.begin(async (tx) => {
    await tx\`update ${table} set folder_id = \${folderId} where id in \${tx(ids)}\`;
    await tx\`insert into audit_log \${tx({ entity: '${noun}', action: 'move' })}\`;
  });
}
`;
}

function typeormDataSource(r, ts) {
  return `import 'reflect-metadata';
import { DataSource } from 'typeorm';

export const AppDataSource = new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL,
  entities: [__dirname + '/entities/*.{ts,js}'],
  migrations: [__dirname + '/migrations/*.{ts,js}'],
  synchronize: false,
  poolSize: ${r.pick([10, 20])},${r.chance(0.4) ? `\n  extra: { max: ${r.pick([15, 30])}, connectionTimeoutMillis: 5000 },` : ''}
});
`;
}

function typeormService(r, ts, dsSpec, bad) {
  const noun = r.pick(NOUNS);
  const T = pascal(noun);
  const body = bad === 'query-runner-no-release'
    ? `    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.manager.update('${plural(noun)}', { id }, { status: 'approved' });
    await runner.commitTransaction();
    await runner.release();`
    : `    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.manager.update('${plural(noun)}', { id }, { status: 'approved' });
      await runner.commitTransaction();
    } catch (err) {
      await runner.rollbackTransaction();
      throw err;
    } finally {
      await runner.release();
    }`;
  return `import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

@Injectable()
export class ${T}Service {
  constructor(private readonly dataSource: DataSource) {}

  async approve(id${ts ? ': string' : ''})${ts ? ': Promise<void>' : ''} {
${body}
  }

  findAll() {
    return this.dataSource.getRepository('${plural(noun)}').find({ take: 100 });
  }
}
`;
}

function sequelizeModule(r, esm) {
  const opts = `{
  dialect: 'postgres',
  logging: false,
  pool: { max: ${r.pick([5, 10])}, min: 0, acquire: 30000, idle: 10000 },
}`;
  return esm
    ? `import { Sequelize } from 'sequelize';\n\nexport const sequelize = new Sequelize(process.env.DATABASE_URL, ${opts});\n`
    : `const { Sequelize } = require('sequelize');\n\nconst sequelize = new Sequelize(process.env.DATABASE_URL, ${opts});\n\nmodule.exports = { sequelize };\n`;
}

function drizzleModule(r, ts) {
  return `import { drizzle } from 'drizzle-orm/node-postgres';
import { Pool } from 'pg';
import * as schema from './schema';

const pool = new Pool({ connectionString: process.env.DATABASE_URL${ts ? '!' : ''}, max: ${r.pick([10, 20])}, connectionTimeoutMillis: 5000 });
export const db = drizzle(pool, { schema });
`;
}

function kyselyModule(r, ts) {
  return `import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
${ts ? `import type { DB } from './types';\n` : ''}
export const db = new Kysely${ts ? '<DB>' : ''}({
  dialect: new PostgresDialect({
    pool: new Pool({ connectionString: process.env.DATABASE_URL, max: ${r.pick([5, 10])} }),
  }),
});
`;
}

// ---------------------------------------------------------------------------------------------
// Other file kinds
// ---------------------------------------------------------------------------------------------

function packageJson(r, name, deps, opts = {}) {
  const pkg = {
    name,
    version: `${r.int(0, 3)}.${r.int(0, 20)}.${r.int(0, 9)}`,
    private: true,
    type: opts.cjs ? 'commonjs' : 'module',
    main: opts.cjs ? 'src/index.js' : 'dist/index.js',
    scripts: { build: opts.next ? 'next build' : 'tsc -p tsconfig.json', test: 'vitest run', lint: 'eslint .', dev: opts.next ? 'next dev' : 'tsx watch src/index.ts' },
    dependencies: Object.fromEntries(deps.map((d) => [d, `^${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 9)}`])),
    devDependencies: { typescript: '^5.9.3', vitest: '^4.0.0', '@types/node': '^20.0.0' },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

function tsconfigJson(r) {
  return JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { outDir: 'dist', rootDir: 'src', jsx: r.chance(0.5) ? 'react-jsx' : undefined, strict: true }, include: ['src'] }, null, 2) + '\n';
}

function jsonData(r, size) {
  const kind = r.int(0, 1);
  if (kind === 0) {
    // locale messages
    const obj = {};
    let len = 2;
    while (len < size) {
      const ns = r.pick(NOUNS);
      const key = `${camel(r.pick(VERBS), pascal(r.pick(NOUNS)))}${r.int(0, 999)}`;
      const val = sentence(r, 3, 12);
      obj[ns] ??= {};
      obj[ns][key] = val;
      len += key.length + val.length + 12;
    }
    return JSON.stringify(obj, null, 2) + '\n';
  }
  const rows = [];
  let len = 2;
  while (len < size) {
    const row = { id: `${r.pick(NOUNS)}_${r.int(1, 1e6)}`, name: `${cap(r.pick(ADJS))} ${r.pick(NOUNS)}`, amount: r.int(0, 100000) / 100, tags: r.sample(ADJS, r.int(0, 3)), createdAt: new Date(Date.UTC(2024, r.int(0, 11), r.int(1, 28))).toISOString() };
    rows.push(row);
    len += 140;
  }
  return JSON.stringify(rows, null, 2) + '\n';
}

function markdown(r, size, title) {
  const parts = [`# ${title}\n\n${sentence(r, 10, 25)}\n`];
  let len = parts[0].length;
  while (len < size) {
    const v = r.int(0, 3);
    let p;
    if (v === 0) p = `\n## ${cap(r.pick(VERBS))} ${plural(r.pick(NOUNS))}\n\n${sentence(r, 12, 30)} ${sentence(r, 8, 20)}\n`;
    else if (v === 1) p = `\n${Array.from({ length: r.int(3, 7) }, () => `- ${sentence(r, 4, 12)}`).join('\n')}\n`;
    else if (v === 2) p = `\n\`\`\`sh\npnpm --filter ${title.toLowerCase().replace(/\W+/g, '-')} ${r.pick(['dev', 'build', 'test', 'lint'])}\n\`\`\`\n`;
    else p = `\n${sentence(r, 15, 40)} ${sentence(r, 15, 40)}\n`;
    parts.push(p);
    len += p.length;
  }
  return parts.join('');
}

function css(r, size) {
  const parts = [];
  let len = 0;
  while (len < size) {
    const sel = r.pick(['.root', '.header', '.item', '.selected', '.empty', '.grid', '.card', '.loading', '.title', '.actions']) + (r.chance(0.3) ? `:${r.pick(['hover', 'focus-visible', 'disabled'])}` : '');
    const decls = r.sample(['display: flex', 'gap: 8px', `padding: ${r.int(0, 32)}px`, `margin: 0 ${r.int(0, 24)}px`, 'color: var(--color-text)', `font-size: ${r.pick([12, 14, 16, 20])}px`, 'border-radius: 6px', 'background: var(--surface-2)', 'align-items: center', `opacity: 0.${r.int(2, 9)}`], r.int(2, 6));
    const p = `${sel} {\n${decls.map((d) => `  ${d};`).join('\n')}\n}\n\n`;
    parts.push(p);
    len += p.length;
  }
  return parts.join('');
}

function postgresqlConf(r) {
  return `# PostgreSQL configuration for the ${r.pick(['primary', 'reporting'])} database
# Managed by the platform team; see docs/database.md before changing.

listen_addresses = '*'
port = 5432
max_connections = ${r.pick([100, 200, 300, 500])}
superuser_reserved_connections = 3

shared_buffers = ${r.pick(['128MB', '2GB', '4GB', '8GB'])}
effective_cache_size = ${r.pick(['6GB', '12GB', '24GB'])}
work_mem = ${r.pick(['4MB', '16MB', '64MB'])}
maintenance_work_mem = ${r.pick(['256MB', '512MB', '1GB'])}

idle_in_transaction_session_timeout = ${r.pick(['0', '60s', '5min'])}
statement_timeout = ${r.pick(['0', '30s', '60s'])}
tcp_keepalives_idle = 60

wal_level = replica
max_wal_senders = 10
checkpoint_completion_target = 0.9
log_min_duration_statement = 500ms
log_connections = on
log_disconnections = on
`;
}

function pgbouncerIni(r) {
  return `;; PgBouncer in front of the primary
[databases]
app = host=${r.pick(['db', 'postgres', '10.0.1.12'])} port=5432 dbname=app
reporting = host=replica port=5432 dbname=app pool_size=${r.pick([5, 10])}

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
auth_type = scram-sha-256
auth_file = /etc/pgbouncer/userlist.txt
pool_mode = ${r.pick(['transaction', 'session'])}
max_client_conn = ${r.pick([500, 1000, 2000])}
default_pool_size = ${r.pick([20, 25, 50])}
reserve_pool_size = 5
server_idle_timeout = 600
max_prepared_statements = ${r.pick([0, 100])}
`;
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

const APP_KINDS = ['next', 'express', 'lambda', 'worker', 'nest'];
/** Library per app, in order (web, api, functions, worker, admin, …): every library appears from 10,000 files on. */
const DB_FLAVORS = ['prisma', 'pg', 'pg', 'knex', 'typeorm', 'sequelize', 'kysely', 'drizzle', 'pg', 'postgres'];
/** Planted mistakes in the pg modules that create pools, in order of appearance. */
const PG_MODULE_MISTAKES = [null, 'missing-connection-timeout', 'max-zero'];

/** Sizes in bytes: a log-normal body with a long tail (generated clients, big components, fixtures). */
function sizeFor(r, kind) {
  if ((kind === 'ts' || kind === 'tsx' || kind === 'js') && r.chance(0.004)) return r.int(60_000, 200_000);
  const [median, sigma, lo, hi] = {
    ts: [4200, 0.85, 300, 120_000],
    tsx: [4800, 0.75, 500, 90_000],
    js: [3800, 0.9, 300, 120_000],
    test: [5000, 0.75, 600, 60_000],
    dts: [1800, 0.8, 200, 40_000],
    json: [2500, 1.2, 200, 150_000],
    md: [2500, 0.8, 300, 40_000],
    css: [1500, 0.8, 200, 20_000],
  }[kind];
  return Math.round(Math.min(hi, Math.max(lo, r.lognormal(median, sigma))));
}

/**
 * Generates the tree. Returns a summary. `files` counts files discovery walks; skipped ones
 * (node_modules, dist, build, .git, .gitignore'd) are extra and counted in `skippedFiles`.
 */
export function generateTree({ files = 10_000, seed = 1, out }) {
  if (!out) throw new Error('generateTree: out is required');
  if (!Number.isInteger(files) || files < 200) throw new Error('--files must be a whole number ≥ 200');
  const root = resolve(out);
  mkdirSync(root, { recursive: true });
  if (readdirSync(root).length > 0) throw new Error(`${root} is not empty`);
  const r = new Rng(`pgconn-lint-bench/${GENERATOR_VERSION}/${seed}`);
  const visible = []; // { path, text }
  const skipped = [];
  const stats = { dbFiles: 0, bad: {} };
  const addBad = (b) => {
    if (b) stats.bad[b] = (stats.bad[b] ?? 0) + 1;
  };

  // Root files.
  const nApps = Math.max(2, Math.min(APP_NAMES.length, Math.round(files / 2200)));
  const nPkgs = Math.max(3, Math.min(PKG_NAMES.length, Math.round(files / 700)));
  const apps = APP_NAMES.slice(0, nApps).map((name, i) => ({ name, kind: i < APP_KINDS.length ? APP_KINDS[i] : r.pick(APP_KINDS), dir: `apps/${name}`, flavor: DB_FLAVORS[i % DB_FLAVORS.length] }));
  const pkgs = PKG_NAMES.slice(0, nPkgs).map((name) => ({ name, dir: `packages/${name}`, cjs: r.chance(0.15) }));
  // One shared db package (Drizzle or pg) imported from the apps.
  pkgs.push({ name: 'db', dir: 'packages/db', db: true, flavor: 'postgres' });

  visible.push({ path: 'package.json', text: JSON.stringify({ name: 'acme', private: true, workspaces: ['apps/*', 'packages/*'], scripts: { build: 'turbo run build', test: 'turbo run test' }, devDependencies: { turbo: '^2.0.0', typescript: '^5.9.3' } }, null, 2) + '\n' });
  visible.push({ path: '.gitignore', text: 'node_modules/\ndist/\nbuild/\n.next/\ncoverage/\n*.log\n.env\n.turbo/\ngenerated/\n' });
  visible.push({ path: 'README.md', text: markdown(r, 4000, 'Acme monorepo') });
  visible.push({ path: 'tsconfig.base.json', text: JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, skipLibCheck: true } }, null, 2) + '\n' });
  visible.push({ path: 'turbo.json', text: JSON.stringify({ pipeline: { build: { dependsOn: ['^build'], outputs: ['dist/**', '.next/**'] } } }, null, 2) + '\n' });
  visible.push({ path: 'infra/postgres/postgresql.conf', text: postgresqlConf(r) });
  visible.push({ path: 'infra/pgbouncer/pgbouncer.ini', text: pgbouncerIni(r) });
  if (files >= 5000) {
    visible.push({ path: 'infra/postgres/reporting/postgresql.conf', text: postgresqlConf(r) });
    visible.push({ path: 'deploy/staging/pgbouncer.ini', text: pgbouncerIni(r) });
  }
  visible.push({ path: 'tools/setup.ini', text: '[tool]\nname = setup\nversion = 1\n' });
  visible.push({ path: '.github/workflows/ci.yml', text: 'name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    services:\n      postgres:\n        image: postgres:16\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n' });

  // Per-unit fixed files and module bookkeeping.
  const units = [...apps.map((a) => ({ ...a, app: true })), ...pkgs];
  for (const u of units) {
    const deps = u.app ? { next: ['next', 'react', 'react-dom', '@prisma/client', 'zod'], express: ['express', 'pg', 'zod', 'pino'], lambda: ['pg', '@aws-sdk/client-s3', 'zod'], worker: ['bullmq', 'knex', 'pg', 'postgres'], nest: ['@nestjs/common', '@nestjs/core', 'typeorm', 'pg'] }[u.kind] : u.db ? ['postgres'] : ['zod', 'date-fns'];
    visible.push({ path: `${u.dir}/package.json`, text: packageJson(r, `@acme/${u.name}`, deps, { cjs: u.cjs, next: u.kind === 'next' }) });
    visible.push({ path: `${u.dir}/tsconfig.json`, text: tsconfigJson(r) });
    visible.push({ path: `${u.dir}/README.md`, text: markdown(r, sizeFor(r, 'md'), `@acme/${u.name}`) });
    u.modules = []; // module paths (without extension) for sibling imports
    u.files = 0;
  }
  if (apps.some((a) => a.kind === 'lambda')) {
    const a = apps.find((x) => x.kind === 'lambda');
    visible.push({ path: `${a.dir}/serverless.yml`, text: `service: ${a.name}\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  getItem:\n    handler: src/handlers/get-item.handler\n` });
  }

  const taken = new Set(visible.map((f) => f.path));

  // Database code: about 3% of the files, spread over the apps and the db package.
  const dbBudget = Math.max(12, Math.round(files * 0.03));
  const dbUnits = [...apps, pkgs[pkgs.length - 1]];
  let dbCount = 0;
  let pgModules = 0;
  const BAD_RATE = 0.15;
  for (const u of dbUnits) {
    const share = Math.floor(dbBudget / dbUnits.length);
    const ts = u.kind !== 'worker' || r.chance(0.5);
    const esm = !u.cjs;
    const src = u.kind === 'next' ? u.dir : `${u.dir}/src`;
    const flavor = u.flavor;
    let dbPath;
    let dbSpec;
    const push = (path0, text, bad = null) => {
      let path = path0;
      for (let n = 2; taken.has(path); n++) path = path0.replace(/(\.[a-z]+)$/, `-${n}$1`);
      taken.add(path);
      visible.push({ path, text, db: true });
      dbCount++;
      addBad(bad);
    };
    // the module that creates the pool
    if (flavor === 'prisma') {
      dbPath = `${src}/lib/prisma.ts`;
      push(dbPath, prismaModule(r, true));
      taken.add(`${u.dir}/prisma/schema.prisma`);
      visible.push({ path: `${u.dir}/prisma/schema.prisma`, text: `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\ngenerator client {\n  provider = "prisma-client-js"\n}\n\nmodel User {\n  id    String @id @default(cuid())\n  email String @unique\n}\n`, db: true });
    } else if (flavor === 'knex') {
      const e = ts ? 'ts' : esm ? 'mjs' : 'cjs';
      dbPath = `${src}/db.${e}`;
      push(dbPath, knexModule(r, e !== 'cjs'));
    } else if (flavor === 'postgres') {
      dbPath = `${src}/db.ts`;
      push(dbPath, postgresJsModule(r, true));
    } else if (flavor === 'typeorm') {
      dbPath = `${src}/data-source.ts`;
      push(dbPath, typeormDataSource(r, true));
    } else if (flavor === 'sequelize') {
      const e = ts ? 'ts' : 'cjs';
      dbPath = `${src}/db/sequelize.${e}`;
      push(dbPath, sequelizeModule(r, e !== 'cjs'));
    } else if (flavor === 'drizzle') {
      dbPath = `${src}/client.ts`;
      push(dbPath, drizzleModule(r, true));
    } else if (flavor === 'kysely') {
      dbPath = `${src}/db.ts`;
      push(dbPath, kyselyModule(r, true));
    } else {
      const bad = pgModules < PG_MODULE_MISTAKES.length ? PG_MODULE_MISTAKES[pgModules] : r.chance(0.3) ? r.pick(['missing-connection-timeout', 'max-zero']) : null;
      pgModules++;
      const e = ts ? 'ts' : esm ? 'js' : 'cjs';
      dbPath = `${src}/db.${e}`;
      push(dbPath, dbModulePg(r, ts, e !== 'cjs', bad), bad);
    }
    // TS imports leave the extension out (bundler resolution); JS ones name the file.
    dbSpec = (fromDir) => {
      const rel = posix.relative(fromDir, /\.ts$/.test(dbPath) ? dbPath.replace(/\.ts$/, '') : dbPath);
      return rel.startsWith('.') ? rel : `./${rel}`;
    };
    // users of the pool
    for (let i = 1; i < share && dbCount < dbBudget; i++) {
      const bad = r.chance(BAD_RATE) ? 'bad' : null;
      const noun = r.pick(NOUNS);
      let dir;
      let text;
      let planted = null;
      if (flavor === 'pg' || flavor === 'drizzle' || flavor === 'kysely') {
        if (bad && r.chance(0.4)) {
          planted = 'pool-in-handler';
          dir = u.kind === 'lambda' ? `${src}/handlers` : u.kind === 'next' ? `${u.dir}/app/api/${plural(noun)}` : `${src}/routes`;
          text = handlerPoolPg(r, true, true, u.kind === 'lambda' ? 'lambda' : u.kind === 'next' ? 'next' : 'express');
          push(u.kind === 'next' ? `${dir}/route.ts` : `${dir}/${kebab(noun, 'legacy', String(i))}.ts`, text, planted);
          continue;
        }
        if (flavor !== 'pg') {
          // Drizzle/Kysely users: ordinary query-builder code importing db
          dir = `${src}/queries`;
          if (flavor === 'kysely') text = `import { db } from '${dbSpec(dir)}';\n\nexport async function ${camel('list', pascal(plural(noun)))}(limit = 20) {\n  return db.selectFrom('${plural(noun)}').selectAll().limit(limit).execute();\n}\n`;
          else text = `import { db } from '${dbSpec(dir)}';\nimport { ${camel(plural(noun))} } from './schema';\n\nexport async function ${camel('list', pascal(plural(noun)))}(limit = 20) {\n  return db.select().from(${camel(plural(noun))}).limit(limit);\n}\n`;
          push(`${dir}/${kebab(noun, String(i))}.ts`, text);
          continue;
        }
        planted = bad ? r.pick(['release-without-finally', 'transaction-on-pool']) : null;
        dir = `${src}/repositories`;
        const e = ts ? 'ts' : esm ? 'js' : 'cjs';
        text = repoPg(r, ts, e !== 'cjs', dbSpec(dir), planted);
        push(`${dir}/${kebab(noun, 'repository', String(i))}.${e}`, text, planted);
      } else if (flavor === 'prisma') {
        planted = bad ? 'pool-in-handler' : null;
        dir = `${u.dir}/app/api/${kebab(plural(noun), String(i))}`;
        push(`${dir}/route.ts`, prismaRoute(r, true, planted), planted);
      } else if (flavor === 'knex') {
        planted = bad ? 'knex-trx-no-rollback' : null;
        dir = `${src}/jobs`;
        const e = dbPath.endsWith('.cjs') ? 'cjs' : dbPath.endsWith('.mjs') ? 'mjs' : 'ts';
        push(`${dir}/${kebab(noun, 'job', String(i))}.${e}`, knexRepo(r, e === 'ts', e !== 'cjs', dbSpec(dir), planted), planted);
      } else if (flavor === 'postgres') {
        dir = `${src}/queries`;
        push(`${dir}/${kebab(noun, String(i))}.ts`, postgresJsRepo(r, true, dbSpec(dir)));
      } else if (flavor === 'typeorm') {
        planted = bad ? 'query-runner-no-release' : null;
        dir = `${src}/${noun}`;
        push(`${dir}/${noun}.service.ts`, typeormService(r, true, dbSpec(dir), planted), planted);
      } else if (flavor === 'sequelize') {
        dir = `${src}/models`;
        const e = dbPath.endsWith('.cjs') ? 'cjs' : 'ts';
        const spec = dbSpec(dir);
        const text2 = e === 'cjs'
          ? `const { DataTypes } = require('sequelize');\nconst { sequelize } = require('${spec}');\n\nconst ${pascal(noun)} = sequelize.define('${noun}', { name: DataTypes.STRING, status: DataTypes.STRING });\n\nmodule.exports = { ${pascal(noun)} };\n`
          : `import { DataTypes } from 'sequelize';\nimport { sequelize } from '${spec}';\n\nexport const ${pascal(noun)} = sequelize.define('${noun}', { name: DataTypes.STRING, status: DataTypes.STRING });\n`;
        push(`${dir}/${kebab(noun, String(i))}.${e}`, text2);
      }
    }
  }
  // Pad database files with ordinary code so they have realistic sizes, dedupe paths.
  stats.dbFiles = dbCount;

  // Ordinary files fill the rest, spread over units with uneven weights.
  const weights = units.map((u) => (u.app ? r.int(8, 20) : u.db ? 1 : r.int(2, 10)));
  const totalW = weights.reduce((a, b) => a + b, 0);
  const remaining = files - visible.length;
  const shares = weights.map((w) => Math.floor((remaining * w) / totalW));
  shares[0] += remaining - shares.reduce((a, b) => a + b, 0);
  for (const f of visible) taken.add(f.path);
  units.forEach((u, ui) => {
    const sub = ['core', 'lib', 'features', 'shared', 'common', 'domain', 'modules', 'internal'];
    // About 6–10 files per directory, as in real repositories.
    const topics = r.sample(NOUNS, Math.max(3, Math.min(NOUNS.length, Math.round(Math.sqrt(shares[ui]) * 0.7))));
    const subs = r.sample(sub, r.int(2, 4));
    for (let k = 0; k < shares[ui]; k++) {
      const topic = r.pick(topics);
      const kind = u.app && u.kind === 'next'
        ? r.weighted([['tsx', 45], ['ts', 22], ['test', 10], ['css', 8], ['json', 4], ['md', 2], ['dts', 2], ['js', 2]])
        : u.cjs
          ? r.weighted([['js', 70], ['test', 12], ['json', 6], ['md', 4], ['ts', 8]])
          : u.name === 'ui' || u.name === 'forms' || u.name === 'charts' || u.name === 'icons'
            ? r.weighted([['tsx', 55], ['ts', 12], ['test', 14], ['css', 12], ['md', 4], ['json', 3]])
            : r.weighted([['ts', 58], ['tsx', 6], ['test', 16], ['js', 5], ['json', 6], ['md', 4], ['dts', 3], ['css', 2]]);
      const base = u.kind === 'next' ? (kind === 'tsx' ? r.pick(['components', 'app', 'features']) : r.pick(['lib', 'hooks', 'server', 'utils'])) : 'src';
      const depth = r.int(0, 2);
      const segs = [u.dir, base];
      if (depth >= 1) segs.push(r.pick(subs));
      if (depth >= 2 || shares[ui] > 400) segs.push(topic);
      let dir = segs.join('/');
      let name;
      let extName;
      if (kind === 'tsx') {
        name = pascal(r.pick(ADJS), topic, r.pick(UI_WORDS));
        extName = 'tsx';
        if (u.kind === 'next' && base === 'app') {
          dir = `${u.dir}/app/${kebab(plural(topic))}${r.chance(0.5) ? `/${r.pick(['[id]', 'settings', 'new', 'edit'])}` : ''}`;
          name = r.pick(['page', 'layout', 'loading', 'error', `${kebab(r.pick(ADJS), topic)}-view`]);
        }
      } else if (kind === 'test') {
        name = `${kebab(r.pick(VERBS), topic)}.test`;
        extName = u.cjs ? 'js' : r.chance(0.2) ? 'tsx' : 'ts';
        if (r.chance(0.5)) dir = `${u.dir}/${r.pick(['test', '__tests__', 'tests'])}`;
      } else if (kind === 'dts') {
        name = `${kebab(topic)}.d`;
        extName = 'ts';
      } else if (kind === 'js') {
        name = kebab(r.pick(VERBS), topic);
        extName = u.cjs ? r.pick(['js', 'js', 'cjs']) : r.pick(['js', 'mjs', 'jsx']);
      } else if (kind === 'json') {
        name = r.pick([`${topic}.fixture`, `${r.pick(['en', 'de', 'fr', 'es', 'ja'])}.${topic}`, `${topic}-schema`]);
        extName = 'json';
        dir = r.chance(0.5) ? `${u.dir}/${r.pick(['fixtures', 'locales', 'data'])}` : dir;
      } else if (kind === 'md') {
        name = r.pick(['CHANGELOG', `${topic}-notes`, `adr-${r.int(1, 99)}-${topic}`]);
        extName = 'md';
        dir = `${u.dir}/docs`;
      } else if (kind === 'css') {
        name = `${pascal(topic, r.pick(UI_WORDS))}.module`;
        extName = r.chance(0.2) ? 'scss' : 'css';
      } else {
        name = r.pick([kebab(r.pick(VERBS), topic), kebab(topic, r.pick(['utils', 'service', 'helpers', 'store', 'client', 'types', 'constants', 'mapper', 'api'])), topic]);
        extName = 'ts';
      }
      let path = `${dir}/${name}.${extName}`;
      for (let n = 2; taken.has(path); n++) path = `${dir}/${name}-${n}.${extName}`;
      taken.add(path);
      visible.push({ path, kind, unit: u, ext: extName });
      u.files++;
    }
  });

  // Content for ordinary files (after layout, so sibling imports point at files that exist).
  for (const f of visible) {
    if (f.text !== undefined) continue;
    const fr = new Rng(`${seed}/${f.path}`);
    const size = sizeFor(fr, f.kind === 'js' ? 'js' : f.kind);
    const u = f.unit;
    const dir = posix.dirname(f.path);
    if (f.kind === 'json') f.text = jsonData(fr, size);
    else if (f.kind === 'md') f.text = markdown(fr, size, `${u.name} ${posix.basename(f.path, '.md')}`);
    else if (f.kind === 'css') f.text = css(fr, size);
    else if (f.kind === 'dts') f.text = codeFile(fr, { ts: true, esm: true, kind: 'dts' }, size);
    else {
      const ts = f.ext === 'ts' || f.ext === 'tsx';
      const esm = !(f.ext === 'cjs' || (f.ext === 'js' && u.cjs));
      const kind = f.kind === 'test' ? 'test' : f.ext === 'tsx' || f.ext === 'jsx' ? 'tsx' : 'ts';
      const siblings = [];
      for (let i = 0; i < 3 && u.modules.length > 0; i++) {
        const target = fr.pick(u.modules);
        let rel = posix.relative(dir, target);
        if (!rel.startsWith('.')) rel = `./${rel}`;
        siblings.push(rel);
      }
      f.text = codeFile(fr, { ts, esm, kind, siblings: [...new Set(siblings)], client: kind === 'tsx' && u.kind === 'next' && fr.chance(0.4), defaultExport: posix.basename(f.path).startsWith('page.') || posix.basename(f.path).startsWith('layout.') }, size);
      if (kind !== 'test') u.modules.push(f.path.replace(/\.[cm]?[jt]sx?$/, ''));
    }
    delete f.unit;
  }

  // Database files get a realistic size too: ordinary helpers appended (mappers, types).
  for (const f of visible) {
    if (!f.db || !/\.[cm]?[jt]sx?$/.test(f.path)) continue;
    const fr = new Rng(`${seed}/pad/${f.path}`);
    const extra = Math.max(0, sizeFor(fr, 'ts') - f.text.length);
    if (extra > 200) {
      const ts = /\.tsx?$/.test(f.path);
      const esm = !(f.path.endsWith('.cjs') || /module\.exports/.test(f.text));
      const pad = codeFile(fr, { ts, esm, kind: 'ts' }, extra).replace(/^(import|const \{[^}]*\} = require)[^\n]*\n/gm, '');
      f.text = `${f.text}\n${esm ? pad : pad.replace(/^module\.exports = [^\n]*\n/m, '')}`;
    }
  }

  // Files discovery must skip: node_modules (with PostgreSQL code that would be reported if read),
  // dist/build output, .git, and .gitignore'd directories and files.
  const nSkipped = Math.max(50, Math.round(files * 0.08));
  const skipDirs = [
    'node_modules/pg/lib', 'node_modules/pg-pool', 'node_modules/react/cjs', 'node_modules/.pnpm/lodash@4.17.21/node_modules/lodash',
    `${apps[0].dir}/node_modules/.cache`, `${apps[0].dir}/.next/server/chunks`, `${pkgs[0].dir}/dist`, `${pkgs[1].dir}/build`,
    'coverage/lcov-report', `${apps[1].dir}/generated/client`, '.git/objects/pack', '.turbo/cache',
  ];
  for (let i = 0; i < nSkipped; i++) {
    const fr = new Rng(`${seed}/skip/${i}`);
    const d = skipDirs[i % skipDirs.length];
    const p = d.startsWith('.git/') ? `${d}/pack-${i}.idx` : `${d}/${kebab(fr.pick(VERBS), fr.pick(NOUNS))}-${i}.js`;
    let text = codeFile(fr, { ts: false, esm: false, kind: 'ts' }, sizeFor(fr, 'js'));
    if (i % 7 === 0) text = `${handlerPoolPg(fr, false, false, 'express')}\n${text}`;
    skipped.push({ path: p, text });
  }
  skipped.push({ path: 'npm-debug.log', text: 'npm ERR! code ELIFECYCLE\n'.repeat(40) });
  skipped.push({ path: '.git/HEAD', text: 'ref: refs/heads/main\n' });
  skipped.push({ path: `${apps[0].dir}/.env`, text: 'DATABASE_URL=postgres://app:secret@localhost:5432/app\n' });

  if (visible.length !== files) throw new Error(`internal: planned ${visible.length} files instead of ${files}`);
  if (new Set(visible.map((f) => f.path)).size !== files) throw new Error('internal: two generated files share a path');
  let bytes = 0;
  const byExt = {};
  const sizes = [];
  const madeDirs = new Set();
  const write = (f) => {
    const abs = join(root, f.path);
    const d = dirname(abs);
    if (!madeDirs.has(d)) {
      mkdirSync(d, { recursive: true });
      madeDirs.add(d);
    }
    writeFileSync(abs, f.text);
  };
  for (const f of visible) {
    write(f);
    const n = Buffer.byteLength(f.text);
    bytes += n;
    sizes.push(n);
    const e = posix.extname(f.path) || posix.basename(f.path);
    byExt[e] = (byExt[e] ?? 0) + 1;
  }
  let skippedBytes = 0;
  for (const f of skipped) {
    write(f);
    skippedBytes += Buffer.byteLength(f.text);
  }
  sizes.sort((a, b) => a - b);
  const pct = (p) => sizes[Math.min(sizes.length - 1, Math.floor((p / 100) * sizes.length))];
  return {
    dir: root,
    seed,
    generatorVersion: GENERATOR_VERSION,
    files: visible.length,
    bytes,
    sizes: { p10: pct(10), p50: pct(50), p90: pct(90), p99: pct(99), max: sizes[sizes.length - 1], mean: Math.round(bytes / sizes.length) },
    byExtension: Object.fromEntries(Object.entries(byExt).sort((a, b) => b[1] - a[1])),
    dbFiles: stats.dbFiles,
    plantedMistakes: stats.bad,
    skippedFiles: skipped.length,
    skippedBytes,
  };
}

function main() {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write('Usage: node bench/generate.mjs [--files 10000] [--seed 1] [--out DIR] [--force]\n  --force  empty DIR first\n');
    return;
  }
  const files = Number(values.files);
  const out = values.out ? resolve(values.out) : mkdtempSync(join(tmpdir(), 'pgconn-lint-bench-'));
  if (values.force && existsSync(out)) rmSync(out, { recursive: true, force: true });
  const started = performance.now();
  let summary;
  try {
    summary = generateTree({ files, seed: values.seed, out });
  } catch (err) {
    process.stderr.write(`generate: ${err.message}\n`);
    process.exit(2);
  }
  summary.generateMs = Math.round(performance.now() - started);
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
