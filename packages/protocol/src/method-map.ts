import type { z } from "zod";
import { agentMethods } from "./methods/agent";
import { eventMethods } from "./methods/events";
import { hostMethods } from "./methods/host";
import { runMethods } from "./methods/run";

export const methods = { ...agentMethods, ...runMethods, ...hostMethods, ...eventMethods } as const;

export type MethodName = keyof typeof methods;
export type ParamsInput<M extends MethodName> = z.input<(typeof methods)[M]["params"]>;
export type Params<M extends MethodName> = z.output<(typeof methods)[M]["params"]>;
export type Result<M extends MethodName> = z.output<(typeof methods)[M]["result"]>;

export function isMethodName(value: string): value is MethodName {
  return Object.hasOwn(methods, value);
}
