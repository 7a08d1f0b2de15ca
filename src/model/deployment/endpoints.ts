/**
 * Which server or pooler a host:port reaches. Compose service names resolve only inside their
 * own compose file (compose's default network); Kubernetes Service names resolve as the cluster
 * DNS does: `name` inside the namespace, `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local`
 * (kubernetes.io/docs/concepts/services-networking/dns-pod-service/).
 */

export interface EndpointScope {
  /** Compose file (absolute) for compose service names. */
  composeFile?: string;
  /** Kubernetes namespace (`default` when the manifest names none). */
  namespace?: string;
}

export interface EndpointEntry {
  host: string;
  port: number;
  target: { kind: 'server' | 'pooler'; id: string };
  /** Why this name reaches the node: "compose service db", "Service app-db (selector app=db)". */
  how: string;
  scope?: EndpointScope;
  /** The name is a Kubernetes Service (DNS variants apply). */
  k8sService?: boolean;
  /** A port compose publishes on the machine that runs it (localhost there, never inside a Kubernetes pod). */
  published?: boolean;
}

export interface EndpointMatch {
  entry: EndpointEntry;
  /** Set when the host matched but the port did not. */
  portMismatch?: { wanted: number; listens: number };
}

const LOCAL = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0']);

export function isLocalHost(host: string): boolean {
  return LOCAL.has(host.toLowerCase()) || host.startsWith('/');
}

export class EndpointIndex {
  readonly entries: EndpointEntry[] = [];

  add(entry: EndpointEntry): void {
    const host = entry.host.toLowerCase();
    if (this.entries.some((e) => e.host === host && e.port === entry.port && e.target.id === entry.target.id && sameScope(e.scope, entry.scope))) return;
    this.entries.push({ ...entry, host });
  }

  /** The node a client in `from` reaches at host:port, if the name is known. */
  find(host: string, port: number, from: EndpointScope = {}): EndpointMatch | undefined {
    const h = host.toLowerCase().replace(/\.$/, '');
    const candidates = this.entries.filter((e) => nameMatches(e, h, from));
    if (candidates.length === 0) return undefined;
    const exact = candidates.filter((e) => e.port === port);
    if (exact.length > 0) return { entry: best(exact, from) };
    const any = best(candidates, from);
    return { entry: any, portMismatch: { wanted: port, listens: any.port } };
  }
}

function sameScope(a: EndpointScope | undefined, b: EndpointScope | undefined): boolean {
  return a?.composeFile === b?.composeFile && a?.namespace === b?.namespace;
}

/** Prefer a name in the client's own compose file or namespace. */
function best(list: EndpointEntry[], from: EndpointScope): EndpointEntry {
  return (
    list.find((e) => e.scope?.composeFile !== undefined && e.scope.composeFile === from.composeFile) ??
    list.find((e) => e.scope?.namespace !== undefined && e.scope.namespace === from.namespace) ??
    list[0]!
  );
}

function nameMatches(e: EndpointEntry, host: string, from: EndpointScope): boolean {
  if (e.k8sService) {
    const ns = e.scope?.namespace ?? 'default';
    const name = e.host;
    if (host === name) return from.namespace === undefined || from.namespace === ns;
    return host === `${name}.${ns}` || host === `${name}.${ns}.svc` || host === `${name}.${ns}.svc.cluster.local`;
  }
  if (e.host !== host) return false;
  // A compose service name resolves only on the compose project's network.
  if (e.scope?.composeFile !== undefined && !LOCAL.has(host)) return from.composeFile === undefined || from.composeFile === e.scope.composeFile;
  // Inside a Kubernetes pod, localhost is the pod: never a port compose publishes on a developer's machine.
  if (e.published && from.namespace !== undefined) return false;
  return true;
}
