// The environment the runtime package reads: the only module of it that touches process.env.

/** Where image builds go (BUILDKIT_HOST) and whether BuildKit is off (BAILEY_DISABLE_BUILDKIT=1). */
export function buildEnvironmentFromProcess(): { buildkitHost: string | undefined; buildkitDisabled: boolean } {
  return { buildkitHost: process.env.BUILDKIT_HOST || undefined, buildkitDisabled: process.env.BAILEY_DISABLE_BUILDKIT === "1" };
}

/** What runtime detection looks at: DOCKER_HOST, XDG_RUNTIME_DIR. */
export const processEnvironment = (): NodeJS.ProcessEnv => process.env;
