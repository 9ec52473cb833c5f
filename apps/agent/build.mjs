// Bundles bailey-agent into one file for hosts: only Node.js (≥ 18) is needed there.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
// CommonJS output: dockerode's dependencies use __dirname, which ES modules lack.
// An argument puts the bundle elsewhere (tests that run it build their own copy).
const outfile = process.argv[2] ? path.resolve(process.argv[2]) : path.join(here, "dist/bailey-agent.cjs");
await build({
  entryPoints: [path.join(here, "src/main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node18",
  format: "cjs",
  // dockerode's SSH transport has optional native speed-ups; the agent only uses Unix sockets.
  external: ["cpu-features", "*.node"],
  legalComments: "none",
  logLevel: "warning",
});
const digest = createHash("sha256").update(readFileSync(outfile)).digest("hex");
writeFileSync(`${outfile}.sha256`, `${digest}  bailey-agent.cjs\n`);
console.log(`${path.relative(process.cwd(), outfile)} sha256 ${digest}`);
