import { describe, expect, it } from 'vitest';
import { findRequestScopes, pathTraits, requestScopeAt } from '../../src/sources/js/scopes/index.js';
import { moduleContext } from './support.js';

function scopes(file: string, text: string, root?: string) {
  return findRequestScopes(moduleContext(file, text), root === undefined ? {} : { root }).map((s) => ({
    kind: s.kind,
    line: s.range.line,
    edge: s.edge,
    description: s.description,
  }));
}

describe('serverless handlers', () => {
  it('finds ESM and CommonJS Lambda handlers', () => {
    expect(scopes('/r/src/a.ts', 'export const handler = async (event, context) => { return 1; };')).toEqual([
      { kind: 'serverless-handler', line: 1, edge: false, description: 'exported Lambda handler `handler`' },
    ]);
    expect(scopes('/r/a.js', 'exports.handler = async function (event) {};').map((s) => s.kind)).toEqual(['serverless-handler']);
    expect(scopes('/r/a.js', 'module.exports.handler = async (event) => {};').map((s) => s.kind)).toEqual(['serverless-handler']);
    expect(scopes('/r/a.js', 'async function handler(e) {}\nmodule.exports = { handler };').map((s) => s.line)).toEqual([1]);
    expect(scopes('/r/a.ts', 'export async function handler(event) {}').map((s) => s.kind)).toEqual(['serverless-handler']);
  });

  it('follows wrappers and local names', () => {
    const text = "import middy from '@middy/core';\nconst base = async (event) => {};\nexport const handler = middy(base).use(x());";
    expect(scopes('/r/a.ts', text).map((s) => s.line)).toEqual([2]);
  });

  it('recognises other export names typed with aws-lambda types', () => {
    const text = "import type { APIGatewayProxyHandler } from 'aws-lambda';\nexport const main: APIGatewayProxyHandler = async (event) => ({ statusCode: 200, body: '' });";
    expect(scopes('/r/a.ts', text).map((s) => s.description)).toEqual(['exported Lambda handler `main`']);
  });

  it('names Netlify and Vercel functions', () => {
    expect(scopes('/r/netlify/functions/hello.ts', 'export default async (req, context) => new Response("x");').map((s) => s.description)).toEqual(['Netlify function (default export)']);
    expect(scopes('/r/api/users.ts', 'export default function handler(req, res) {}', '/r').map((s) => s.description)).toEqual(['Vercel function (default export)']);
    // Without the root, a directory named api/ somewhere in the path proves nothing.
    expect(scopes('/r/src/api/client.ts', 'export default function createClient(baseUrl) {}')).toEqual([]);
  });

  it('ignores modules that only export other things', () => {
    expect(scopes('/r/a.ts', 'export function getUser(id) {}\nexport const pool = 1;')).toEqual([]);
  });
});

describe('Next.js', () => {
  it('finds App Router route handlers by path or by next/server', () => {
    expect(scopes('/r/app/api/users/route.ts', 'export async function GET(req) {}\nexport async function POST(req) {}').map((s) => s.description)).toEqual([
      'Next.js route handler `GET`',
      'Next.js route handler `POST`',
    ]);
    expect(scopes('/r/x.ts', "import { NextResponse } from 'next/server';\nexport const GET = async () => NextResponse.json({});").map((s) => s.kind)).toEqual(['next-route']);
    expect(scopes('/r/x.ts', 'const h = async () => 1;\nexport { h as GET, h as POST };').map((s) => s.kind)).toEqual([]);
    expect(scopes('/r/app/x/route.ts', 'const h = async () => 1;\nexport { h as GET, h as POST };').map((s) => s.line)).toEqual([1]);
  });

  it('marks route handlers edge with runtime = "edge"', () => {
    expect(scopes('/r/app/x/route.ts', "export const runtime = 'edge';\nexport async function GET() {}")).toEqual([
      { kind: 'next-route', line: 2, edge: true, description: 'Next.js route handler `GET`' },
    ]);
    expect(scopes('/r/pages/api/x.ts', "export const config = { runtime: 'edge' };\nexport default async function h(req) {}")[0]).toMatchObject({ kind: 'next-api', edge: true });
  });

  it('finds Pages API routes by path or NextApiRequest types', () => {
    expect(scopes('/r/pages/api/users.ts', 'export default async function handler(req, res) {}').map((s) => s.kind)).toEqual(['next-api']);
    const typed = "import type { NextApiRequest, NextApiResponse } from 'next';\nexport default async function handler(req: NextApiRequest, res: NextApiResponse) {}";
    expect(scopes('/r/src/x.ts', typed).map((s) => s.kind)).toEqual(['next-api']);
    expect(scopes('/r/pages/api/users.ts', 'export default withAuth(async (req, res) => {});').map((s) => s.kind)).toEqual(['next-api']);
  });

  it('finds Server Actions, file-level and inline', () => {
    expect(scopes('/r/actions.ts', "'use server';\nexport async function createUser(fd) {}\nexport const x = 1;\nfunction helper() {}").map((s) => s.description)).toEqual(['Next.js Server Action `createUser`']);
    const inline = "export default function Page() {\n  async function save(fd) {\n    'use server';\n  }\n  return null;\n}";
    expect(scopes('/r/app/page.tsx', inline).map((s) => s.description)).toEqual(['Next.js page (Server Component)', 'Next.js Server Action `save`']);
  });

  it('treats middleware as edge unless runtime is nodejs', () => {
    expect(scopes('/r/middleware.ts', "import { NextResponse } from 'next/server';\nexport function middleware(req) {}")[0]).toMatchObject({ edge: true });
    expect(scopes('/r/middleware.ts', "import { NextResponse } from 'next/server';\nexport const runtime = 'nodejs';\nexport function middleware(req) {}")[0]).toMatchObject({ edge: false });
  });

  it('finds getServerSideProps', () => {
    expect(scopes('/r/pages/users.tsx', 'export async function getServerSideProps(ctx) { return { props: {} }; }').map((s) => s.kind)).toEqual(['next-route']);
  });
});

describe('HTTP frameworks', () => {
  it('finds Express routes and middleware', () => {
    const text = [
      "import express from 'express';",
      'const app = express();',
      'const router = express.Router();',
      "app.get('/users', async (req, res) => {});",
      "router.post('/users/:id', auth, function (req, res) {});",
      'app.use((req, res, next) => next());',
      "app.route('/book').get((req, res) => {}).post((req, res) => {});",
      'function auth(req, res, next) {}',
      "app.listen(3000, () => console.log('up'));",
      "app.get('port');",
    ].join('\n');
    expect(scopes('/r/server.ts', text).map((s) => `${s.line} ${s.description}`)).toEqual([
      "4 Express route callback (app.get '/users')",
      "5 Express route callback (router.post '/users/:id')",
      '6 Express middleware (app.use)',
      "7 Express route callback (app.route('/book').get)",
      "7 Express route callback (app.route('/book').post)",
      '8 Express route callback (router.post \'/users/:id\')',
    ]);
  });

  it('finds Fastify shorthand, route() and hooks, but not plugins', () => {
    const text = [
      "import Fastify from 'fastify';",
      'const fastify = Fastify();',
      "fastify.register(async (instance, opts) => { instance.get('/a', async () => 1); });",
      "fastify.route({ method: 'GET', url: '/b', preHandler: [check], handler: async (req, reply) => {} });",
      "fastify.addHook('onRequest', async (req, reply) => {});",
      "fastify.addHook('onClose', async () => {});",
      'function check(req, reply, done) {}',
    ].join('\n');
    expect(scopes('/r/app.ts', text).map((s) => `${s.line} ${s.description}`)).toEqual([
      "3 Fastify route callback (instance.get '/a')",
      '4 Fastify route handler (fastify.route)',
      '5 Fastify onRequest hook',
      '7 Fastify route handler (fastify.route)',
    ]);
  });

  it('finds Koa, Hono and node:http handlers', () => {
    const koa = "import Koa from 'koa';\nimport Router from '@koa/router';\nconst app = new Koa();\nconst router = new Router();\nrouter.get('user', '/users/:id', async (ctx) => {});\napp.use(async (ctx, next) => { await next(); });";
    expect(scopes('/r/k.ts', koa).map((s) => s.line)).toEqual([5, 6]);
    const hono = "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('*', async (c) => c.text('x'));\nexport default app;";
    expect(scopes('/r/h.ts', hono).map((s) => s.description)).toEqual(["Hono route callback (app.get '*')"]);
    expect(scopes('/r/s.js', "const http = require('http');\nhttp.createServer((req, res) => res.end()).listen(80);").map((s) => s.kind)).toEqual(['http-route']);
    expect(scopes('/r/s.ts', "import { createServer } from 'node:http';\ncreateServer((req, res) => {});").map((s) => s.kind)).toEqual(['http-route']);
  });

  it('ignores request mocks and lookalikes', () => {
    expect(scopes('/r/t.ts', "import { http } from 'msw';\nhttp.get('/user', () => HttpResponse.json({}));")).toEqual([]);
    expect(scopes('/r/t.ts', "chai.use((chai, utils) => {});\nmap.get('key');\ncache.get(key, () => load());")).toEqual([]);
  });

  it('finds h3/Nuxt event handlers', () => {
    expect(scopes('/r/server/api/x.ts', 'export default defineEventHandler(async (event) => { return 1; });').map((s) => s.kind)).toEqual(['http-route']);
  });
});

describe('NestJS', () => {
  it('finds controller handlers but not the constructor of a singleton controller', () => {
    const text = [
      "import { Controller, Get, Post } from '@nestjs/common';",
      "@Controller('users')",
      'export class UsersController {',
      '  constructor(private readonly svc: UsersService) {}',
      '  @Get()',
      '  findAll() {}',
      '  @Post(":id")',
      '  async create() {}',
      '  helper() {}',
      '}',
    ].join('\n');
    expect(scopes('/r/users.controller.ts', text).map((s) => `${s.line} ${s.description}`)).toEqual([
      '5 NestJS handler `UsersController.findAll` (@Get)',
      '7 NestJS handler `UsersController.create` (@Post)',
    ]);
  });

  it('finds request-scoped providers', () => {
    const a = "import { Injectable, Scope } from '@nestjs/common';\n@Injectable({ scope: Scope.REQUEST })\nexport class TenantDb {\n  constructor() {}\n}";
    expect(scopes('/r/t.ts', a)).toEqual([{ kind: 'nest-request-scoped', line: 2, edge: false, description: 'NestJS request-scoped provider `TenantDb`' }]);
    const b = "import { Injectable, Inject } from '@nestjs/common';\nimport { REQUEST } from '@nestjs/core';\n@Injectable()\nexport class T {\n  constructor(@Inject(REQUEST) private req: Request) {}\n}";
    expect(scopes('/r/t.ts', b).map((s) => s.kind)).toEqual(['nest-request-scoped']);
    expect(scopes('/r/t.ts', "@Injectable()\nexport class Db { constructor() {} }")).toEqual([]);
  });
});

describe('edge runtimes', () => {
  it('finds Cloudflare Workers module handlers', () => {
    const text = 'export default {\n  async fetch(request, env, ctx) { return new Response("x"); },\n  async scheduled(event, env, ctx) {},\n};';
    expect(scopes('/r/src/index.ts', text)).toEqual([
      { kind: 'edge-fetch', line: 2, edge: true, description: 'Cloudflare Worker `fetch` handler' },
      { kind: 'edge-fetch', line: 3, edge: true, description: 'Cloudflare Worker `scheduled` handler' },
    ]);
    const satisfies = 'const worker = { fetch: async (req: Request) => new Response("") } satisfies ExportedHandler;\nexport default worker;';
    expect(scopes('/r/w.ts', satisfies).map((s) => s.kind)).toEqual(['edge-fetch']);
  });

  it('marks a Hono app on Workers edge', () => {
    const text = "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/x', async (c) => c.text('x'));\nexport default { fetch: app.fetch };";
    expect(scopes('/r/w.ts', text)).toEqual([{ kind: 'http-route', line: 3, edge: true, description: "Hono route callback (app.get '/x')" }]);
  });

  it('finds Pages Functions and service-worker listeners', () => {
    expect(scopes('/r/functions/api/x.ts', 'export const onRequestGet = async (context) => new Response("x");')[0]).toMatchObject({ kind: 'edge-fetch', edge: true });
    expect(scopes('/r/w.js', "addEventListener('fetch', (event) => { event.respondWith(handle(event.request)); });")[0]).toMatchObject({ kind: 'edge-fetch', edge: true });
  });
});

describe('lifetimes', () => {
  function only(file: string, text: string) {
    const [s] = findRequestScopes(moduleContext(file, text));
    return s!;
  }

  it('records closes in finally, waitUntil and await using', () => {
    const text = [
      'export default {',
      '  async fetch(req, env, ctx) {',
      '    const pool = new Pool({ connectionString: env.DB });',
      '    const sql = postgres(env.DB);',
      '    ctx.waitUntil(pool.end());',
      '    try { return 1; } finally { await sql.end(); }',
      '  },',
      '};',
    ].join('\n');
    expect(only('/r/w.ts', text).closes?.map((c) => `${c.receiver}.${c.method} ${c.via}`)).toEqual(['pool.end wait-until', 'sql.end finally']);
    const using = 'export const handler = async () => {\n  await using client = await connect();\n  await db.query().finally(() => this.db.$disconnect());\n  prisma.$disconnect();\n};';
    expect(only('/r/a.ts', using).closes?.map((c) => `${c.receiver}.${c.method} ${c.via}`).sort()).toEqual(['client.Symbol.asyncDispose using', 'db.$disconnect finally', 'prisma.$disconnect inline']);
  });

  it('records values kept beyond the call', () => {
    const text = [
      'export async function GET(req) {',
      '  const pool = new Pool();',
      '  pools.set(tenant, pool);',
      '  cache[tenant] ??= new Pool();',
      '  globalThis.db = pool;',
      '  this.pool = pool;',
      '  req.db = pool;',
      '  const local = new Map();',
      '  local.set(1, pool);',
      '}',
    ].join('\n');
    expect(only('/r/app/route.ts', text).keeps?.map((k) => `${k.into} ${k.name ?? '-'}`)).toEqual(['pools.set pool', 'cache[tenant] -', 'globalThis.db pool']);
  });
});

describe('lookups and robustness', () => {
  it('finds the innermost scope of a range', () => {
    const text = "import express from 'express';\nconst app = express();\napp.get('/a', (req, res) => {\n  app.get('/b', (q, r) => {\n    x();\n  });\n});";
    const all = findRequestScopes(moduleContext('/r/a.ts', text));
    const at = requestScopeAt(all, { file: '/r/a.ts', line: 5, column: 5, endLine: 5, endColumn: 8 });
    expect(at?.range.line).toBe(4);
    expect(requestScopeAt(all, { file: '/r/a.ts', line: 1, column: 1, endLine: 1, endColumn: 2 })).toBeUndefined();
  });

  it('handles deep nesting, syntax errors and comment-only files', () => {
    const deep = `export const handler = async () => ${'1 + '.repeat(20000)}1;\napp.get('/x', (req, res) => ${'[ '.repeat(500)}${' ]'.repeat(500)});`;
    expect(scopes('/r/a.ts', deep).length).toBe(2);
    expect(() => scopes('/r/a.ts', 'export const handler = async (event => { app.get("/x", (')).not.toThrow();
    expect(scopes('/r/a.ts', '// only a comment\n')).toEqual([]);
  });

  it('classifies paths relative to the root', () => {
    expect(pathTraits('/srv/app/lib/route.ts', '/srv/app').nextAppRoute).toBe(false);
    expect(pathTraits('/srv/x/src/app/(shop)/cart/route.ts', '/srv/x').nextAppRoute).toBe(true);
    expect(pathTraits('C:\\repo\\pages\\api\\a.ts').nextPagesApi).toBe(true);
  });
});
