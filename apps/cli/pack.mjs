// Makes the CLI an installable npm package (`node apps/cli/pack.mjs [out-dir]`, then
// `npm install -g ./bailey-cli-<version>.tgz`): the one-file bundle and the bin, with a package.json
// that names no dependency — the workspace's @bailey/sdk and tsx are inside the bundle or not needed.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(process.argv[2] ?? process.cwd());
const workspace = JSON.parse(readFileSync(path.join(here, "package.json"), "utf8"));
const stage = mkdtempSync(path.join(tmpdir(), "bailey-cli-pack-"));
try {
  execFileSync(process.execPath, [path.join(here, "build.mjs"), path.join(stage, "dist/bailey.cjs")], { stdio: ["ignore", "ignore", "inherit"] });
  mkdirSync(path.join(stage, "bin"));
  copyFileSync(path.join(here, "bin/bailey.mjs"), path.join(stage, "bin/bailey.mjs"));
  const manifest = {
    name: "bailey-cli",
    version: workspace.version,
    description: workspace.description,
    type: "module",
    bin: { bailey: "./bin/bailey.mjs" },
    files: ["bin", "dist"],
    engines: { node: ">=20" },
  };
  writeFileSync(path.join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  mkdirSync(outDir, { recursive: true });
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", outDir], { cwd: stage, encoding: "utf8" }).trim().split("\n").at(-1);
  console.log(path.join(outDir, packed));
} finally {
  rmSync(stage, { recursive: true, force: true });
}
