import type { AnyProcedure, AnyRouter } from "@trpc/server";
import type { z } from "zod";
import type { ProcedureMeta } from "../trpc";

export type RestMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/** One REST operation: a procedure of the router that declares `meta.openapi`. */
export interface RestOperation {
  /** The procedure's dotted tRPC path, e.g. "runs.get". */
  procedure: string;
  method: RestMethod;
  /** The OpenAPI path under /api/v1, e.g. "/runs/{id}". */
  path: string;
  pattern: RegExp;
  params: string[];
  meta: ProcedureMeta;
  input: z.ZodType | undefined;
}

/** Every REST operation the router declares, in router order. */
export function restOperations(router: AnyRouter): RestOperation[] {
  const procedures = router._def.procedures as Record<string, AnyProcedure>;
  return Object.entries(procedures).flatMap(([procedure, definition]) => {
    const meta = definition._def.meta as ProcedureMeta | undefined;
    if (!meta?.openapi) return [];
    const { path, method } = meta.openapi;
    const params = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
    const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}/g, "([^/]+)")}$`);
    const inputs = (definition._def as unknown as { inputs?: z.ZodType[] }).inputs ?? [];
    return [{ procedure, method, path, pattern, params, meta, input: inputs[0] }];
  });
}

/** The operations at a path: which procedure answers, and which methods the path has. */
export function matchOperation(operations: readonly RestOperation[], method: string, path: string) {
  const atPath = operations.flatMap((operation) => {
    const match = operation.pattern.exec(path);
    if (!match) return [];
    const params = Object.fromEntries(operation.params.map((name, index) => [name, decodeURIComponent(match[index + 1] as string)]));
    return [{ operation, params }];
  });
  // A literal segment beats a parameter: /hosts/enrollments is not the host "enrollments".
  const fewestParams = Math.min(...atPath.map(({ operation }) => operation.params.length));
  const specific = atPath.filter(({ operation }) => operation.params.length === fewestParams);
  return { candidates: specific.filter(({ operation }) => operation.method === method), allowed: [...new Set(specific.map(({ operation }) => operation.method))] };
}
