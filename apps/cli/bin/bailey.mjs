#!/usr/bin/env node
// The `bailey` command: the bundle in ../dist when it has been built (an installed package),
// else the TypeScript sources through tsx (a checkout: `npx bailey`).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const bundle = fileURLToPath(new URL("../dist/bailey.cjs", import.meta.url));
let main;
if (existsSync(bundle)) {
  ({ main } = createRequire(import.meta.url)(bundle));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/main.ts"));
}
const code = await main(process.argv.slice(2));
// Exit once stdout has flushed: a pipe (bailey ls --json | jq) must get all of it.
process.stdout.write("", () => process.exit(code));
