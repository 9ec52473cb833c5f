import { z } from "zod";
import { RunState } from "@bailey/db";

export const listRunsInput = z
  .object({
    state: z.enum(RunState).optional(),
    /** A host id. */
    host: z.string().min(1).max(64).optional(),
    /** The user id of the run's creator. */
    creator: z.string().min(1).max(64).optional(),
    /** Matches the run's id, name or image. */
    q: z.string().trim().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(200).default(50),
    /** The previous page's nextCursor; an infinite query asks for its first page with null. */
    cursor: z.string().min(1).max(200).nullish(),
    // Sent by @trpc/tanstack-react-query's infinite queries; pages only go forward here.
    direction: z.enum(["forward", "backward"]).optional(),
  })
  .strict()
  .default({ limit: 50 });

export type ListRunsInput = z.input<typeof listRunsInput>;
