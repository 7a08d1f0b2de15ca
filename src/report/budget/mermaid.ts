import type { BudgetJson, ClientJson } from './json.js';

/**
 * `pgconn-lint budget --format mermaid`: services → poolers → servers as a Mermaid flowchart,
 * the connection counts on the edges, ready to paste into a README or a pull request comment.
 */

/** Mermaid labels are quoted; `"` and `#` have to be entities. */
const label = (s: string): string => s.replace(/#/g, '#35;').replace(/"/g, '#quot;');
const num = (v: number | null, atLeast?: number): string => (v !== null ? String(v) : atLeast !== undefined && atLeast > 0 ? `≥${atLeast}` : '?');

function edgeLabel(c: ClientJson): string {
  return `${num(c.instances)} × ${num(c.perInstance)} = ${num(c.total, c.totalAtLeast)}`;
}

export function formatBudgetMermaid(b: BudgetJson): string {
  const lines = ['```mermaid', 'flowchart LR'];
  // Short node ids (s1, p1, c1) in the order met: stable for the same repository.
  const ids = new Map<string, string>();
  const idOf = (prefix: string, key: string): string => {
    const k = `${prefix}:${key}`;
    let id = ids.get(k);
    if (!id) ids.set(k, (id = `${prefix}${[...ids.keys()].filter((x) => x.startsWith(`${prefix}:`)).length + 1}`));
    return id;
  };
  const services = new Map<string, string>();
  const service = (name: string, instances: string): string => {
    const id = idOf('c', name);
    if (!services.has(id)) {
      services.set(id, name);
      lines.push(`  ${id}["${label(`${name} ×${instances}`)}"]`);
    }
    return id;
  };
  for (const s of b.servers) {
    const avail = s.limit !== null ? `${s.limit} available` : 'limit unknown';
    lines.push(`  ${idOf('s', s.id)}[("${label(`${s.name}<br/>max_connections ${num(s.maxConnections)}<br/>${avail}<br/>demand ${num(s.demand, s.demandAtLeast)} · ${s.status}`)}")]`);
  }
  for (const p of b.poolers) {
    lines.push(`  ${idOf('p', p.id)}{{"${label(`${p.name}<br/>${p.product ?? p.kind} ${p.mode ?? ''} ×${num(p.instances)}<br/>max_client_conn ${num(p.maxClientConnTotal)} · ${p.status}`)}"}}`);
  }
  for (const p of b.poolers) {
    for (const c of p.clients) lines.push(`  ${service(c.name, c.instancesSource ? num(c.instances) : '?')} -->|"${label(edgeLabel(c))}"| ${idOf('p', p.id)}`);
  }
  for (const s of b.servers) {
    for (const c of s.clients) {
      if (c.kind === 'pooler' && c.pooler) lines.push(`  ${idOf('p', c.pooler)} -->|"${label(edgeLabel(c))}"| ${idOf('s', s.id)}`);
      else lines.push(`  ${service(c.name, num(c.instances))} -->|"${label(edgeLabel(c))}"| ${idOf('s', s.id)}`);
    }
  }
  const over = b.servers.filter((s) => s.status === 'over').map((s) => idOf('s', s.id)).concat(b.poolers.filter((p) => p.status === 'over').map((p) => idOf('p', p.id)));
  const warn = b.servers.filter((s) => s.status === 'warning').map((s) => idOf('s', s.id));
  if (over.length > 0) lines.push('  classDef over fill:#fdd,stroke:#c00,color:#600', `  class ${over.join(',')} over`);
  if (warn.length > 0) lines.push('  classDef warning fill:#ffd,stroke:#c90,color:#640', `  class ${warn.join(',')} warning`);
  lines.push('```');
  return lines.join('\n') + '\n';
}
