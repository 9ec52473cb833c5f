import { z } from "zod";
import { type HostPattern, HostPatternError, parseHostPattern } from "../host-pattern";

// Grants and egress policy as the run spec names them and as `run.create` carries their values.
// The agent's egress proxy parses the same shapes, so whatever the control plane accepts runs.

/** Parses one host pattern, or adds the parser's own message as a zod issue. */
function parsedPattern(source: string, context: z.RefinementCtx): HostPattern | typeof z.NEVER {
  try {
    return parseHostPattern(source);
  } catch (error) {
    context.addIssue({ code: "custom", message: error instanceof HostPatternError ? error.message : String(error) });
    return z.NEVER;
  }
}

/** A host pattern as written (`api.example.com`, `*.example.com`, `10.0.0.5`, `host:8443`), checked by the proxy's own parser. */
export const hostPatternSource = z
  .string()
  .max(260)
  .superRefine((source, context) => {
    parsedPattern(source, context);
  });

/** The same, parsed into what the proxy matches against. */
export const hostPattern = z.string().max(260).transform(parsedPattern);

/** A grant's name, as runs reference it: a letter or digit first, then letters, digits, `_`, `-` or `.` (up to 64). */
export const grantNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const grantName = z.string().regex(grantNamePattern, "must be a grant name: a letter or digit first, then letters, digits, _, - or . (up to 64)");

const headerNamePattern = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

/** How the proxy puts a grant's value into a request to one of its hosts. */
export const grantInjection = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("bearer") }).strict(),
    z.object({ kind: z.literal("header"), header: z.string().max(128).regex(headerNamePattern, { error: "inject.header must be an HTTP header name. Example: X-Api-Key" }) }).strict(),
    z
      .object({
        kind: z.literal("basic"),
        username: z
          .string()
          .max(256)
          .refine((name) => !name.includes(":") && !/[\r\n\0]/.test(name), { error: "inject.username cannot contain a colon (Basic auth splits on it) or a line break" }),
      })
      .strict(),
    z.object({ kind: z.literal("query"), param: z.string().min(1, { error: "inject.param must name a query parameter. Example: api_key" }).max(128) }).strict(),
  ],
  { error: 'inject.kind must be bearer, header, basic or query. Example: {"kind": "header", "header": "X-Api-Key"}' },
);
export type GrantInjection = z.infer<typeof grantInjection>;

// A header value cannot hold line breaks: one would let a secret smuggle headers of its own.
export const grantValue = z
  .string()
  .min(1, { error: "a grant's value is empty" })
  .max(64 * 1024)
  .refine((value) => !/[\r\n\0]/.test(value), { error: "a grant's value cannot contain CR, LF or NUL" });

/** A grant with its secret's value, as `run.create` carries it (never part of a spec). */
export const grantCredential = z
  .object({
    name: grantName,
    hosts: z.array(hostPatternSource).min(1).max(64),
    inject: grantInjection,
    value: grantValue,
  })
  .strict();
export type GrantCredential = z.infer<typeof grantCredential>;

/**
 * `open`: the run reaches the network as any container does (granted hosts still go through the
 * proxy when the run has grants). `strict`: the run network is internal and the egress proxy is
 * the only way out; it lets through granted hosts and `allow` only.
 */
export const egressPolicy = z.enum(["open", "strict"]);
export type EgressPolicy = z.infer<typeof egressPolicy>;

export const runNetwork = z
  .object({
    policy: egressPolicy.default("open"),
    allow: z.array(hostPatternSource).max(256).default([]),
  })
  .strict();
export type RunNetwork = z.infer<typeof runNetwork>;
