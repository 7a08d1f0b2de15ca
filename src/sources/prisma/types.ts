import type { InputProblem } from '../../core/diagnostic.js';
import type { SourceRange } from '../../core/location.js';

/**
 * A connection-relevant value as written: a string (range inside the quotes), an environment
 * variable lookup (range of the whole `env("X")` / `process.env.X` expression), or anything else.
 */
export type PrismaValue =
  | { kind: 'literal'; value: string; range: SourceRange }
  | {
      kind: 'env';
      envVar: string;
      range: SourceRange;
      /** prisma.config.ts only: `process.env.X ?? <fallback>` / `|| <fallback>`. */
      fallback?: PrismaValue;
    }
  | { kind: 'other'; text: string; range: SourceRange };

export interface PrismaProperty {
  key: string;
  keyRange: SourceRange;
  value: PrismaValue;
}

export interface PrismaDatasource {
  name: string;
  nameRange: SourceRange;
  file: string;
  /** The provider when it is a string literal (Prisma requires one), else null. */
  provider: string | null;
  providerValue?: PrismaValue;
  /** Prisma 5/6. Prisma 7 rejects these three in the schema (they moved to prisma.config.ts). */
  url?: PrismaValue;
  directUrl?: PrismaValue;
  shadowDatabaseUrl?: PrismaValue;
  /** The whole block, `datasource` through `}`. */
  range: SourceRange;
  /** Every other property (relationMode, schemas, extensions, …) in file order. */
  other: PrismaProperty[];
}

export interface PrismaGenerator {
  name: string;
  nameRange: SourceRange;
  file: string;
  provider: string | null;
  providerValue?: PrismaValue;
  /** String elements of `previewFeatures = [...]`. */
  previewFeatures: string[];
  output?: PrismaValue;
  range: SourceRange;
  other: PrismaProperty[];
}

export interface ParsedPrismaSchema {
  datasources: PrismaDatasource[];
  generators: PrismaGenerator[];
  problems: InputProblem[];
}

/** What `prisma.config.ts` says, read from its syntax tree (never executed). */
export interface PrismaConfigFacts {
  file: string;
  /** `schema`: a file or a folder searched recursively for *.prisma (relative to the config file). */
  schemaPath?: string;
  schemaValue?: PrismaValue;
  migrationsPath?: string;
  /** Prisma 6.12–6.19 `engine: 'classic' | 'js'` (removed in 7). */
  engine?: string;
  datasource?: {
    /** Prisma 7: the URL the CLI (migrate, db push, introspection) connects with. */
    url?: PrismaValue;
    shadowDatabaseUrl?: PrismaValue;
    /** Only accepted with Prisma 6's `engine: 'classic'`; Prisma 7 rejects it (see problems). */
    directUrl?: PrismaValue;
    range: SourceRange;
  };
  /** The file imports dotenv (`import 'dotenv/config'`, `import { config } from 'dotenv'`): Prisma 7 no longer loads .env itself. */
  dotenvImport?: { module: string; range: SourceRange };
  /** The configuration object literal, when found. */
  range?: SourceRange;
  problems: InputProblem[];
}
