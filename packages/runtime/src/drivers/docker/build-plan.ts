export type Builder = "buildkit-endpoint" | "engine-buildkit" | "legacy" | "buildah";

export interface BuildPlanInput {
  /** The run's sidecar or the caller's explicit endpoint. */
  buildkitHost?: string;
  /** BUILDKIT_HOST from the agent's environment. */
  environmentBuildkitHost?: string;
  /** BAILEY_DISABLE_BUILDKIT=1 */
  buildkitDisabled: boolean;
  /** Whether `buildctl` is installed to talk to an endpoint. */
  buildctlAvailable: boolean;
  /** Podman builds with buildah behind its compat API, which has no BuildKit session. */
  engine?: "docker" | "podman";
}

export interface BuildStep {
  builder: Builder;
  endpoint?: string;
  /** Why this builder is tried, for the run's events. */
  reason: string;
}

export interface BuildPlan {
  steps: BuildStep[];
  /** Why each skipped builder was skipped, for the log. */
  reasons: string[];
}

/**
 * The fallback chain: a BuildKit endpoint when one is given, else the engine's own
 * BuildKit, else — only when BuildKit is switched off — the legacy builder.
 */
export function planBuild(input: BuildPlanInput): BuildPlan {
  const reasons: string[] = [];
  const steps: BuildStep[] = [];
  const endpoint = input.buildkitHost ?? input.environmentBuildkitHost;
  if (input.engine === "podman") {
    // buildctl's result is loaded with `docker load`, which a Podman host does not have.
    const reason = `Podman builds with buildah (its compat build API)${endpoint ? `; the BuildKit endpoint ${endpoint} is not used on Podman` : ""}`;
    reasons.push(reason);
    return { steps: [{ builder: "buildah", reason }], reasons };
  }
  if (input.buildkitDisabled) {
    const reason = "BAILEY_DISABLE_BUILDKIT=1: using the legacy builder";
    reasons.push(reason);
    return { steps: [{ builder: "legacy", reason }], reasons };
  }
  if (endpoint && input.buildctlAvailable) {
    steps.push({ builder: "buildkit-endpoint", endpoint, reason: `BuildKit endpoint ${endpoint} (${input.buildkitHost ? "the run's" : "BUILDKIT_HOST"})` });
    steps.push({ builder: "engine-buildkit", reason: `the BuildKit endpoint ${endpoint} failed: falling back to the engine's BuildKit` });
    return { steps, reasons };
  }
  const reason = endpoint
    ? `BuildKit endpoint ${endpoint} given but buildctl is not installed on this host: falling back to the engine's BuildKit`
    : "no BuildKit endpoint (no sidecar, BUILDKIT_HOST unset): using the engine's BuildKit";
  reasons.push(reason);
  steps.push({ builder: "engine-buildkit", reason });
  return { steps, reasons };
}
