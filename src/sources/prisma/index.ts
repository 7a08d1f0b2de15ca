export { parsePrismaSchema, parsePrismaSchemaFiles, prismaSchemaFiles, loadPrismaSchema } from './schema.js';
export { parsePrismaConfig, loadPrismaConfig } from './config.js';
export type * from './types.js';
