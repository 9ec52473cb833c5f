import { z } from "zod";
import { runId } from "./run";

export const removedResource = z.object({
  kind: z.enum(["container", "network"]),
  id: z.string(),
  name: z.string(),
  runId: z.string().nullable(),
});

export const hostMethods = {
  "host.reconcile": {
    params: z.object({ ownedRunIds: z.array(runId).max(100_000) }).strict(),
    result: z.object({ removed: z.array(removedResource) }),
  },
} as const;
