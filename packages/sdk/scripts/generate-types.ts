import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "@bailey/api";
import openapiTS, { astToString } from "openapi-typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const generatedPath = path.join(root, "packages/sdk/src/generated/openapi.ts");

const header = `// Generated from Bailey's OpenAPI document by openapi-typescript: do not edit.
// Regenerate with \`npm run generate -w @bailey/sdk\` after changing a procedure's input, output or meta.
`;

/** The TypeScript types of every path, operation and schema in the document, formatted as Biome formats the repo. */
export async function generateTypes(): Promise<string> {
  const document = openApiDocument() as unknown as Parameters<typeof openapiTS>[0];
  const source = `${header}\n${astToString(await openapiTS(document))}`;
  // Formatted here rather than ignored by Biome, so the committed file is the one lint and the staleness test see.
  return execFileSync(path.join(root, "node_modules/.bin/biome"), ["format", `--stdin-file-path=${generatedPath}`], { cwd: root, input: source, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}
