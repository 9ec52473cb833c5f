import { z } from "zod";

export const runStates = ["queued", "scheduled", "provisioning", "running", "stopping", "succeeded", "failed", "cancelled", "lost"] as const;

export const listRunsInput = z
  .object({
    state: z.enum(runStates).optional(),
    limit: z.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict()
  .default({ limit: 50 });
