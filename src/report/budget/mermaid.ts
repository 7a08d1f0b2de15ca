import type { BudgetJson, ClientJson } from './json.js';
import { escapeText, neutraliseCommands } from '../escape.js';

/**
 * `pgconn-lint budget --format mermaid`: services → poolers → servers as a Mermaid flowchart,
 * the connection counts on the edges, ready to paste into a README or a pull request comment.
 */

/**
 * Text from the repository inside a quoted Mermaid label: escaped as for a terminal (escape.ts:
 * no line break, so nothing can start a line of the chart or close the Markdown code fence),
 * then every character but letters, digits, space and `-_.,:/@+=` written as a Mermaid entity
 * `#NNN;` (decimal code point, mermaid.js.org "Entity codes to escape characters"): `"` cannot
 * end the label, `` ` `` cannot start a Markdown string, `<` `>` `&` are not markup, `#` `;` `|`
 * `[` `]` `{` `}` are plain text. Our own markup (`<br/>`) is added around the escaped pieces.
 */
export function mermaidText(s: string): string {
  return escapeText(s).replace(/[^\p{L}\p{N} ,.:/@+=_-]/gu, (c) => `#${c.codePointAt(0)};`);
}

const num = (v: number | null, atLeast?: number): string => (v !== null ? String(v) : atLeast !== undefined && atLeast > 0 ? `≥${atLeast}` : '?');

function edgeLabel(c: ClientJson): string {
  return `${num(c.instances)} × ${num(c.perInstance)} = ${num(c.total, c.totalAtLeast)}`;
}

export function formatBudgetMermaid(b: BudgetJson): string {
  const lines = ['```mermaid', 'flowchart LR'];
  const t = mermaidText;
  // Short node ids (s1, p1, c1) in the order met: stable for the same repository.
  const ids = new Map<string, string>();
  const counts = new Map<string, number>();
  const idOf = (prefix: string, key: string): string => {
    const k = `${prefix}:${key}`;
    let id = ids.get(k);
    if (!id) {
      const n = (counts.get(prefix) ?? 0) + 1;
      counts.set(prefix, n);
      ids.set(k, (id = `${prefix}${n}`));
    }
    return id;
  };
  const services = new Map<string, string>();
  const service = (name: string, instances: string): string => {
    const id = idOf('c', name);
    if (!services.has(id)) {
      services.set(id, name);
      lines.push(`  ${id}["${t(name)} ×${instances}"]`);
    }
    return id;
  };
  for (const s of b.servers) {
    const avail = s.limit !== null ? `${s.limit} available` : 'limit unknown';
    lines.push(`  ${idOf('s', s.id)}[("${t(s.name)}<br/>max_connections ${num(s.maxConnections)}<br/>${avail}<br/>demand ${num(s.demand, s.demandAtLeast)} · ${s.status}")]`);
  }
  for (const p of b.poolers) {
    lines.push(`  ${idOf('p', p.id)}{{"${t(p.name)}<br/>${t(p.product ?? p.kind)} ${t(p.mode ?? '')} ×${num(p.instances)}<br/>max_client_conn ${num(p.maxClientConnTotal)} · ${p.status}"}}`);
  }
  for (const p of b.poolers) {
    for (const c of p.clients) lines.push(`  ${service(c.name, c.instancesSource ? num(c.instances) : '?')} -->|"${edgeLabel(c)}"| ${idOf('p', p.id)}`);
  }
  for (const s of b.servers) {
    for (const c of s.clients) {
      if (c.kind === 'pooler' && c.pooler) lines.push(`  ${idOf('p', c.pooler)} -->|"${edgeLabel(c)}"| ${idOf('s', s.id)}`);
      else lines.push(`  ${service(c.name, num(c.instances))} -->|"${edgeLabel(c)}"| ${idOf('s', s.id)}`);
    }
  }
  const over = b.servers.filter((s) => s.status === 'over').map((s) => idOf('s', s.id)).concat(b.poolers.filter((p) => p.status === 'over').map((p) => idOf('p', p.id)));
  const warn = b.servers.filter((s) => s.status === 'warning').map((s) => idOf('s', s.id));
  if (over.length > 0) lines.push('  classDef over fill:#fdd,stroke:#c00,color:#600', `  class ${over.join(',')} over`);
  if (warn.length > 0) lines.push('  classDef warning fill:#ffd,stroke:#c90,color:#640', `  class ${warn.join(',')} warning`);
  lines.push('```');
  return neutraliseCommands(lines.join('\n') + '\n');
}
