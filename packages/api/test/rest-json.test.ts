import assert from "node:assert/strict";
import { test } from "node:test";
import { jsonResponse, jsonText } from "@bailey/api";

test("REST JSON: bigints become decimal strings, dates ISO strings, and plain values are JSON.stringify's own", async () => {
  const value = { runs: [{ id: "a", memoryBytes: 2n ** 62n, at: new Date(0), nested: { count: 3n } }], nextCursor: null };
  assert.equal(jsonText(value), '{"runs":[{"id":"a","memoryBytes":"4611686018427387904","at":"1970-01-01T00:00:00.000Z","nested":{"count":"3"}}],"nextCursor":null}');
  const plain = { a: [1, "two", { three: true }], b: new Date(1000), c: undefined };
  assert.equal(jsonText(plain), JSON.stringify(plain));
  const response = jsonResponse({ size: 5n }, 201);
  assert.equal(response.status, 201);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(await response.text(), '{"size":"5"}');
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  assert.throws(() => jsonText(circular), TypeError);
});
