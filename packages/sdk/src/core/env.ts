/**
 * Release and environment detection (seed 001). Reads `process.env` when there is one, without
 * importing anything, so this also runs in browsers, where build tools may define the variables
 * or the page may set `globalThis.PROLIFERATE_RELEASE`.
 */

/** Checked in order; the first that is set is the release. Listed in docs/sdk/javascript.md. */
export const RELEASE_VARIABLES = [
  'PROLIFERATE_RELEASE',
  'SENTRY_RELEASE',
  'GITHUB_SHA', // GitHub Actions
  'CI_COMMIT_SHA', // GitLab CI
  'VERCEL_GIT_COMMIT_SHA', // Vercel
  'CF_PAGES_COMMIT_SHA', // Cloudflare Pages
  'COMMIT_REF', // Netlify
  'RENDER_GIT_COMMIT', // Render
  'RAILWAY_GIT_COMMIT_SHA', // Railway
  'HEROKU_SLUG_COMMIT', // Heroku (dyno metadata)
  'SOURCE_VERSION', // Heroku builds
  'CODEBUILD_RESOLVED_SOURCE_VERSION', // AWS CodeBuild
  'AWS_COMMIT_ID', // AWS Amplify
  'CIRCLE_SHA1', // CircleCI
  'TRAVIS_COMMIT', // Travis CI
  'BITBUCKET_COMMIT', // Bitbucket Pipelines
  'BUILDKITE_COMMIT', // Buildkite
  'DRONE_COMMIT_SHA', // Drone
  'SEMAPHORE_GIT_SHA', // Semaphore
  'APPVEYOR_REPO_COMMIT', // AppVeyor
  'BUILD_SOURCEVERSION', // Azure Pipelines
  'GIT_COMMIT', // Jenkins
  'K_REVISION', // Google Cloud Run
  'FLY_IMAGE_REF', // Fly.io
] as const;

export const ENVIRONMENT_VARIABLES = ['PROLIFERATE_ENVIRONMENT', 'SENTRY_ENVIRONMENT', 'NODE_ENV', 'ENVIRONMENT', 'ENV'] as const;

export const DEFAULT_ENVIRONMENT = 'production';

function readEnv(name: string): string | undefined {
  try {
    const fromGlobal = (globalThis as Record<string, unknown>)[name];
    if (typeof fromGlobal === 'string' && fromGlobal) return fromGlobal;
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    const value = env?.[name];
    return value ? value : undefined;
  } catch {
    return undefined;
  }
}

export function detectRelease(): string | undefined {
  for (const name of RELEASE_VARIABLES) {
    const value = readEnv(name);
    if (value) return value.trim();
  }
  return undefined;
}

export function detectEnvironment(): string {
  for (const name of ENVIRONMENT_VARIABLES) {
    const value = readEnv(name);
    if (value) return value.trim();
  }
  return DEFAULT_ENVIRONMENT;
}
