import type { JsLibrary } from './types.js';

/**
 * Module specifiers of the supported libraries. An exact name, or a prefix ending in
 * `/` for package families (`drizzle-orm/node-postgres`, `@mikro-orm/postgresql`).
 */
const EXACT: ReadonlyMap<string, JsLibrary> = new Map<string, JsLibrary>([
  ['pg', 'pg'],
  ['pg-pool', 'pg'],
  ['pg-native', 'pg'],
  ['postgres', 'postgres'],
  ['sequelize', 'sequelize'],
  ['sequelize-typescript', 'sequelize'],
  ['@sequelize/core', 'sequelize'],
  ['@sequelize/postgres', 'sequelize'],
  ['typeorm', 'typeorm'],
  ['@nestjs/typeorm', 'typeorm'],
  ['knex', 'knex'],
  ['kysely', 'kysely'],
  ['drizzle-orm', 'drizzle'],
  ['@prisma/client', 'prisma'],
  ['nestjs-prisma', 'prisma'],
  ['@prisma/adapter-pg', 'prisma-adapter-pg'],
  ['@neondatabase/serverless', 'neon-serverless'],
  ['@vercel/postgres', 'vercel-postgres'],
]);

const PREFIXES: ReadonlyArray<readonly [string, JsLibrary]> = [
  ['drizzle-orm/', 'drizzle'],
  ['@mikro-orm/', 'mikro-orm'],
  ['pg/', 'pg'],
  ['typeorm/', 'typeorm'],
  ['knex/', 'knex'],
  ['@prisma/client/', 'prisma'],
];

/** How reports name each library. */
export const LIBRARY_NAME: Readonly<Record<JsLibrary, string>> = {
  pg: 'node-postgres',
  postgres: 'postgres.js',
  sequelize: 'Sequelize',
  typeorm: 'TypeORM',
  knex: 'knex',
  kysely: 'Kysely',
  drizzle: 'Drizzle',
  'mikro-orm': 'MikroORM',
  prisma: 'Prisma',
  'prisma-adapter-pg': '@prisma/adapter-pg',
  'neon-serverless': '@neondatabase/serverless',
  'vercel-postgres': '@vercel/postgres',
};

/** The library a module specifier belongs to (`'pg'` → 'pg', `'node:pg'` is not a thing). */
export function libraryOf(moduleSpecifier: string): JsLibrary | undefined {
  const exact = EXACT.get(moduleSpecifier);
  if (exact !== undefined) return exact;
  // An indexed loop: the pre-filter asks this of every specifier of every file (issue 11), and a
  // `for…of` with destructuring allocates an iterator result and an entry iterator per prefix until
  // the function is optimized.
  for (let i = 0; i < PREFIXES.length; i++) if (moduleSpecifier.startsWith(PREFIXES[i]![0])) return PREFIXES[i]![1];
  return undefined;
}

/** Is this specifier one of the supported libraries? Used by the pre-filter. */
export function isSupportedSpecifier(moduleSpecifier: string): boolean {
  return libraryOf(moduleSpecifier) !== undefined;
}
