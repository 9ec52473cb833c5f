import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { PrismaClient } from "@bailey/db";
import { appRouter } from "../src";
import { formatError } from "../src/error-formatter";
import { listRunsInput } from "../src/routers/runs/list.schema";

interface ErrorBody {
  error: { json: { message: string; data: { code: string; httpStatus: number; fieldErrors: Record<string, string[]> | null } } };
}

// Errors as the dashboard's client receives them over HTTP. Neither case reaches the database.
async function get(path: string, input: unknown, user: { id: string; email: string } | null, prisma = {} as PrismaClient) {
  const url = `http://localhost/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(url),
    router: appRouter,
    createContext: () => ({ prisma, user }),
  });
  return { status: response.status, body: (await response.json()) as ErrorBody };
}

describe("errors over HTTP", () => {
  it("answers 401 to an anonymous caller", async () => {
    const { status, body } = await get("runs.list", {}, null);
    assert.equal(status, 401);
    assert.equal(body.error.json.data.code, "UNAUTHORIZED");
    assert.equal(body.error.json.data.fieldErrors, null);
  });

  it("describes bad input field by field, not as a JSON dump", () => {
    const parsed = listRunsInput.safeParse({ limit: 5000, state: "exploded" });
    assert.ok(!parsed.success);
    const error = new TRPCError({ code: "BAD_REQUEST", cause: parsed.error });
    const shape = { message: JSON.stringify(parsed.error.issues), code: -32600 as const, data: { code: "BAD_REQUEST" as const, httpStatus: 400 } };
    const formatted = formatError({ shape, error });
    assert.match(formatted.message, /^Invalid input:/);
    assert.match(formatted.message, /→ at limit/);
    assert.match(formatted.message, /→ at state/);
    assert.doesNotMatch(formatted.message, /"origin"/);
    assert.deepEqual(Object.keys(formatted.data.fieldErrors ?? {}).sort(), ["limit", "state"]);
  });

  it("leaves other errors' messages alone", () => {
    const shape = { message: "Sign in first.", code: -32001 as const, data: { code: "UNAUTHORIZED" as const, httpStatus: 401 } };
    const formatted = formatError({ shape, error: new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." }) });
    assert.equal(formatted.message, "Sign in first.");
    assert.equal(formatted.data.fieldErrors, null);
  });

  it("answers 503 with what to do while the database is unreachable", async () => {
    const outage = Object.assign(new Error("Can't reach database server at 127.0.0.1"), { code: "P1001", meta: { driverAdapterError: { cause: { kind: "DatabaseNotReachable" } } } });
    // Every query of this client fails as Prisma's do while Postgres restarts.
    const unreachable = new Proxy({}, { get: () => new Proxy({}, { get: () => () => Promise.reject(outage) }) }) as unknown as PrismaClient;
    const { status, body } = await get("runs.list", {}, { id: "u1", email: "a@b.test" }, unreachable);
    assert.equal(status, 503);
    assert.equal(body.error.json.data.code, "SERVICE_UNAVAILABLE");
    assert.match(body.error.json.message, /database is unreachable.*retry/);
  });

  it("answers a failure nobody anticipated with one sentence, never the driver's text", async () => {
    const driverError = Object.assign(new Error('Invalid `prisma.run.findMany()` invocation: column "secretHash" of relation "Run" at 10.0.0.7:5432 user bailey'), { code: "P2022" });
    const broken = new Proxy({}, { get: () => new Proxy({}, { get: () => () => Promise.reject(driverError) }) }) as unknown as PrismaClient;
    const { status, body } = await get("runs.list", {}, { id: "u1", email: "a@b.test" }, broken);
    assert.equal(status, 500);
    assert.equal(body.error.json.data.code, "INTERNAL_SERVER_ERROR");
    assert.equal(body.error.json.message, "Something went wrong on the server; it has been logged.");
    const text = JSON.stringify(body);
    for (const leak of ["prisma", "secretHash", "10.0.0.7", "bailey", "stack"]) assert.ok(!text.includes(leak), `the answer does not carry "${leak}": ${text}`);
  });
});
