/** Deployment-file extractors: one entry point per kind. */
export { classifyYamlFile, isComposeName } from './classify.js';
export { extractCompose } from './compose.js';
export { extractKubernetes, surgePods } from './kubernetes.js';
export { mapEmbeddedRange } from './located.js';
export { interpolate, type InterpolationResult } from './interpolate.js';
export { extractPm2, type ExtractPm2Options } from '../pm2/extract.js';
export { extractServerless } from '../serverless/extract.js';
export type * from './types.js';
