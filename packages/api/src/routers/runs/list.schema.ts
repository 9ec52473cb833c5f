import { z } from "zod";
import { RunState } from "@bailey/db";

export const listRunsInput = z
  .object({
    state: z.enum(RunState).optional(),
    limit: z.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict()
  .default({ limit: 50 });

export type ListRunsInput = z.input<typeof listRunsInput>;
