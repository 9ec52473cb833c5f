// npm start: make the clone runnable if needed, then hand over to the launcher.
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureReady, root } from "./lib/bootstrap.mjs";

ensureReady();
const launcher = spawn(process.execPath, ["--import", "tsx", path.join(root, "apps/web/launcher/main.ts"), ...process.argv.slice(2)], {
  cwd: process.cwd(),
  stdio: "inherit",
});
// The launcher shares our process group, so Ctrl-C reaches it directly; a signal sent to
// this process alone is passed on.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => launcher.kill(signal));
}
launcher.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
