import type { AppSetting, AppServer, Concurrency, ProcessModel } from '../app/types.js';

/**
 * The process model of an application server, read from its command line: how many processes one
 * instance runs and how many requests/jobs each serves at once. Each program's options and
 * defaults are cited from its source (versions as of 2026):
 * - gunicorn 26.1 gunicorn/config.py: `-w/--workers` (default int(WEB_CONCURRENCY) or 1),
 *   `--threads` (default 1; "If you try to use the sync worker type and set the threads setting
 *   to more than 1, the gthread worker type will be used instead"), `-k/--worker-class` (default
 *   sync), `-c/--config` (default ./gunicorn.conf.py); the command line beats the config file.
 * - uvicorn main.py: `--workers` "Defaults to the $WEB_CONCURRENCY environment variable if
 *   available, or 1"; one asyncio event loop per worker.
 * - hypercorn `-w/--workers` (default 1), `-k/--worker-class` (asyncio, uvloop, trio).
 * - Celery 5 `celery worker`: `-c/--concurrency` "Number of child processes processing the queue.
 *   The default is the number of CPUs available on your system", `-P/--pool` prefork (default),
 *   threads, gevent, eventlet, solo, processes; `--autoscale=max,min`.
 * - RQ: `rq worker` runs one job at a time (in a forked work horse); `rq worker-pool -n N` (RQ 1.14+).
 * - Puma 8.0 lib/puma/configuration.rb DEFAULTS: workers 0 (single mode: one process),
 *   min_threads 0, max_threads 5 on MRI; `-w/--workers`, `-t/--threads min:max`, `-C/--config`,
 *   `-e/--environment`; CLI (user) options beat the config file (UserFileDefaultOptions); without
 *   `-C` it loads config/puma/<environment>.rb or config/puma.rb; env WEB_CONCURRENCY,
 *   PUMA_MAX_THREADS/MAX_THREADS are defaults below the file.
 * - Sidekiq 8.1 lib/sidekiq/config.rb: concurrency 5; lib/sidekiq/cli.rb: `-c/--concurrency`,
 *   `-C/--config` (else config/sidekiq.yml or sidekiq.yml.erb), `-e/--environment`;
 *   RAILS_MAX_THREADS when neither the command line nor the file sets concurrency.
 * - `rails server` starts Puma (Rails' default server) with config/puma.rb.
 * - uWSGI (docs "Configuration options", "Configuring uWSGI"): `-p/--processes/--workers` (default
 *   1), `--threads` (default: one request at a time per worker), `--gevent N` (greenlets),
 *   `--ini file[:section]`, and a lone argument ending in `.ini` loads that file ("uwsgi
 *   myconf.ini"); every option may come from an environment variable `UWSGI_<OPTION>`
 *   (`UWSGI_PROCESSES`), read before the command line and the files, which override it.
 */
export interface AppServerLaunch {
  process: ProcessModel;
  /** The command is a job that exits (`manage.py migrate`, `rails db:migrate`, `alembic upgrade`). */
  oneShot?: string;
}

const lit = (n: number): AppSetting<number> => ({ value: n, provenance: { kind: 'literal' } });
const dflt = (n: number | undefined, note: string): AppSetting<number> => ({ value: n, provenance: { kind: 'default', note } });

/** A number written on a command line: `4`, `$WORKERS`, `${WORKERS:-4}`, `${WORKERS}`. */
export function numberWord(word: string | undefined): AppSetting<number> | undefined {
  if (word === undefined) return undefined;
  const w = word.trim();
  if (/^\d+$/.test(w)) return lit(Number(w));
  const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=])(\d+))?\}|([A-Za-z_][A-Za-z0-9_]*))$/.exec(w) ?? /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(w);
  if (m) {
    const name = m[1] ?? m[4]!;
    const fb = m[3] !== undefined ? Number(m[3]) : undefined;
    return { value: fb, provenance: { kind: 'env', envVar: name, ...(fb !== undefined ? { fallback: fb } : {}) } };
  }
  return { value: undefined, provenance: { kind: 'unknown', reason: `\`${w}\` is not a number the command line gives` } };
}

/** `--name value`, `--name=value`, `-nVALUE` (short flags); the last one wins. */
function option(args: readonly string[], names: readonly string[]): string | undefined {
  let v: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    for (const n of names) {
      if (a === n && args[i + 1] !== undefined) v = args[i + 1];
      else if (n.startsWith('--') && a.startsWith(`${n}=`)) v = a.slice(n.length + 1);
      else if (!n.startsWith('--') && n.length === 2 && a.startsWith(n) && a.length > 2 && !a.startsWith('--')) v = a.slice(2).replace(/^=/, '');
    }
  }
  return v;
}

function has(args: readonly string[], names: readonly string[]): boolean {
  return args.some((a) => names.includes(a));
}

const base = (w: string) => w.slice(w.lastIndexOf('/') + 1);

/**
 * The app server a command starts (`args` are the words after the program), or undefined when the
 * program is not one. `program` is the base name (`gunicorn`, `celery`, `puma`, `rails`, `python`).
 */
export function appServerOf(program: string, args: readonly string[]): AppServerLaunch | undefined {
  const p = base(program);
  if (/^python[\d.]*$/.test(p) || p === 'pypy3' || p === 'pypy') return python(args);
  if (p === 'gunicorn') return gunicorn(args);
  if (p === 'uvicorn') return uvicorn(args);
  if (p === 'hypercorn') return hypercorn(args);
  if (p === 'daphne') return single('daphne', 'async', 'daphne', 'daphne runs one asyncio process');
  if (p === 'fastapi' && (args[0] === 'run' || args[0] === 'dev')) return uvicorn(args.slice(1), `fastapi ${args[0]}`);
  if (p === 'celery') return celery(args);
  if (p === 'rq' || p === 'rqworker') return rq(p === 'rq' ? args : ['worker', ...args]);
  if (p === 'puma') return puma(args, 'puma');
  if (p === 'rails') return rails(args);
  if (p === 'rake' && args[0] !== undefined && /^db:/.test(args[0])) return rails(args);
  if (p === 'sidekiq') return sidekiq(args);
  if (p === 'java') return java(args);
  if (p === 'uwsgi') return uwsgi(args);
  return undefined;
}

/** Programs that run the next word as a command (`bundle exec`, `poetry run`, `uv run`, `pipenv run`, `thrust`): the caller strips them. */
export function appWrapperLength(words: readonly string[]): number {
  const p = base(words[0] ?? '');
  if ((p === 'bundle' || p === 'bundler') && words[1] === 'exec') return 2;
  if ((p === 'poetry' || p === 'pipenv' || p === 'pdm' || p === 'hatch' || p === 'rye') && words[1] === 'run') return 2;
  if (p === 'uv' && words[1] === 'run') {
    let i = 2;
    while (words[i]?.startsWith('-')) i += /^--(with|python|project|directory|env-file|group|extra|package)$/.test(words[i]!) ? 2 : 1;
    return i;
  }
  if (p === 'newrelic-admin' && words[1] === 'run-program') return 2;
  if (p === 'thrust') return 1;
  if (p === 'ddtrace-run' || p === 'opentelemetry-instrument') return 1;
  return 0;
}

function describe(server: string, args: readonly string[]): string {
  const shown = args.filter((a) => a.startsWith('-') || /^\d+$/.test(a)).join(' ');
  return `${server}${shown ? ` ${shown}` : ''}`;
}

function single(server: AppServer, concurrency: Concurrency, text: string, why: string): AppServerLaunch {
  return { process: { server, processes: dflt(1, why), threads: dflt(1, why), concurrency, describe: text, source: 'command', setOnCommandLine: [] } };
}

function python(args: readonly string[]): AppServerLaunch | undefined {
  let i = 0;
  while (args[i] !== undefined && args[i]!.startsWith('-') && args[i] !== '-m') i += args[i] === '-W' || args[i] === '-X' ? 2 : 1;
  if (args[i] === '-m' && args[i + 1] !== undefined) {
    const mod = args[i + 1]!;
    const rest = args.slice(i + 2);
    if (mod === 'gunicorn' || mod === 'uvicorn' || mod === 'hypercorn' || mod === 'celery' || mod === 'daphne' || mod === 'rq') return appServerOf(mod, rest);
    if (mod === 'flask' && rest[0] === 'run') return flaskRun(rest.slice(1));
    return undefined;
  }
  const script = args[i];
  if (script !== undefined && /(^|\/)manage\.py$/.test(script)) return manage(args.slice(i + 1));
  return undefined;
}

/** Django's manage.py: runserver (threaded, one thread per request), rqworker, migrate (a job). */
function manage(args: readonly string[]): AppServerLaunch | undefined {
  const cmd = args[0];
  if (cmd === 'migrate' || cmd === 'collectstatic' || cmd === 'makemigrations' || cmd === 'loaddata' || cmd === 'createsuperuser' || cmd === 'check') {
    return { ...single('python', 'sync', `manage.py ${cmd}`, 'a management command'), oneShot: `runs manage.py ${cmd}, which exits` };
  }
  if (cmd === 'runserver') {
    // Django runserver: threaded unless --nothreading (django/core/management/commands/runserver.py).
    const nothreading = has(args, ['--nothreading']);
    return {
      process: {
        server: 'django-runserver',
        processes: dflt(1, 'runserver is one process'),
        threads: nothreading ? lit(1) : { value: undefined, provenance: { kind: 'unknown', reason: "Django's development server starts a thread per request (no limit) unless --nothreading" } },
        concurrency: nothreading ? 'sync' : 'threads',
        describe: describe('manage.py runserver', args.slice(1)),
        source: 'command',
        setOnCommandLine: nothreading ? ['threads'] : [],
      },
    };
  }
  if (cmd === 'rqworker') return rq(['worker', ...args.slice(1)]);
  if (cmd === 'rqworker-pool') return rq(['worker-pool', ...args.slice(1)]);
  return undefined;
}

function flaskRun(args: readonly string[]): AppServerLaunch {
  // Flask's development server is threaded by default (flask run --with-threads, Flask 1.0+).
  const off = has(args, ['--without-threads']);
  return {
    process: {
      server: 'flask',
      processes: dflt(1, 'flask run is one process'),
      threads: off ? lit(1) : { value: undefined, provenance: { kind: 'unknown', reason: "Flask's development server starts a thread per request (no limit) unless --without-threads" } },
      concurrency: off ? 'sync' : 'threads',
      describe: describe('flask run', args),
      source: 'command',
      setOnCommandLine: off ? ['threads'] : [],
    },
  };
}

/** gunicorn's worker class → how a worker serves requests. */
export function gunicornConcurrency(workerClass: string, threads: number | undefined): Concurrency {
  const k = workerClass.toLowerCase();
  if (/uvicorn|asgi|tornado|aiohttp/.test(k)) return 'async';
  if (/gevent|eventlet/.test(k)) return 'greenlets';
  if (k === 'gthread' || /threadworker/.test(k)) return 'threads';
  // sync with threads > 1 becomes gthread (gunicorn/config.py WorkerThreads).
  return threads !== undefined && threads > 1 ? 'threads' : 'sync';
}

function gunicorn(args: readonly string[]): AppServerLaunch {
  const set: ProcessModel['setOnCommandLine'] = [];
  const w = numberWord(option(args, ['-w', '--workers']));
  const t = numberWord(option(args, ['--threads']));
  const k = option(args, ['-k', '--worker-class']);
  if (w) set.push('processes');
  if (t) set.push('threads');
  if (k !== undefined) set.push('concurrency');
  const conf = option(args, ['-c', '--config']);
  return {
    process: {
      server: 'gunicorn',
      processes: w ?? { value: 1, provenance: { kind: 'env', envVar: 'WEB_CONCURRENCY', fallback: 1 } },
      threads: t ?? dflt(1, 'gunicorn --threads defaults to 1 (gunicorn/config.py)'),
      concurrency: gunicornConcurrency(k ?? 'sync', t?.value),
      describe: describe('gunicorn', args),
      source: 'command',
      ...(conf !== undefined ? { configFile: conf } : { defaultConfigFiles: ['gunicorn.conf.py'] }),
      setOnCommandLine: set,
    },
  };
}

function uwsgi(args: readonly string[]): AppServerLaunch {
  const set: ProcessModel['setOnCommandLine'] = [];
  const w = numberWord(option(args, ['-p', '--processes', '--workers']));
  const t = numberWord(option(args, ['--threads']));
  const gevent = option(args, ['--gevent']);
  if (w) set.push('processes');
  if (t) set.push('threads');
  if (gevent !== undefined) set.push('concurrency');
  // `--ini file`, or the one argument that is a config file (uWSGI's "magic" lone config argument).
  let ini = option(args, ['--ini']);
  if (ini === undefined) ini = args.find((a, i) => !a.startsWith('-') && /\.ini(:[\w-]+)?$/i.test(a) && (i === 0 || !args[i - 1]!.startsWith('-') || args[i - 1]!.includes('=')));
  const conf = ini?.replace(/:[\w-]+$/, '');
  // `--ini file.ini:prod` reads the [prod] section; only [uwsgi] is read from files, so another one is unknown.
  const section = ini !== undefined && /:([\w-]+)$/.exec(ini)?.[1];
  const other = section && section !== 'uwsgi' ? { value: undefined, provenance: { kind: 'unknown' as const, reason: `--ini ${ini} reads the [${section}] section, which is not read` } } : undefined;
  const concurrency: Concurrency = gevent !== undefined ? 'greenlets' : t?.value !== undefined && t.value > 1 ? 'threads' : 'sync';
  return {
    process: {
      server: 'uwsgi',
      processes: w ?? other ?? { value: 1, provenance: { kind: 'env', envVar: 'UWSGI_PROCESSES', fallback: 1 } },
      threads: t ?? other ?? { value: 1, provenance: { kind: 'env', envVar: 'UWSGI_THREADS', fallback: 1 } },
      concurrency,
      describe: describe('uwsgi', args),
      source: 'command',
      ...(conf !== undefined && !other ? { configFile: conf } : {}),
      setOnCommandLine: set,
    },
  };
}

function uvicorn(args: readonly string[], name = 'uvicorn'): AppServerLaunch {
  const w = numberWord(option(args, ['--workers']));
  return {
    process: {
      server: 'uvicorn',
      processes: w ?? { value: 1, provenance: { kind: 'env', envVar: 'WEB_CONCURRENCY', fallback: 1 } },
      // One asyncio event loop per worker: every request is a task, any number at once.
      threads: { value: undefined, provenance: { kind: 'unknown', reason: 'an asyncio worker runs any number of requests at once' } },
      concurrency: 'async',
      describe: describe(name, args),
      source: 'command',
      setOnCommandLine: w ? ['processes'] : [],
    },
  };
}

function hypercorn(args: readonly string[]): AppServerLaunch {
  const w = numberWord(option(args, ['-w', '--workers']));
  return {
    process: {
      server: 'hypercorn',
      processes: w ?? dflt(1, 'hypercorn --workers defaults to 1'),
      threads: { value: undefined, provenance: { kind: 'unknown', reason: 'an asyncio worker runs any number of requests at once' } },
      concurrency: 'async',
      describe: describe('hypercorn', args),
      source: 'command',
      setOnCommandLine: w ? ['processes'] : [],
    },
  };
}

function celery(args: readonly string[]): AppServerLaunch | undefined {
  // `celery -A proj worker …` / `celery worker -A proj …`: the subcommand is the first operand not a value of -A/--app/-b/--broker/--workdir/--config.
  const valueFlags = new Set(['-A', '--app', '-b', '--broker', '--result-backend', '--loader', '--config', '--workdir', '-C']);
  let sub: string | undefined;
  let at = -1;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-')) {
      if (valueFlags.has(a)) i++;
      continue;
    }
    sub = a;
    at = i;
    break;
  }
  const rest = at >= 0 ? args.slice(at + 1) : [];
  if (sub === 'beat') return single('celery', 'sync', describe('celery beat', rest), 'celery beat is one scheduler process');
  if (sub !== 'worker') return undefined;
  const c = numberWord(option(rest, ['-c', '--concurrency']));
  const auto = option(rest, ['--autoscale']);
  const pool = (option(rest, ['-P', '--pool']) ?? 'prefork').toLowerCase();
  let n: AppSetting<number> | undefined = c;
  if (auto !== undefined) {
    // --autoscale=max,min: up to max children/threads.
    const max = numberWord(auto.split(',')[0]);
    if (max) n = max;
  }
  const count: AppSetting<number> = n ?? { value: undefined, provenance: { kind: 'default', note: 'Celery: --concurrency defaults to the number of CPUs (set deployment.cpus)' }, cpuMultiple: 1 };
  const set: ProcessModel['setOnCommandLine'] = n ? ['processes', 'threads'] : [];
  const text = describe('celery worker', rest);
  if (pool === 'solo') return single('celery', 'sync', text, 'celery --pool solo runs one task at a time in one process');
  if (pool === 'threads') return { process: { server: 'celery', processes: dflt(1, 'celery --pool threads is one process'), threads: count, concurrency: 'threads', describe: text, source: 'command', setOnCommandLine: set } };
  if (pool === 'gevent' || pool === 'eventlet') return { process: { server: 'celery', processes: dflt(1, `celery --pool ${pool} is one process`), threads: count, concurrency: 'greenlets', describe: text, source: 'command', setOnCommandLine: set } };
  // prefork (the default) and processes: `concurrency` child processes, one task each at a time.
  return { process: { server: 'celery', processes: count, threads: dflt(1, 'a prefork child runs one task at a time'), concurrency: 'prefork', describe: text, source: 'command', setOnCommandLine: set } };
}

function rq(args: readonly string[]): AppServerLaunch | undefined {
  if (args[0] === 'worker') return single('rq', 'sync', describe('rq worker', args.slice(1)), 'an RQ worker runs one job at a time (in a forked work horse)');
  if (args[0] === 'worker-pool') {
    const n = numberWord(option(args.slice(1), ['-n', '--num-workers']));
    return { process: { server: 'rq', processes: n ?? dflt(2, 'rq worker-pool --num-workers defaults to 2 (rq/cli/cli.py)'), threads: dflt(1, 'an RQ worker runs one job at a time'), concurrency: 'sync', describe: describe('rq worker-pool', args.slice(1)), source: 'command', setOnCommandLine: n ? ['processes'] : [] } };
  }
  return undefined;
}

/** `-t 5`, `-t 1:5`, `--threads 0:16`: the max is what a process can use at once. */
function pumaThreads(word: string | undefined): AppSetting<number> | undefined {
  if (word === undefined) return undefined;
  const parts = word.split(':');
  return numberWord(parts[parts.length - 1]);
}

function puma(args: readonly string[], name: string): AppServerLaunch {
  const set: ProcessModel['setOnCommandLine'] = [];
  const w = numberWord(option(args, ['-w', '--workers']));
  const t = pumaThreads(option(args, ['-t', '--threads']));
  if (w) set.push('processes');
  if (t) set.push('threads');
  const conf = option(args, ['-C', '--config']);
  const env = option(args, ['-e', '--environment']);
  return {
    process: {
      server: 'puma',
      // workers 0 (single mode) is one process; WEB_CONCURRENCY is read by Puma itself (puma_options_from_env).
      processes: w ?? { value: 0, provenance: { kind: 'env', envVar: 'WEB_CONCURRENCY', fallback: 0 } },
      threads: t ?? { value: 5, provenance: { kind: 'env', envVar: 'PUMA_MAX_THREADS', fallback: 5 }, envOverrides: ['PUMA_MAX_THREADS', 'MAX_THREADS'] },
      concurrency: 'threads',
      describe: describe(name, args),
      source: 'command',
      ...(conf !== undefined ? { configFile: conf } : { defaultConfigFiles: [...(env !== undefined ? [`config/puma/${env}.rb`] : []), 'config/puma.rb'] }),
      setOnCommandLine: set,
      ...(env !== undefined ? { environment: env } : {}),
    },
  };
}

function rails(args: readonly string[]): AppServerLaunch | undefined {
  const sub = args[0];
  if (sub === 'server' || sub === 's') {
    const rest = args.slice(1);
    const env = option(rest, ['-e', '--environment']);
    // `rails server` boots Puma through Rack::Handler with config/puma.rb (Rails' generated config).
    const l = puma([...(env !== undefined ? ['-e', env] : [])], 'rails server');
    l.process.describe = describe('rails server', rest);
    return l;
  }
  if (sub !== undefined && /^db:(migrate|prepare|setup|seed|create|schema:load|reset)/.test(sub)) {
    return { ...single('rails-server', 'sync', `rails ${sub}`, 'a rails task'), oneShot: `runs the ${sub} task, which exits` };
  }
  return undefined;
}

function sidekiq(args: readonly string[]): AppServerLaunch {
  const c = numberWord(option(args, ['-c', '--concurrency']));
  const conf = option(args, ['-C', '--config']);
  const env = option(args, ['-e', '--environment']);
  const req = option(args, ['-r', '--require']);
  return {
    process: {
      server: 'sidekiq',
      processes: dflt(1, 'Sidekiq runs one process'),
      // Sidekiq 8.1 lib/sidekiq/cli.rb: RAILS_MAX_THREADS when neither -c nor the file sets it; else 5 (lib/sidekiq/config.rb).
      threads: c ?? { value: 5, provenance: { kind: 'env', envVar: 'RAILS_MAX_THREADS', fallback: 5 } },
      concurrency: 'threads',
      describe: describe('sidekiq', args),
      source: 'command',
      ...(conf !== undefined ? { configFile: conf } : { defaultConfigFiles: [`${req !== undefined && !/\.rb$/.test(req) ? `${req.replace(/\/$/, '')}/` : ''}config/sidekiq.yml`, `${req !== undefined && !/\.rb$/.test(req) ? `${req.replace(/\/$/, '')}/` : ''}config/sidekiq.yml.erb`] }),
      setOnCommandLine: c ? ['threads'] : [],
      ...(env !== undefined ? { environment: env } : {}),
    },
  };
}

function java(args: readonly string[]): AppServerLaunch | undefined {
  if (!has(args, ['-jar']) && !args.some((a) => /^org\.springframework\.boot\.loader\./.test(a) || a === '-cp' || a === '-classpath')) return undefined;
  const profiles = args.find((a) => a.startsWith('-Dspring.profiles.active=') || a.startsWith('--spring.profiles.active='));
  return {
    process: {
      server: 'java',
      processes: dflt(1, 'one JVM'),
      // A servlet container's threads (Tomcat 200) are no bound of a HikariCP pool: the pool max is.
      threads: { value: undefined, provenance: { kind: 'unknown', reason: "the server's request threads do not bound the pool (HikariCP's maximum-pool-size does)" } },
      concurrency: 'threads',
      describe: 'java -jar',
      source: 'command',
      setOnCommandLine: [],
      ...(profiles !== undefined ? { environment: profiles.slice(profiles.indexOf('=') + 1) } : {}),
    },
  };
}
