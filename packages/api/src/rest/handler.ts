import { AppError } from "@bailey/core";
import type { Context } from "../context";
import { restErrorBody, toAppError } from "../errors";
import { appRouter, createCaller } from "../root";
import { parseJsonBody, readBodyBytes } from "./body";
import { uploadBuildContextRoute } from "./build-context-upload";
import { queryInput } from "./coerce-query";
import { matchOperation, restOperations, type RestOperation } from "./operations";

export interface RestHandlerOptions {
  /** Where the operations' paths start, e.g. "/api/v1". */
  basePath: string;
  /** Builds the procedures' context from the request (token or session, connections). */
  createContext: (request: Request) => Promise<Context>;
}

const operations = restOperations(appRouter);

const sendToken = () => new AppError("UNAUTHORIZED", "Send an API token: Authorization: Bearer bly_...");

/**
 * Whether `createRestHandler` has a procedure for this method and path (not a stream route, not
 * the build-context upload). False, never a throw, for a path it cannot even decode.
 */
export function isProcedureOperation(basePath: string, method: string, pathname: string): boolean {
  if (!pathname.startsWith(`${basePath}/`)) return false;
  const path = pathname.slice(basePath.length).replace(/\/+$/, "") || "/";
  if (path === "/build-contexts") return false;
  try {
    return matchOperation(operations, method, path).candidates.length > 0;
  } catch {
    return false;
  }
}

/** A REST answer before it is a Response: the web server's fast path writes it out as it is. */
export interface RestAnswer {
  status: number;
  headers: Record<string, string>;
  /** JSON text. */
  body: string;
}

const bigintAsString = (_key: string, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner);

/**
 * JSON with bigints as decimal strings (memory sizes, ids of 64-bit rows). Without a replacer
 * first: one makes stringify several times slower, and only answers holding a bigint need it.
 */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(value, bigintAsString);
  }
}

const jsonAnswer = (value: unknown, status = 200, headers: Record<string, string> = {}): RestAnswer => ({
  status,
  headers: { ...headers, "content-type": "application/json" },
  body: jsonText(value),
});

export const answerResponse = ({ status, headers, body }: RestAnswer): Response => new Response(body, { status, headers });

export function jsonResponse(value: unknown, status = 200): Response {
  return answerResponse(jsonAnswer(value, status));
}

const mediaType = (request: Request) => (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

/** Of the procedures at one method and path, the one that takes this body's content type. */
function pickByContentType(candidates: { operation: RestOperation; params: Record<string, string> }[], request: Request) {
  const type = mediaType(request);
  const text = candidates.find(({ operation }) => operation.meta.restTextBody?.contentTypes.includes(type));
  if (text) return text;
  const json = candidates.find(({ operation }) => !operation.meta.restTextBody);
  if (json && (type === "" || type === "application/json" || type.endsWith("+json"))) return json;
  const accepted = candidates.flatMap(({ operation }) => operation.meta.restTextBody?.contentTypes ?? ["application/json"]);
  throw new AppError("BAD_REQUEST", `Content-Type ${type} is not accepted here; send one of: ${accepted.join(", ")}.`);
}

async function inputOf(operation: RestOperation, request: Request, url: URL, params: Record<string, string>): Promise<unknown> {
  const fromQuery = queryInput(url.searchParams, operation.input);
  if (operation.method === "GET" || operation.method === "DELETE") return { ...fromQuery, ...params };
  const bytes = await readBodyBytes(request);
  const textField = operation.meta.restTextBody?.field;
  if (textField) return { [textField]: Buffer.from(bytes).toString("utf8") };
  const body = parseJsonBody(bytes);
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new AppError("BAD_REQUEST", "The body must be a JSON object.");
  // Query parameters still work on POSTs (e.g. /runs/{id}/stop?graceSeconds=5); the body wins.
  return { ...fromQuery, ...body, ...params };
}

/**
 * /api/v1: each operation is a tRPC procedure with `meta.openapi`, called with the same
 * context, middlewares (scope, role, tenancy), schemas and error mapping as /api/trpc.
 */
export function createRestHandler(options: RestHandlerOptions): (request: Request) => Promise<Response> {
  const answer = createRestAnswerer(options);
  return async (request) => answerResponse(await answer(request));
}

/** {@link createRestHandler}'s work, answering with a {@link RestAnswer} instead of a Response. */
export function createRestAnswerer({ basePath, createContext }: RestHandlerOptions) {
  return async (request: Request): Promise<RestAnswer> => {
    try {
      const url = new URL(request.url);
      const path = url.pathname.slice(basePath.length).replace(/\/+$/, "") || "/";
      // A file body, not JSON: its own handler (rest/uploads.ts lists it for the document).
      if (path === "/build-contexts" && request.method === "POST") {
        const { body, status } = await uploadBuildContextRoute(request, createContext);
        return jsonAnswer(body, status);
      }
      const { candidates, allowed } = matchOperation(operations, request.method, path);
      if (path === "/build-contexts") allowed.push("POST");
      if (candidates.length === 0) {
        if (allowed.length > 0)
          return jsonAnswer({ error: { code: "METHOD_NOT_ALLOWED", message: `${path} answers ${allowed.join(", ")}, not ${request.method}.` } }, 405, { allow: allowed.join(", ") });
        throw new AppError("NOT_FOUND", `There is no API operation ${request.method} ${basePath}${path}; the operations are listed in ${basePath}/openapi.json.`);
      }
      const { operation, params } = candidates.length === 1 ? (candidates[0] as (typeof candidates)[number]) : pickByContentType(candidates, request);
      // The dashboard reads with its session (GET only); changing anything needs an API token.
      const bearer = /^Bearer\s+\S+$/i.test(request.headers.get("authorization") ?? "");
      if (operation.meta.scope !== "public" && request.method !== "GET" && !bearer) throw sendToken();
      const input = await inputOf(operation, request, url, params);
      const ctx = await createContext(request);
      if (operation.meta.scope !== "public" && !ctx.token && !ctx.user) throw sendToken();
      const caller = createCaller(ctx) as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>;
      const [group, name] = operation.procedure.split(".") as [string, string];
      const output = await caller[group]![name]!(operation.input ? input : undefined);
      const created = operation.meta.restCreated === "always" || (operation.meta.restCreated === "unless-existing" && (output as { created?: boolean }).created === true);
      return jsonAnswer(output, created ? 201 : 200);
    } catch (error) {
      if (toAppError(error).code === "INTERNAL") console.error(`[api/v1] ${request.method} ${new URL(request.url).pathname} failed:`, error);
      const { status, headers, body } = restErrorBody(error);
      return jsonAnswer(body, status, headers);
    }
  };
}
