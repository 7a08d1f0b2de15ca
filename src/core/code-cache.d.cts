/** Types of code-cache.cjs (V8's code cache for a CommonJS file, shared by the CLI's loaders). */
/** `$TMPDIR/pgconn-lint-cache-<uid>`, made 0700; undefined when it is not ours alone. */
export declare function cacheDir(): string | undefined;
/** FNV-1a of `text`, every `step`th character after the first 4,096. */
export declare function fnv1a(text: string, step?: number): string;
/** Keeps at most 16 entries of each kind under `prefix`. */
export declare function prune(dir: string, prefix: string, kinds?: Record<string, string>): void;
/** `file` as `require(file)` gives it, compiled from V8's code cache when it can be. */
export declare function requireCached(file: string, prefix: string, plainRequire: NodeJS.Require): unknown;
