/**
 * Files that say how code is run (issue 15: serverless is a property of how the code runs, not of a
 * route file): a hosting platform's config file, and a Next.js config's `output`. Pure text → facts.
 * vercel.json and serverless.yml are read by `sources/serverless/` (their functions feed the budget).
 */
import { rangeOnLine, type SourceRange } from '../../core/location.js';

export type PlatformName = 'netlify' | 'cloudflare' | 'sst' | 'open-next' | 'heroku' | 'fly' | 'render';

/** A hosting platform's config file, present in a directory. */
export interface PlatformFileFacts {
  file: string;
  platform: PlatformName;
  /** How the platform runs a server app: as functions (one instance per concurrent request) or as long-running processes. */
  runtime: 'serverless' | 'long-running';
  /** Why the file tells how code runs: "Netlify runs server code as functions". */
  what: string;
  range: SourceRange;
}

/**
 * Config files by name, and how each platform runs server code:
 * - Netlify runs Next.js server code and functions as functions (https://docs.netlify.com/frameworks/next-js/overview/);
 * - Cloudflare Workers (wrangler.toml / wrangler.json / wrangler.jsonc): isolates per request (https://developers.cloudflare.com/workers/wrangler/configuration/);
 * - SST (sst.config.ts) deploys Next.js with OpenNext to AWS Lambda (https://sst.dev/docs/component/aws/nextjs/);
 * - OpenNext (open-next.config.ts): Next.js on Lambda or Workers (https://opennext.js.org/);
 * - Heroku (Procfile) runs dynos, Fly.io (fly.toml) machines, Render (render.yaml) services: long-running processes.
 */
const PLATFORM_FILES: Array<{ name: RegExp; platform: PlatformName; runtime: PlatformFileFacts['runtime']; what: string }> = [
  { name: /^netlify\.toml$/, platform: 'netlify', runtime: 'serverless', what: 'Netlify runs server code as functions' },
  { name: /^wrangler\.(toml|json|jsonc)$/, platform: 'cloudflare', runtime: 'serverless', what: 'Cloudflare Workers run server code per request' },
  { name: /^sst\.config\.[cm]?[jt]s$/, platform: 'sst', runtime: 'serverless', what: 'SST deploys server code to AWS Lambda' },
  { name: /^open-next\.config\.[cm]?[jt]s$/, platform: 'open-next', runtime: 'serverless', what: 'OpenNext deploys Next.js as functions' },
  { name: /^Procfile$/, platform: 'heroku', runtime: 'long-running', what: 'a Procfile runs long-running processes (Heroku, Dokku)' },
  { name: /^fly\.toml$/, platform: 'fly', runtime: 'long-running', what: 'Fly.io runs long-running machines' },
  { name: /^render\.ya?ml$/, platform: 'render', runtime: 'long-running', what: 'Render runs long-running services' },
];

/** Is this file name a platform config file? (discovery: every one is read as such). */
export function isPlatformFileName(name: string): boolean {
  return PLATFORM_FILES.some((p) => p.name.test(name));
}

/** A platform config file's facts; only its presence and name count, so its text is not needed. */
export function platformFile(file: string): PlatformFileFacts | undefined {
  const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const p = PLATFORM_FILES.find((x) => x.name.test(name));
  return p ? { file, platform: p.platform, runtime: p.runtime, what: p.what, range: rangeOnLine(file, 1, 1, 0) } : undefined;
}

