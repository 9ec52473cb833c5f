import type { z } from "zod";
import { agentMethods } from "./methods/agent";
import { eventMethods } from "./methods/events";
import { execMethods } from "./methods/exec";
import { hostMethods } from "./methods/host";
import { buildMethods } from "./methods/build";
import { imageMethods } from "./methods/image";
import { poolMethods } from "./methods/pool";
import { resultMethods } from "./methods/results";
import { runMethods } from "./methods/run";

/** Every method: its params and result as zod schemas. The single source of both sides' types. */
export const methods = { ...agentMethods, ...runMethods, ...hostMethods, ...imageMethods, ...buildMethods, ...resultMethods, ...execMethods, ...eventMethods, ...poolMethods } as const;

export type MethodName = keyof typeof methods;
/** What a caller passes (defaults may be omitted). */
export type ParamsInput<M extends MethodName> = z.input<(typeof methods)[M]["params"]>;
/** What a handler receives (validated, defaults applied). */
export type Params<M extends MethodName> = z.output<(typeof methods)[M]["params"]>;
export type Result<M extends MethodName> = z.output<(typeof methods)[M]["result"]>;

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(value: string): value is MethodName {
  return Object.hasOwn(methods, value);
}
