import { z } from "zod";

// How values that JSON has no type for travel over REST (JSON.stringify of the output).

/** A Date: an ISO 8601 string over REST, a Date over tRPC (superjson). */
export const timestamp = z.date().meta({ override: { type: "string", format: "date-time" } });

/** A 64-bit integer (memory sizes, sequence cursors): a decimal string over REST. */
export const int64 = z.bigint().meta({ override: { type: "string", pattern: "^-?[0-9]+$" } });

/** Any JSON value, as stored (a run's spec, an audit event's data). */
export const jsonValue = z.unknown();

export const cuid = z.string().min(1).max(64);
