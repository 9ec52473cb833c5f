import { imageReference, poolSpec } from "@bailey/protocol";
import { z } from "zod";
import { AppError } from "../errors";

export const maxPoolSize = 50;
export const poolSandboxes = ["gvisor", "none"] as const;
export type PoolSandbox = (typeof poolSandboxes)[number];

/** The resources a pool's containers are started with: the run spec's, without its timeout (a run's own, per exec). */
export interface PoolResources {
  cpus?: number;
  memoryBytes?: number;
  pids?: number;
}

const resourcesSchema = poolSpec.shape.resources;
const idleCommandSchema = poolSpec.shape.idleCommand.unwrap();

export function parsePoolSize(input: unknown): number {
  if (typeof input !== "number" || !Number.isInteger(input) || input < 0 || input > maxPoolSize)
    throw new AppError("BAD_REQUEST", `A pool's size is how many idle containers the host keeps ready: a whole number from 0 to ${maxPoolSize} (got ${JSON.stringify(input)?.slice(0, 40)}).`, {
      fields: [{ field: "size", message: `must be a whole number from 0 to ${maxPoolSize}` }],
    });
  return input;
}

export function parsePoolImage(input: unknown): string {
  const image = typeof input === "string" ? input.trim() : "";
  if (!image) throw new AppError("BAD_REQUEST", "Name the pool's image, as a run names it (e.g. busybox:1.36 or ghcr.io/org/agent:1.2).", { fields: [{ field: "image", message: "required" }] });
  if (!imageReference.safeParse(image).success)
    throw new AppError("BAD_REQUEST", `"${image.slice(0, 80)}" is not an image reference; use one such as busybox, ghcr.io/org/app:1.2 or app@sha256:<digest>.`, {
      fields: [{ field: "image", message: "must be an image reference" }],
    });
  return image;
}

export function parsePoolSandbox(input: unknown): PoolSandbox {
  if (input === undefined) return "gvisor";
  if (input === "gvisor" || input === "none") return input;
  throw new AppError("BAD_REQUEST", `A pool's sandbox is "gvisor" or "none", as a run's (got ${JSON.stringify(input)?.slice(0, 40)}).`, {
    fields: [{ field: "sandbox", message: 'must be "gvisor" or "none"' }],
  });
}

export function parsePoolResources(input: unknown): PoolResources {
  if (input === undefined || input === null) return {};
  if (typeof input === "object" && "timeoutSeconds" in input)
    throw new AppError("BAD_REQUEST", "A pool has no timeout: each run's own timeout applies to it. Remove resources.timeoutSeconds.", {
      fields: [{ field: "resources.timeoutSeconds", message: "not for pools" }],
    });
  const parsed = resourcesSchema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => ({ field: ["resources", ...issue.path.map(String)].join("."), message: issue.message }));
    throw new AppError("BAD_REQUEST", `Correct the pool's resources (the same cpus, memoryBytes and pids a run spec takes): ${fields.map((field) => `${field.field}: ${field.message}`).join("; ")}`, {
      fields,
    });
  }
  return stripUndefined(parsed.data);
}

/** Absent or empty means the agent's launcher (the image's /bin/sh waiting for the run's command). */
export function parseIdleCommand(input: unknown): string[] {
  if (input === undefined || input === null) return [];
  if (Array.isArray(input) && input.length === 0) return [];
  const parsed = z.array(z.string()).pipe(idleCommandSchema).safeParse(input);
  if (!parsed.success)
    throw new AppError(
      "BAD_REQUEST",
      "A pool's idleCommand is what its idle containers run until claimed: 1 to 64 non-empty arguments, e.g. [\"sleep\", \"infinity\"]; leave it out for Bailey's launcher (the image's /bin/sh waits for the run's command: the fastest start).",
      {
        fields: [{ field: "idleCommand", message: parsed.error.issues[0]?.message ?? "invalid" }],
      },
    );
  return parsed.data;
}

function stripUndefined(resources: PoolResources): PoolResources {
  return Object.fromEntries(Object.entries(resources).filter(([, value]) => value !== undefined)) as PoolResources;
}

/** Two resource sets ask for the same containers. */
export function sameResources(a: PoolResources, b: PoolResources): boolean {
  return a.cpus === b.cpus && a.memoryBytes === b.memoryBytes && a.pids === b.pids;
}
