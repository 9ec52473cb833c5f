"use client";

/** One build.* event of the run, as runs.get returns it. */
export interface BuildStep {
  seq: number;
  type: "build.started" | "build.builder" | "build.finished" | "build.failed";
  at: Date;
  builder: string | null;
  reason: string | null;
  durationMs: number | null;
  message: string | null;
}

const builderNames: Record<string, string> = {
  "buildkit-endpoint": "a BuildKit endpoint",
  "engine-buildkit": "engine BuildKit",
  legacy: "the legacy builder",
  buildah: "Buildah (Podman)",
};

const builderName = (builder: string | null) => (builder ? (builderNames[builder] ?? builder) : "an unknown builder");

function describe(step: BuildStep): { label: string; detail: string } {
  switch (step.type) {
    case "build.started":
      return { label: "building", detail: "the image from its Dockerfile" };
    case "build.builder":
      return { label: "builder", detail: `${builderName(step.builder)}${step.reason ? `: ${step.reason}` : ""}` };
    case "build.finished":
      return { label: "built", detail: `Built with ${builderName(step.builder)} in ${((step.durationMs ?? 0) / 1000).toFixed(1)} s` };
    case "build.failed":
      return { label: "build failed", detail: step.message ?? "the build failed" };
  }
}

/** One build step of a run whose image its host built (spec.build), as a line of the run's timeline: a builder tried and why, or the outcome. */
export function RunBuildStep({ step }: { step: BuildStep }) {
  const { label, detail } = describe(step);
  const failed = step.type === "build.failed";
  return (
    <li className="flex gap-3" data-type={step.type}>
      <time className="w-44 shrink-0 text-zinc-500 dark:text-zinc-400" dateTime={step.at.toISOString()}>
        {step.at.toLocaleString()}
      </time>
      <span className={`shrink-0 font-medium ${failed ? "text-red-700 dark:text-red-300" : ""}`}>{label}</span>
      {failed ? (
        <pre className="min-w-0 overflow-auto whitespace-pre-wrap break-all font-mono text-xs text-red-700 dark:text-red-300">{detail}</pre>
      ) : (
        <span className="min-w-0 break-words text-zinc-500 dark:text-zinc-400">{detail}</span>
      )}
    </li>
  );
}
