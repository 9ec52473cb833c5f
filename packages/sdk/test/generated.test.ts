import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { generatedPath, generateTypes } from "../scripts/generate-types";

test("the committed OpenAPI types match the router's document (else: npm run generate -w @bailey/sdk)", async () => {
  const committed = readFileSync(generatedPath, "utf8");
  const fresh = await generateTypes();
  if (committed !== fresh) {
    const committedLines = committed.split("\n");
    const freshLines = fresh.split("\n");
    const line = freshLines.findIndex((text, index) => text !== committedLines[index]);
    assert.fail(
      `packages/sdk/src/generated/openapi.ts is stale: the router's OpenAPI document changed. Run \`npm run generate -w @bailey/sdk\` and commit the result.\n` +
        `First difference at line ${line + 1}:\n  committed: ${committedLines[line] ?? "<end of file>"}\n  generated: ${freshLines[line] ?? "<end of file>"}`,
    );
  }
});
