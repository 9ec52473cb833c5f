// The web server's API fast path (launcher/api-fast-path.ts) answers GET /api/v1 procedures
// itself: it must never take a path one of Next's own /api/v1 route files serves.
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { isProcedureOperation, streamOperations } from "@bailey/api";

const routesDir = path.resolve(import.meta.dirname, "../src/app/api/v1");

/** Every route file's path under /api/v1 but the catch-all's, with a sample value per segment. */
function nextRoutePaths(dir = routesDir, prefix = ""): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (!statSync(file).isDirectory()) return name === "route.ts" && prefix ? [prefix] : [];
    if (name === "[...path]") return [];
    const segment = name.startsWith("[...") ? "some/file.txt" : name.startsWith("[") ? "abc123" : name;
    return nextRoutePaths(file, `${prefix}/${segment}`);
  });
}

test("no GET that one of Next's own /api/v1 route files serves is taken by the fast path", () => {
  const paths = nextRoutePaths();
  assert.ok(paths.includes("/runs/abc123/logs") && paths.includes("/openapi.json"), `route files found: ${paths.join(", ")}`);
  for (const route of paths) assert.equal(isProcedureOperation("/api/v1", "GET", `/api/v1${route}`), false, `${route} is Next's route, yet a procedure matches it`);
  for (const stream of streamOperations) assert.equal(isProcedureOperation("/api/v1", "GET", `/api/v1${stream.path.replace(/\{[^}]+\}/g, "abc123")}`), false, stream.path);
});

test("procedure reads are the fast path's; other methods, other prefixes and undecodable paths are not", () => {
  assert.equal(isProcedureOperation("/api/v1", "GET", "/api/v1/runs"), true);
  assert.equal(isProcedureOperation("/api/v1", "GET", "/api/v1/runs/abc123"), true);
  assert.equal(isProcedureOperation("/api/v1", "GET", "/api/v1/hosts/enrollments"), true);
  assert.equal(isProcedureOperation("/api/v1", "POST", "/api/v1/build-contexts"), false);
  assert.equal(isProcedureOperation("/api/v1", "GET", "/api/v1/no-such-thing"), false);
  assert.equal(isProcedureOperation("/api/v1", "GET", "/api/trpc/runs.list"), false);
  assert.equal(isProcedureOperation("/api/v1", "GET", "/api/v1/runs/%E0%A4%A"), false);
});
