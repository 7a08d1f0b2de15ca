/** JSON with Maps expanded, so a secret kept in a Map value would show. */
export function deepJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x instanceof Map ? [...x.entries()] : x));
}
