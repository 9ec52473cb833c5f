// Bundles the CLI into one file (dist/bailey.cjs) for installing as a package: only Node.js is
// needed then. bin/bailey.mjs uses the bundle when it exists, the sources through tsx otherwise.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = process.argv[2] ? path.resolve(process.argv[2]) : path.join(here, "dist/bailey.cjs");
await build({
  entryPoints: [path.join(here, "src/main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  // CommonJS like the agent's bundle: ws is CommonJS and requires Node's built-ins.
  format: "cjs",
  // ws's optional native speed-ups: it works without them.
  external: ["bufferutil", "utf-8-validate"],
  legalComments: "none",
  logLevel: "warning",
});
console.log(`${path.relative(process.cwd(), outfile)}`);
