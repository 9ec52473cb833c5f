export type Builder = "buildkit-endpoint" | "engine-buildkit" | "legacy";

export interface BuildPlanInput {
  /** The run's sidecar or the caller's explicit endpoint. */
  buildkitHost?: string;
  /** BUILDKIT_HOST from the agent's environment. */
  environmentBuildkitHost?: string;
  /** BAILEY_DISABLE_BUILDKIT=1 */
  buildkitDisabled: boolean;
  /** Whether `buildctl` is installed to talk to an endpoint. */
  buildctlAvailable: boolean;
}

export interface BuildStep {
  builder: Builder;
  endpoint?: string;
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
  if (input.buildkitDisabled) {
    reasons.push("BAILEY_DISABLE_BUILDKIT=1: using the legacy builder");
    return { steps: [{ builder: "legacy" }], reasons };
  }
  if (endpoint && input.buildctlAvailable) {
    steps.push({ builder: "buildkit-endpoint", endpoint });
  } else if (endpoint) {
    reasons.push(`BuildKit endpoint ${endpoint} given but buildctl is not installed on this host: falling back to the engine's BuildKit`);
  } else {
    reasons.push("no BuildKit endpoint (no sidecar, BUILDKIT_HOST unset): using the engine's BuildKit");
  }
  steps.push({ builder: "engine-buildkit" });
  return { steps, reasons };
}
