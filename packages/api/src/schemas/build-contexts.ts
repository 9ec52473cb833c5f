import { z } from "zod";
import { cuid, timestamp } from "./json-types";

export const buildContext = z.object({
  id: cuid,
  sha256: z.string().describe("The SHA-256 of the tar's bytes: name it in a run's build.context"),
  sizeBytes: z.number().int(),
  createdAt: timestamp,
});

export const buildContextsOutput = z.object({ buildContexts: z.array(buildContext) });

/** POST /build-contexts answers with the context and whether these bytes were new (201) or already there (200). */
export const uploadBuildContextOutput = z.object({ buildContext, created: z.boolean() });
