import { shellSplit } from '../yaml/postgres-args.js';
import type { ProcessModel } from '../app/types.js';
import { appServerOf, appWrapperLength } from './app-servers.js';

/**
 * What a command line starts, read from its words: a container's ENTRYPOINT + CMD (or compose
 * `command:`), a package.json script. Pure text → structure; paths stay as written, relative to
 * the working directory in force (`cwd`: the `cd` steps before the launch, in order), and the
 * model resolves them. Knowledge of each tool's command line is here and nowhere else:
 * node/ts-node/tsx/bun/nodemon/pm2-runtime, npm/pnpm/yarn/bun scripts and workspaces, turbo, nx,
 * nest, PostgreSQL's client programs, and the migration CLIs.
 */
export type Launch =
  /** A program file run by node (or a TypeScript runner, nodemon, pm2-runtime). */
  | { kind: 'file'; cd: string[]; path: string; runner: string }
  /** A package script: `npm run <script>`, `pnpm --filter api start`, `yarn workspace api start`, `turbo run start --filter=api`, `nx serve api`. */
  | { kind: 'script'; cd: string[]; script: string; workspace?: string; tool: string }
  /** A framework's server for the package in cwd: `next start`, `nest start [app]`, `remix-serve`. */
  | { kind: 'framework'; cd: string[]; tool: string; app?: string }
  /** A static file server or proxy: serves files, opens no database connections. */
  | { kind: 'static'; tool: string }
  /** One of PostgreSQL's client programs (`psql`, `pg_isready`, `createdb`, `pgbench`, …): a job that exits. */
  | { kind: 'pg-client'; program: string }
  /** A migration or seed CLI (`typeorm migration:run -d src/data-source.ts`, `knex migrate:latest`, `prisma migrate deploy`). */
  | { kind: 'migration'; cd: string[]; tool: string; files: string[]; defaultFiles: string[] }
  /**
   * An application server of another language (gunicorn, uvicorn, Celery, RQ, Puma, Sidekiq,
   * `rails server`, `java -jar`) with its process model (app-servers.ts); `oneShot` when the
   * command is a job that exits (`manage.py migrate`, `rails db:migrate`).
   */
  | { kind: 'app-server'; cd: string[]; process: ProcessModel; oneShot?: string; env: Record<string, string> }
  | { kind: 'other'; program: string };

/** Nesting of `sh -c` inside `sh -c` and of wrappers that is followed. */
const MAX_DEPTH = 4;

const SHELLS = /^(ba|da|a|z)?sh$/;
const PG_CLIENTS = new Set(['psql', 'pg_isready', 'createdb', 'dropdb', 'createuser', 'dropuser', 'pg_dump', 'pg_dumpall', 'pg_restore', 'pgbench', 'vacuumdb', 'reindexdb', 'clusterdb', 'pg_basebackup']);
const STATIC = new Set(['nginx', 'caddy', 'httpd', 'apache2', 'apachectl', 'serve', 'http-server', 'static-web-server', 'traefik', 'envoy', 'haproxy']);
const NODE_RUNNERS = new Set(['node', 'nodejs', 'ts-node', 'ts-node-dev', 'tsx', 'nodemon', 'bun', 'deno', 'pm2-runtime', 'pm2', 'esno', 'babel-node', 'vite-node', 'ts-node-esm']);
/** node's options that take a value (node --help, Node 20). */
const NODE_VALUE_FLAGS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '--env-file', '--max-old-space-size', '--inspect-port', '--title', '--conditions', '-C', '--watch-path', '-i', '--instances', '--name', '-n', '--exec', '-x', '--watch', '-w', '--ext', '-e', '--ignore']);
const FRAMEWORKS = new Set(['next', 'nest', 'nuxt', 'nuxi', 'remix-serve', 'react-router-serve', 'astro', 'vite', 'svelte-kit', 'gatsby', 'fastify', 'strapi', 'medusa', 'sails', 'adonis', 'react-scripts', 'ng']);
/** Migration/seed CLIs and the subcommands that migrate (all of them when the set is empty). */
const MIGRATION_CLIS: Record<string, RegExp | undefined> = {
  typeorm: /^(migration|schema|seed|query)/,
  'typeorm-ts-node-commonjs': /^(migration|schema|seed|query)/,
  'typeorm-ts-node-esm': /^(migration|schema|seed|query)/,
  knex: /^(migrate|seed)/,
  prisma: /^(migrate|db)$/,
  sequelize: /^(db:|migration)/,
  'sequelize-cli': /^(db:|migration)/,
  'drizzle-kit': /^(migrate|push|up|drop)/,
  'node-pg-migrate': undefined,
  'db-migrate': undefined,
  'graphile-migrate': undefined,
  'mikro-orm': /^(migration|schema|seeder|database)/,
  'kysely-ctl': undefined,
  dbmate: undefined,
  goose: undefined,
  flyway: undefined,
  liquibase: undefined,
  atlas: undefined,
  migrate: undefined,
};

/** Script names of jobs that run once and exit (migrations, seeds, schema pushes, load tests). */
export function isOneShotScriptName(name: string): boolean {
  return /^(db[:-]|prisma[:.]|typeorm[:-]|knex[:-]|drizzle[:-]|sequelize[:-])|^(migrat|seed|setup|bootstrap|backfill|perf|bench|load[-:]?test|k6|reset|init[-:]?db|create[-:]?db)|[:-](migrat|seed|perf|bench)/i.test(name);
}

/** Script names that start the deployed process. */
export function isStartScriptName(name: string): boolean {
  return /^(start|serve|prod|production)(:|$)/i.test(name);
}

/**
 * A Python file whose name says it runs once: a migration or seed runner (`migrate.py`,
 * `run_migrations.py`, `seed.py`, `seed_db.py`, `seed-data.py`), a database set-up or reset
 * (`init_db.py`, `create_db.py`, `reset_db.py`), a perf or load script. Not `manage.py`: Django's
 * command runner also starts servers and workers (`runserver`, custom long-running commands).
 */
export function isOneShotPythonFileName(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (!base.endsWith('.py')) return false;
  return /^(migrate|migrations?|run[-_]?migrations?|seeds?|seed[-_]\w+|(init|create|reset|setup)[-_]?db|perf|bench(mark)?|load[-_]?test)$/i.test(base.slice(0, -3));
}

/** A file whose name says it runs once (a migration or seed runner, a perf script). */
export function isOneShotFileName(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(/\.[cm]?[jt]sx?$/, '');
  return /^(migrate|migrations?|run-migrations?|seed|seeds?|perf|bench(mark)?|load-?test|k6|data-source|datasource|knexfile)$/i.test(base);
}

/** The launches of an argv (exec form), in order; the last one is the process that keeps running. */
export function launchesOfArgv(argv: readonly string[]): Launch[] {
  const out: Launch[] = [];
  segment([...argv], [], out, 0);
  return out;
}

/** The launches of a shell command line (`sh -c` text, a package.json script). */
export function launchesOfShell(text: string): Launch[] {
  const out: Launch[] = [];
  shell(text, [], out, 0);
  return out;
}

function shell(text: string, cd: string[], out: Launch[], depth: number): string[] {
  let dir = cd;
  for (const part of splitCommands(text)) {
    const words = shellSplit(part).map((w) => w.word);
    dir = segment(words, dir, out, depth);
  }
  return dir;
}

/** Splits a shell command line at `&&`, `||`, `;`, `|`, `&` and newlines outside quotes. */
function splitCommands(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"' && i + 1 < text.length) {
        cur += c + text[i + 1];
        i++;
        continue;
      }
      if (c === quote) quote = undefined;
      cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += c + text[i + 1];
      i++;
    } else if (c === ';' || c === '\n' || c === '|' || c === '&') {
      if ((c === '|' || c === '&') && text[i + 1] === c) i++;
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const base = (w: string) => w.slice(w.lastIndexOf('/') + 1);

/** One simple command: returns the directory list in force after it (a `cd` changes it). */
function segment(words: string[], cd: string[], out: Launch[], depth: number): string[] {
  let w = words;
  // `RAILS_ENV=production bundle exec puma`: assignments the program sees.
  const assigned: Record<string, string> = {};
  // Wrappers and assignments before the program.
  for (let guard = 0; guard < 16 && w.length > 0; guard++) {
    const p = base(w[0]!);
    const wrapped = appWrapperLength(w);
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0]!)) {
      assigned[w[0]!.slice(0, w[0]!.indexOf('='))] = w[0]!.slice(w[0]!.indexOf('=') + 1);
      w = w.slice(1);
    } else if (wrapped > 0) w = w.slice(wrapped);
    else if (p === 'exec' || p === 'nice' || p === 'time' || p === 'nohup' || p === 'dumb-init' || p === 'gosu' || p === 'su-exec') {
      w = w.slice(p === 'gosu' || p === 'su-exec' ? 2 : 1);
      while (w[0]?.startsWith('-')) w = w.slice(1);
    } else if (p === 'tini' || p === 'docker-entrypoint.sh' || p === 'docker-entrypoint') {
      w = w.slice(1);
      while (w[0]?.startsWith('-')) w = w.slice(w[0] === '--' ? 1 : 1);
    } else if (p === 'env' || p === 'cross-env' || p === 'cross-env-shell') {
      w = w.slice(1);
      while (w[0] !== undefined && (w[0].startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0]))) {
        if (!w[0].startsWith('-')) assigned[w[0].slice(0, w[0].indexOf('='))] = w[0].slice(w[0].indexOf('=') + 1);
        w = w.slice(1);
      }
    } else if (p === 'dotenv' || p === 'dotenvx' || /^wait-for/.test(p) || p === 'doppler' || p === 'infisical' || p === 'op') {
      const dd = w.indexOf('--');
      if (dd === -1) {
        if (/^wait-for/.test(p)) return cd; // a wait, nothing else
        w = w.slice(1).filter((x, i, a) => !x.startsWith('-') && !(i > 0 && a[i - 1]!.startsWith('-')));
      } else w = w.slice(dd + 1);
    } else if (p === 'npx' || p === 'bunx' || (p === 'pnpm' && (w[1] === 'exec' || w[1] === 'dlx')) || (p === 'yarn' && (w[1] === 'exec' || w[1] === 'dlx'))) {
      w = w.slice(p === 'npx' || p === 'bunx' ? 1 : 2);
      while (w[0]?.startsWith('-')) w = w.slice(1);
    } else break;
  }
  const prog = w[0];
  if (prog === undefined) return cd;
  const p = base(prog);
  const args = w.slice(1);
  if (p === 'cd') return args[0] !== undefined && args[0] !== '-' ? [...cd, args[0]] : cd;
  if (SHELLS.test(p)) {
    const i = args.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
    if (i >= 0 && args[i + 1] !== undefined && depth < MAX_DEPTH) shell(args[i + 1]!, cd, out, depth + 1);
    else if (args[0] !== undefined && !args[0].startsWith('-')) out.push({ kind: 'other', program: args[0] });
    return cd;
  }
  if (PG_CLIENTS.has(p)) {
    out.push({ kind: 'pg-client', program: p });
    return cd;
  }
  const app = appServerOf(p, args);
  if (app) {
    out.push({ kind: 'app-server', cd, process: app.process, env: assigned, ...(app.oneShot !== undefined ? { oneShot: app.oneShot } : {}) });
    return cd;
  }
  if (STATIC.has(p)) {
    out.push({ kind: 'static', tool: p });
    return cd;
  }
  // A CLI's bin run through node (`node node_modules/.bin/typeorm …`, `node ./node_modules/typeorm/cli.js`).
  if ((p === 'node' || p === 'ts-node') && args[0] !== undefined) {
    const m = /node_modules\/(?:\.bin\/([^/]+)$|((?:@[^/]+\/)?[^/]+)\/)/.exec(args[0]);
    const cli = m ? (m[1] ?? m[2]!) : undefined;
    if (cli !== undefined && cli in MIGRATION_CLIS) return migration(cli, args.slice(1), cd, out);
  }
  if (p in MIGRATION_CLIS) {
    const sub = MIGRATION_CLIS[p];
    const first = args.find((a) => !a.startsWith('-'));
    if (sub === undefined || (first !== undefined && sub.test(first))) return migration(p, args, cd, out);
  }
  if (NODE_RUNNERS.has(p)) {
    let rest = args;
    if ((p === 'bun' || p === 'deno') && rest[0] === 'run') rest = rest.slice(1);
    if (p === 'pm2' && rest[0] === 'start') rest = rest.slice(1);
    if (p === 'tsx' && rest[0] === 'watch') rest = rest.slice(1);
    const file = firstOperand(rest);
    if (file === undefined) {
      out.push({ kind: 'other', program: p });
      return cd;
    }
    // `bun run start` names a script, `bun run src/index.ts` a file.
    if (p === 'bun' && !/[./]/.test(file)) out.push({ kind: 'script', cd, script: file, tool: 'bun' });
    else out.push({ kind: 'file', cd, path: file, runner: p });
    return cd;
  }
  if (p === 'npm' || p === 'pnpm' || p === 'yarn' || p === 'bun') return packageManager(p, args, cd, out, depth);
  if (p === 'turbo') {
    const filter = flagValue(args, ['--filter', '-F']);
    const ops = operands(args, ['--filter', '-F', '--concurrency', '--cache-dir', '--output-logs', '--log-order']);
    const script = ops[0] === 'run' ? ops[1] : ops[0];
    if (script !== undefined) out.push({ kind: 'script', cd, script, tool: 'turbo', ...(filter !== undefined ? { workspace: filter } : {}) });
    else out.push({ kind: 'other', program: p });
    return cd;
  }
  if (p === 'nx') {
    const ops = operands(args, ['--configuration', '-c']);
    // `nx serve api`, `nx run api:serve[:production]`
    if (ops[0] === 'run' && ops[1]?.includes(':')) out.push({ kind: 'script', cd, script: ops[1].split(':')[1]!, workspace: ops[1].split(':')[0]!, tool: 'nx' });
    else if (ops.length >= 2) out.push({ kind: 'script', cd, script: ops[0]!, workspace: ops[1]!, tool: 'nx' });
    else out.push({ kind: 'other', program: p });
    return cd;
  }
  if (FRAMEWORKS.has(p)) {
    const ops = operands(args, ['-p', '--port', '-H', '--hostname', '-c', '--config']);
    const app = p === 'nest' && ops[0] === 'start' ? ops[1] : undefined;
    out.push({ kind: 'framework', cd, tool: p, ...(app !== undefined ? { app } : {}) });
    return cd;
  }
  out.push({ kind: 'other', program: prog });
  return cd;
}

function migration(tool: string, args: string[], cd: string[], out: Launch[]): string[] {
  const files: string[] = [];
  const defaults: string[] = [];
  const pick = (names: string[]) => {
    const v = flagValue(args, names);
    if (v !== undefined) files.push(v);
    return v;
  };
  if (tool.startsWith('typeorm')) pick(['-d', '--dataSource', '--data-source', '-f', '--config']);
  else if (tool === 'knex') {
    // knex's CLI loads knexfile.{js,ts,…} from the working directory unless --knexfile says otherwise.
    if (pick(['--knexfile']) === undefined) defaults.push('knexfile');
  } else if (tool === 'mikro-orm') pick(['--config']);
  else if (tool.startsWith('sequelize')) pick(['--config', '--options-path']);
  else if (tool === 'drizzle-kit') {
    if (pick(['--config']) === undefined) defaults.push('drizzle.config');
  }
  out.push({ kind: 'migration', cd, tool, files, defaultFiles: defaults });
  return cd;
}

/** npm/pnpm/yarn/bun: a script (maybe of a workspace), `exec`, or something else (install). */
function packageManager(pm: string, args: string[], cd: string[], out: Launch[], depth: number): string[] {
  let workspace = flagValue(args, pm === 'npm' ? ['-w', '--workspace'] : pm === 'pnpm' ? ['--filter', '-F'] : pm === 'bun' ? ['--filter'] : []);
  const dir = flagValue(args, pm === 'npm' ? ['--prefix'] : pm === 'pnpm' ? ['-C', '--dir'] : pm === 'yarn' ? ['--cwd'] : ['--cwd']);
  const here = dir !== undefined ? [...cd, dir] : cd;
  const ops = operands(args, ['-w', '--workspace', '--filter', '-F', '--prefix', '-C', '--dir', '--cwd']);
  let script: string | undefined;
  let i = 0;
  if (pm === 'yarn' && ops[0] === 'workspace' && ops[1] !== undefined) {
    workspace = ops[1];
    i = 2;
  }
  const sub = ops[i];
  if (sub === undefined) {
    // `yarn` alone installs.
    out.push({ kind: 'other', program: pm });
    return cd;
  }
  if (sub === 'run' || sub === 'run-script') script = ops[i + 1];
  else if (['start', 'stop', 'restart', 'test'].includes(sub)) script = sub;
  else if (sub === 'exec' && depth < MAX_DEPTH) {
    segment(ops.slice(i + 1), here, out, depth + 1);
    return cd;
  } else if (pm !== 'npm' && !['install', 'i', 'add', 'ci', 'build', 'dlx', 'create', 'init', 'workspaces', 'remove', 'link', 'prune', 'deploy', 'fetch'].includes(sub)) script = sub; // `pnpm dev`, `yarn start:prod`
  if (script === undefined) {
    out.push({ kind: 'other', program: `${pm} ${sub}` });
    return cd;
  }
  out.push({ kind: 'script', cd: here, script, tool: pm, ...(workspace !== undefined ? { workspace } : {}) });
  return cd;
}

/** `--flag value` or `--flag=value` (the last one given). */
function flagValue(args: string[], names: string[]): string | undefined {
  let v: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const n of names) {
      if (a === n && args[i + 1] !== undefined) v = args[i + 1];
      else if (a.startsWith(`${n}=`)) v = a.slice(n.length + 1);
    }
  }
  return v;
}

/** Arguments that are not flags (and not the values of `valueFlags`). */
function operands(args: string[], valueFlags: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('-')) {
      if (valueFlags.includes(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** The script a node-like runner starts: its first operand after the runner's own options. */
function firstOperand(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return args[i + 1];
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') return undefined;
    if (a.startsWith('-')) {
      if (NODE_VALUE_FLAGS.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}
