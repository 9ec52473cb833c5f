import assert from "node:assert/strict";
import { test } from "node:test";
import { apiBase, BaileyApiError, createBaileyClient } from "../src/index";

test("apiBase accepts a URL with or without /api/v1 and a trailing slash", () => {
  assert.equal(apiBase("https://bailey.example.com"), "https://bailey.example.com/api/v1");
  assert.equal(apiBase("https://bailey.example.com/"), "https://bailey.example.com/api/v1");
  assert.equal(apiBase("https://bailey.example.com/api/v1/"), "https://bailey.example.com/api/v1");
});

test("an error response becomes a BaileyApiError with the API's message, code, status and fields", async () => {
  const seen: Request[] = [];
  const client = createBaileyClient({
    url: "http://bailey.test",
    token: "bly_test",
    fetch: async (input) => {
      seen.push(input as Request);
      return Response.json({ error: { code: "BAD_REQUEST", message: "image: Required", details: { fields: [{ field: "image", message: "Required" }] } } }, { status: 400 });
    },
  });
  const error = await client.createRun({ image: "" }).then(
    () => assert.fail("expected a rejection"),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof BaileyApiError);
  assert.equal(error.message, "image: Required");
  assert.equal(error.code, "BAD_REQUEST");
  assert.equal(error.status, 400);
  assert.deepEqual(error.fields, [{ field: "image", message: "Required" }]);
  assert.equal(seen[0]?.headers.get("authorization"), "Bearer bly_test");
  assert.equal(seen[0]?.url, "http://bailey.test/api/v1/runs");
});

test("YAML goes out as application/yaml, verbatim", async () => {
  let body = "";
  let type = "";
  const client = createBaileyClient({
    url: "http://bailey.test",
    token: "bly_test",
    fetch: async (input) => {
      const request = input as Request;
      body = await request.text();
      type = request.headers.get("content-type") ?? "";
      return Response.json({ run: { id: "r1" }, created: true, ignored: [] }, { status: 201 });
    },
  });
  const created = await client.createRunFromYaml("image: busybox\ncommand: [true]\n");
  assert.equal(created.run.id, "r1");
  assert.equal(body, "image: busybox\ncommand: [true]\n");
  assert.equal(type, "application/yaml");
});

test("an unreachable Bailey says where it tried", async () => {
  const client = createBaileyClient({ url: "http://127.0.0.1:9", token: "bly_test" });
  await assert.rejects(client.listHosts(), (error: unknown) => error instanceof BaileyApiError && error.status === 0 && /Cannot reach Bailey at http:\/\/127\.0\.0\.1:9\/api\/v1/.test(error.message));
});
