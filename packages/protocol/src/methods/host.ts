import { z } from "zod";
import { runId } from "./run";

export const removedResource = z.object({
  // tmpfs: a run's directory of secret files on the host's /dev/shm.
  kind: z.enum(["container", "network", "tmpfs"]),
  id: z.string(),
  name: z.string(),
  runId: z.string().nullable(),
});

export const hostMethods = {
  "host.reconcile": {
    params: z
      .object({
        ownedRunIds: z.array(runId).max(100_000),
        // Reports what would be removed, removing nothing: the control plane checks those runs
        // against Postgres first. An agent from before this refuses the param (invalid params).
        dryRun: z.boolean().optional(),
        // Removes only resources of these runs (never an unlabelled one), so a run created
        // between the dry run and this call is never swept up.
        removeOnly: z.array(runId).max(100_000).optional(),
      })
      .strict(),
    result: z.object({ removed: z.array(removedResource) }),
  },
} as const;
