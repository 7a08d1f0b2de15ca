/**
 * Byte sizes as compose and Kubernetes read them.
 */

/**
 * Compose `mem_limit` / `deploy.resources.limits.memory`: compose-go reads them with
 * docker/go-units RAMInBytes (size.go): `<number>[ ]<k|m|g|t|p>[i][b]`, case-insensitive,
 * always binary (1m = 1 MiB), a bare number is bytes. Compose also accepts a YAML integer.
 */
export function parseComposeBytes(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[unit] ?? 1;
  return Math.floor(n * mult);
}

/**
 * Kubernetes resource.Quantity (apimachinery pkg/api/resource/quantity.go): a decimal number
 * with a binary suffix (Ki Mi Gi Ti Pi Ei), a decimal suffix (n u m k M G T P E) or an
 * exponent (`1e3`, `1E3`). Returns bytes (rounded up, as Quantity.Value() does).
 */
export function parseK8sQuantity(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  // `\d+(?:\.\d*)?`, not `\d+\.?\d*`: the same numbers, without a quadratic backtrack over long digit runs.
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const s = m[2] ?? '';
  const table: Record<string, number> = {
    '': 1,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
  };
  const mult = /^[eE]/.test(s) ? 10 ** Number(s.slice(1)) : table[s];
  if (mult === undefined) return undefined;
  const v = n * mult;
  return Number.isFinite(v) ? Math.ceil(v - 1e-9) : undefined;
}
