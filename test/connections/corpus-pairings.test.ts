/** Corpus pairings the issue names: silent where the setup is right, or where the gap is not this rule's business. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { allDiagnostics, lintPaths, tempProject, testConfig } from '../support/lint-helpers.js';
import { corpusPath, describeCorpus } from '../support/corpus.js';

const corpus = (p: string) => readFileSync(corpusPath(p), 'utf8');
const RULES = ['pooler-without-direct-url', 'prisma-connection-limit', 'plaintext-credentials', 'ineffective-pool-option'];

function findings(files: Record<string, string>, rules = RULES): string[] {
  const dir = tempProject(files);
  return allDiagnostics(lintPaths(dir, [dir], testConfig(rules)))
    .filter((d) => d.ruleId !== null && rules.includes(d.ruleId))
    .map((d) => `${d.ruleId} ${d.message}`);
}

describeCorpus('corpus pairings', () => {
  it('langfuse: directUrl = env("DIRECT_URL") with DIRECT_URL commented out is not pooler-without-direct-url\'s business', () => {
    const out = findings({
      'prisma/schema.prisma': corpus('prisma/langfuse__langfuse__packages__shared__prisma__schema.prisma'),
      '.env.prod.example': corpus('env/langfuse__langfuse__.env.prod.example'),
    });
    expect(out.filter((m) => m.startsWith('pooler-without-direct-url'))).toEqual([]);
  });

  it('Vercel Postgres template (pooled url + non-pooling directUrl) is silent', () => {
    const out = findings({
      'prisma/schema.prisma': corpus('prisma/vercel__examples__storage__postgres-prisma__prisma__schema.prisma'),
      '.env.example':
        'POSTGRES_PRISMA_URL="postgres://default:${PW}@ep-cool-darkness-123456-pooler.us-east-1.postgres.vercel-storage.com:5432/verceldb?pgbouncer=true&connect_timeout=15&connection_limit=1"\n' +
        'POSTGRES_URL_NON_POOLING="postgres://default:${PW}@ep-cool-darkness-123456.us-east-1.postgres.vercel-storage.com:5432/verceldb"\n',
    });
    expect(out).toEqual([]);
  });

  it('documenso and trigger.dev .env examples with their schemas: templates, direct URLs, no findings', () => {
    expect(
      findings({
        'packages/prisma/schema.prisma': corpus('prisma/documenso__documenso__packages__prisma__schema.prisma'),
        '.env.example': corpus('env/documenso__documenso__.env.example'),
      }),
    ).toEqual([]);
    expect(
      findings({
        'internal-packages/database/prisma/schema.prisma': corpus('prisma/triggerdotdev__trigger.dev__internal-packages__database__prisma__schema.prisma'),
        '.env.example': corpus('env/triggerdotdev__trigger.dev__.env.example'),
      }),
    ).toEqual([]);
  });
});
