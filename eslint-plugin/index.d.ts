export { default } from 'pgconn-lint/eslint-plugin';
