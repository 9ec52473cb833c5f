import type { TRPCDefaultErrorShape, TRPCError } from "@trpc/server";
import { z, ZodError } from "zod";
import { AppError } from "@bailey/core";
import { fieldErrorsOf, internalErrorMessage } from "./errors";

/**
 * Bad input reads as a sentence per field ("✖ Too big: expected number to be <=200
 * → at limit") instead of a JSON dump, and the field errors travel alongside for forms.
 */
export function formatError({ shape, error }: { shape: TRPCDefaultErrorShape; error: TRPCError }) {
  // An unanticipated failure (a driver error, an output that broke its schema) is logged by the
  // route; the client gets one sentence, never the driver's text or a stack.
  const unanticipated = error.code === "INTERNAL_SERVER_ERROR" && !(error.cause instanceof AppError);
  const zodError = error.code === "BAD_REQUEST" && error.cause instanceof ZodError ? error.cause : null;
  const { stack: _stack, ...data } = shape.data;
  return {
    ...shape,
    message: unanticipated ? internalErrorMessage : zodError ? `Invalid input:\n${z.prettifyError(zodError)}` : shape.message,
    data: {
      ...(unanticipated ? data : shape.data),
      fieldErrors: zodError ? z.flattenError(zodError).fieldErrors : null,
      // Domain validation (run specs, hosts): [{ field: "resources.memory", message }], for forms.
      // Input schemas (a run spec, for one) give the same shape from zod's issues.
      fields: zodError
        ? fieldErrorsOf(zodError)
        : error.cause instanceof AppError && Array.isArray(error.cause.details?.fields)
          ? (error.cause.details.fields as { field: string; message: string }[])
          : null,
    },
  };
}
