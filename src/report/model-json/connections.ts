import { relative, sep } from 'node:path';
import type { SourceRange } from '../../core/location.js';
import { isPasswordKey, REDACTED, redactSecrets } from '../../core/redact.js';
import type { ConnectionModel } from '../../model/connections.js';

/** The `connections` part of `--print-model` (docs/model.md): redacted text only, paths relative to the root. */
export interface ConnectionJson {
  id: string;
  origin: { kind: string; description: string; file: string; line: number; column: number; property?: string; prismaId?: string; poolId?: string };
  envVar?: string;
  environment: string;
  envFile?: string;
  template: boolean;
  secret: boolean;
  password: string;
  url: string;
  user?: string;
  hosts: Array<{ host: string; port: number; kind: string }>;
  database?: string;
  params: Record<string, string>;
  endpoint: { role: string; pooler?: { product: string; mode?: string; confidence: string; evidence: string }; provider?: string };
  file: string;
  line: number;
  column: number;
  usedBy: string[];
}

export interface PrismaJson {
  id: string;
  generation: string;
  projectDir: string;
  clients: string[];
  pools: Array<{ connectionId: string; environment: string; connectionLimit: { value: number | null; source: string; text: string }; poolTimeoutSeconds: number; pgbouncer: boolean }>;
  adapters: Array<{ poolId: string; max: number | null }>;
}

export function connectionsJson(model: ConnectionModel, root: string): { connections: ConnectionJson[]; prisma: PrismaJson[] } {
  const rel = (f: string) => (relative(root, f) || f).split(sep).join('/');
  const at = (r: SourceRange) => ({ file: rel(r.file), line: r.line, column: r.column });
  return {
    connections: model.strings.map((c) => {
      const params: Record<string, string> = {};
      // a parameter the parser does not know as secret (`db_password=`) is masked by its name
      for (const [k, v] of c.parsed.params) params[k] = isPasswordKey(k) && v !== '' ? REDACTED : redactSecrets(v);
      const o = c.origin;
      const j: ConnectionJson = {
        id: c.id,
        origin: {
          kind: o.kind,
          description: o.description,
          ...at(o.range),
          ...(o.property ? { property: o.property } : {}),
          ...(o.prismaId ? { prismaId: o.prismaId } : {}),
          ...(o.poolId ? { poolId: o.poolId } : {}),
        },
        environment: c.environment,
        template: c.template,
        secret: c.secret,
        password: c.password,
        url: redactSecrets(c.parsed.redacted),
        hosts: c.parsed.hosts.map((h) => ({ host: h.host, port: h.port, kind: h.kind })),
        params,
        endpoint: {
          role: c.endpoint.role,
          ...(c.endpoint.pooler
            ? { pooler: { product: c.endpoint.pooler.product, ...(c.endpoint.pooler.mode ? { mode: c.endpoint.pooler.mode } : {}), confidence: c.endpoint.pooler.confidence, evidence: c.endpoint.pooler.evidence } }
            : {}),
          ...(c.endpoint.provider ? { provider: c.endpoint.provider.name } : {}),
        },
        ...at(c.range),
        usedBy: [...c.usedBy],
      };
      if (c.envVar !== undefined) j.envVar = c.envVar;
      if (c.envFile !== undefined) j.envFile = rel(c.envFile);
      if (c.parsed.user !== undefined) j.user = c.parsed.user;
      if (c.parsed.database !== undefined) j.database = c.parsed.database;
      return j;
    }),
    prisma: model.prisma.map((p) => ({
      id: p.id,
      generation: p.generation,
      projectDir: relative(root, p.projectDir).split(sep).join('/') || '.',
      clients: [...p.clients],
      pools: p.pools.map((x) => ({
        connectionId: x.connectionId,
        environment: x.environment,
        connectionLimit: { value: x.connectionLimit.value ?? null, source: x.connectionLimit.source, text: x.connectionLimit.text },
        poolTimeoutSeconds: x.poolTimeoutSeconds.value,
        pgbouncer: x.pgbouncer,
      })),
      adapters: p.adapters.map((a) => ({ poolId: a.poolId, max: a.max.value ?? null })),
    })),
  };
}
