import { z } from "zod";
import { cuid, timestamp } from "./json-types";

/** One image a host's engine has, as its agent listed it. */
export const cachedImage = z.object({
  id: z.string(),
  /** repo:tag names. */
  tags: z.array(z.string()),
  /** repo@sha256:… names: the registry digests it was pulled by. */
  digests: z.array(z.string()),
  sizeBytes: z.number(),
  createdAt: z.string().nullable(),
});

/** The pull of a run's image: bytes done of total (0 while the registry has not said), and how it ended. */
export const pullProgress = z.object({
  image: z.string(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  cached: z.boolean().optional(),
});

export const imagePullState = z.enum(["pending", "pulling", "done", "failed"]);

/** An admin's request that a host pull an image ahead of runs. */
export const imagePull = z.object({
  id: cuid,
  hostId: cuid,
  image: z.string(),
  state: imagePullState,
  digest: z.string().nullable(),
  error: z.string().nullable(),
  requestedById: z.string().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});

export const imagePullsOutput = z.object({ pulls: z.array(imagePull) });
