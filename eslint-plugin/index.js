// The plugin lives in pgconn-lint itself (one copy of every rule): this package only gives it
// the name ESLint users expect. See docs/decisions.md (ESLint plugin packaging).
export { default } from 'pgconn-lint/eslint-plugin';
