// Makes a fresh clone runnable with nothing but Node and npm: installs dependencies,
// generates the Prisma client and builds the dashboard, each only when its inputs changed.
// Plain Node on purpose: it runs before any dependency exists.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.status !== 0) {
    console.error(`[bailey] ${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

function hashFiles(entries) {
  const hash = createHash("sha256");
  const visit = (file) => {
    if (!existsSync(file)) return;
    const stat = statSync(file);
    if (stat.isDirectory()) {
      for (const name of readdirSync(file).sort()) {
        if (name === "node_modules" || name === ".next" || name === "generated" || name.startsWith(".")) continue;
        visit(path.join(file, name));
      }
    } else {
      hash.update(path.relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
    }
  };
  for (const entry of entries) visit(path.join(root, entry));
  return hash.digest("hex");
}

function upToDate(stampFile, digest) {
  return existsSync(stampFile) && readFileSync(stampFile, "utf8") === digest;
}

function stamp(stampFile, digest) {
  mkdirSync(path.dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, digest);
}

export function ensureDependencies() {
  const digest = hashFiles(["package-lock.json"]);
  const stampFile = path.join(root, "node_modules/.bailey-installed");
  if (upToDate(stampFile, digest)) return;
  console.log("[bailey] installing dependencies (npm ci)");
  // npm start builds the dashboard, the Prisma client and the agent bundle from sources, which
  // takes the dev dependencies (Next's compiler, Prisma's generator, esbuild); NODE_ENV=production
  // would make npm leave them out and the start fail.
  run("npm", ["ci", "--include=dev", "--no-audit", "--no-fund"]);
  stamp(stampFile, digest);
}

export function ensurePrismaClient() {
  const digest = hashFiles(["prisma/schema.prisma", "package-lock.json"]);
  const stampFile = path.join(root, "packages/db/src/generated/.schema-hash");
  if (upToDate(stampFile, digest)) return;
  console.log("[bailey] generating the Prisma client");
  run(process.execPath, ["scripts/prisma-generate.mjs"]);
  stamp(stampFile, digest);
}

// The workspace packages the dashboard imports; a change elsewhere needs no rebuild.
const webPackages = ["api", "core", "db", "agent-client", "protocol"];

export function ensureWebBuild() {
  const digest = hashFiles(["apps/web", ...webPackages.map((name) => `packages/${name}`), "prisma/schema.prisma", "package-lock.json", "tsconfig.base.json"]);
  const stampFile = path.join(root, "apps/web/.next/bailey-source-hash");
  if (upToDate(stampFile, digest) && existsSync(path.join(root, "apps/web/.next/BUILD_ID"))) return;
  console.log("[bailey] building the dashboard (next build)");
  run("npx", ["--no-install", "next", "build"], {
    cwd: path.join(root, "apps/web"),
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  stamp(stampFile, digest);
}

// Hosts install the agent from the control plane (GET /agent/bailey-agent.cjs), so it is built here too.
export function ensureAgentBundle() {
  const digest = hashFiles(["apps/agent/src", "apps/agent/build.mjs", "packages/protocol/src", "packages/runtime/src", "package-lock.json"]);
  const stampFile = path.join(root, "apps/agent/dist/.source-hash");
  if (upToDate(stampFile, digest) && existsSync(path.join(root, "apps/agent/dist/bailey-agent.cjs"))) return;
  console.log("[bailey] bundling the host agent");
  run(process.execPath, ["apps/agent/build.mjs"]);
  stamp(stampFile, digest);
}

export function ensureReady() {
  ensureDependencies();
  ensurePrismaClient();
  ensureWebBuild();
  ensureAgentBundle();
}
