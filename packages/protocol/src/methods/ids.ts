import { z } from "zod";

/** Run IDs become container and network names, so they are restricted to what those allow. */
export const runId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit");
