// Regenerates src/generated/openapi.ts from the OpenAPI document the tRPC router produces
// (the same one GET /api/v1/openapi.json serves): `npm run generate -w @bailey/sdk`.
// test/generated.test.ts fails while the committed file differs from what this writes.
import { writeFileSync } from "node:fs";
import { generatedPath, generateTypes } from "./generate-types";

writeFileSync(generatedPath, await generateTypes());
console.log(`wrote ${generatedPath}`);
