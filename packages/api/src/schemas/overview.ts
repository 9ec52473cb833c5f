import { z } from "zod";
import { maxOverviewHours } from "@bailey/core";
import { cuid, timestamp } from "./json-types";

export const overviewInput = z
  .object({
    /** How many hours back, the hour in progress included. */
    hours: z.number().int().min(1).max(maxOverviewHours).default(24).describe(`Hours to look back, the hour in progress included (1 to ${maxOverviewHours})`),
  })
  .strict()
  .default({ hours: 24 });

const count = z.number().int().min(0);
const milliseconds = z.number().int().nullable();

export const overviewOutput = z.object({
  hours: z.number().int(),
  from: timestamp.describe("The start of the first hour"),
  to: timestamp.describe("When the overview was taken: the end of the last, partial hour"),
  totals: z.object({ runs: count, failed: count.describe("failed, timed_out or lost"), succeeded: count, queuedNow: count }),
  runsPerHour: z
    .array(z.object({ hour: timestamp, total: count, succeeded: count, failed: count, timed_out: count, lost: count, cancelled: count, unfinished: count }))
    .describe("Runs created in each hour, by the state they ended in (unfinished: not over yet)"),
  queueDepth: z.array(z.object({ at: timestamp, queued: count })).describe("Runs created and neither started nor ended, at the end of each hour"),
  startLatency: z.object({
    hours: z.array(z.object({ hour: timestamp, started: count, p50Ms: milliseconds, p90Ms: milliseconds })).describe("createdAt → startedAt of the runs created in each hour that started"),
    overall: z.object({ started: count, p50Ms: milliseconds, p90Ms: milliseconds }),
  }),
  failuresByHost: z
    .array(z.object({ hostId: cuid.nullable(), hostName: z.string().nullable(), failed: count, total: count }))
    .describe("Runs created in the window per host; hostId null: runs no host took"),
  hosts: z
    .array(
      z.object({
        hostId: cuid,
        name: z.string(),
        status: z.string(),
        capacity: count,
        active: count,
        utilisation: z.number().min(0).describe("active / capacity now"),
        hourly: z.array(z.number().min(0).nullable()).describe("Mean active / capacity per hour, null where the host sent no sample"),
      }),
    )
    .describe("Each host's load now and per hour"),
});
