export { parseDotenv, dotenvValues } from './parse.js';
export { expandDotenv, type ExpandDotenvOptions } from './expand.js';
export { classifyEnvFile, envFileEnvironment, loadEnvFiles } from './files.js';
export type * from './types.js';
