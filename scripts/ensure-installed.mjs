// Used by scripts that need dependencies and the Prisma client; `--with-builds` also builds
// the dashboard and the agent bundle (the dispatch benchmark runs Bailey as npm start does).
import { ensureAgentBundle, ensureDependencies, ensurePrismaClient, ensureWebBuild } from "./lib/bootstrap.mjs";

ensureDependencies();
ensurePrismaClient();
if (process.argv.includes("--with-builds")) {
  ensureWebBuild();
  ensureAgentBundle();
}
