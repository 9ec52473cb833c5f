import { statfs, stat } from "node:fs/promises";
import { detectRuntime, hostUdsRuntime } from "@bailey/runtime";
import type { AgentEnv } from "../env";
import { gitVersion, workspaceSupport } from "../workspaces/host-support";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

const minFreeBytes = 2 * 1024 ** 3;

/** Checks what the agent needs on this host and prints what to fix; exit 1 if anything fails. */
export async function doctor(env: AgentEnv): Promise<number> {
  const checks: Check[] = [];
  try {
    const runtime = await detectRuntime(env.BAILEY_RUNTIME ? { override: env.BAILEY_RUNTIME } : {});
    checks.push({ name: "container engine", ok: true, detail: `${runtime.type} answers` });
    const runsc = await runtime.sandboxAvailable();
    checks.push({
      name: "gVisor (runsc)",
      ok: runsc,
      detail: runsc ? "registered with the engine" : "not registered: sandboxed runs will be refused",
      fix: "apt-get install -y runsc && runsc install && systemctl restart docker   (or runs must set sandbox: none)",
    });
    if (runtime.type === "docker" && runsc) {
      const hostUds = await runtime.sandboxedEngineSocketAvailable();
      checks.push({
        name: `docker:host under gVisor (${hostUdsRuntime})`,
        ok: hostUds,
        detail: hostUds ? "registered with the engine" : "not registered: docker:host runs under gVisor will be refused",
        fix: `add "${hostUdsRuntime}" to "runtimes" in /etc/docker/daemon.json (runsc's entry with "--host-uds=open" added to its runtimeArgs; infra/install.sh does this) and restart dockerd   (or docker:host runs must set sandbox: none)`,
      });
    } else if (runtime.type === "podman") {
      // Not a failure: the host works, it just cannot sandbox docker:host runs.
      checks.push({ name: "docker:host under gVisor", ok: true, detail: "not on Podman (it cannot pick a runtime per container): docker:host runs here need sandbox: none" });
    }
    const workspaces = await workspaceSupport(runtime.type);
    const git = await gitVersion();
    checks.push({
      name: "workspaces (git, chown)",
      ok: workspaces.ok,
      detail: workspaces.ok ? `${git}; the agent may hand a workspace to the run's user` : `${workspaces.reason} Until then, runs with a workspace are refused here.`,
    });
    await runtime.close();
  } catch (error) {
    checks.push({ name: "container engine", ok: false, detail: (error as Error).message });
  }

  const disk = await statfs(env.BAILEY_AGENT_STATE_DIR).catch(() => null);
  const free = disk ? disk.bavail * disk.bsize : 0;
  checks.push({
    name: "disk space",
    ok: free >= minFreeBytes,
    detail: disk ? `${(free / 1024 ** 3).toFixed(1)} GiB free in ${env.BAILEY_AGENT_STATE_DIR}` : `${env.BAILEY_AGENT_STATE_DIR} does not exist`,
    fix: disk ? "free at least 2 GiB (docker system prune, or move BAILEY_AGENT_STATE_DIR)" : `mkdir -p ${env.BAILEY_AGENT_STATE_DIR} (infra/install.sh does this)`,
  });

  const socket = await stat(env.BAILEY_AGENT_SOCKET).catch(() => null);
  const mode = socket ? socket.mode & 0o777 : 0;
  checks.push({
    name: "agent socket",
    ok: socket !== null && (mode & 0o077) === 0 && socket.uid === process.getuid?.(),
    detail: socket ? `${env.BAILEY_AGENT_SOCKET} mode ${mode.toString(8)}, owner uid ${socket.uid}` : `${env.BAILEY_AGENT_SOCKET} is missing: the daemon is not running`,
    fix: socket
      ? `the socket must be owner-only and owned by this user: restart the daemon as this user (systemctl restart bailey-agent)`
      : "start it: systemctl start bailey-agent (or bailey-agent serve)",
  });

  for (const check of checks) {
    console.log(`${check.ok ? "ok  " : "FAIL"} ${check.name}: ${check.detail}${!check.ok && check.fix ? `\n     fix: ${check.fix}` : ""}`);
  }
  return checks.every((check) => check.ok) ? 0 : 1;
}
