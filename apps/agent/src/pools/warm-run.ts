import type { RunSpec } from "@bailey/protocol";
import type { ExecSession, InteractiveStream, Runtime } from "@bailey/runtime";

/** The warm container of a claimed run: what run.start execs, kept in memory between run.create and run.start. */
export interface WarmClaim {
  /** The image's ENTRYPOINT and CMD (the container itself runs the pool's idle command). */
  entrypoint: string[];
  cmd: string[];
  /** The run's environment, secrets' values included: never stored, so an agent restart before run.start loses it. */
  env: Record<string, string>;
  /** The container's launcher (pool-manager.ts), when it has one: the run's command is written to it instead of exec'd. */
  launcher: InteractiveStream | null;
}

/** What a container made for the run would have run: the image's entrypoint, then the run's command or else the image's CMD. */
export function warmCommand(spec: RunSpec, claim: WarmClaim): string[] {
  return [...claim.entrypoint, ...(spec.command ?? claim.cmd)];
}

const shellName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const quoted = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * What the launcher is given to become the run: its environment exported, its workdir entered,
 * its command exec'd (replacing the shell, so the command is the container's main process, its
 * exit the container's) with its stdin on /dev/null, as an exec'd run's is. Null when the
 * launcher cannot do what an exec would: another user, a TTY, an env name no shell can export.
 */
export function launchScript(spec: RunSpec, claim: WarmClaim): string | null {
  if (spec.user || spec.tty || Object.keys(claim.env).some((name) => !shellName.test(name))) return null;
  const command = warmCommand(spec, claim);
  if (!command.length) throw new Error(`The image ${spec.image} has neither ENTRYPOINT nor CMD and the run gives no command; give the run a command.`);
  const lines = Object.entries(claim.env).map(([name, value]) => `export ${name}=${quoted(value)}`);
  if (spec.workdir) lines.push(`cd ${quoted(spec.workdir)} || exit 126`);
  lines.push(`exec ${command.map(quoted).join(" ")} </dev/null`);
  return `${lines.join("\n")}\n`;
}

/** Starts the run's command in its claimed container, as the run's user, in its workdir, with its environment. */
export async function startWarmExec(runtime: Runtime, containerId: string, spec: RunSpec, claim: WarmClaim): Promise<ExecSession> {
  const command = warmCommand(spec, claim);
  if (!command.length) throw new Error(`The image ${spec.image} has neither ENTRYPOINT nor CMD and the run gives no command; give the run a command.`);
  const manager = runtime.interactiveManager();
  if (!manager) throw new Error(`The ${runtime.type} runtime cannot exec into a container, so a warm pool's run cannot start there.`);
  return manager.execSession(containerId, command, {
    env: claim.env,
    tty: spec.tty,
    ...(spec.user ? { user: spec.user } : {}),
    ...(spec.workdir ? { workdir: spec.workdir } : {}),
  });
}

/**
 * Ends a warm run: SIGTERM to its processes (found by their BAILEY_RUN_ID, as the container's
 * idle command would not pass a stop on), up to `graceSeconds` for them to exit, then, if they
 * have not, the container is stopped at once, which kills whatever is left. A run that exited in
 * its grace leaves its container to the run's end, which removes it: a stop racing that removal
 * can hold both up (seen under gVisor).
 */
export async function stopWarmRun(runtime: Runtime, containerId: string, runId: string, graceSeconds: number, exited: Promise<unknown>): Promise<void> {
  if (graceSeconds > 0) {
    const script = `for d in /proc/[0-9]*; do tr '\\0' '\\n' < "$d/environ" 2>/dev/null | grep -qx 'BAILEY_RUN_ID=${runId}' && kill -TERM "\${d#/proc/}" 2>/dev/null; done; true`;
    // An exec that does not come back (a sandbox in trouble) must not hold the stop: the container stop below ends it all.
    const signalled = await orAfter(
      runtime.exec(containerId, ["sh", "-c", script], { user: "0" }).then(
        () => true,
        () => false,
      ),
      signalTimeoutMs,
      false,
    );
    const ended = (settled: Promise<unknown>) =>
      settled.then(
        () => true,
        () => true,
      );
    if (signalled && (await orAfter(ended(exited), graceSeconds * 1000, false))) return;
  }
  await orAfter(
    runtime.stopContainer(containerId, 0).catch(() => undefined),
    stopTimeoutMs,
    undefined,
  );
}

const signalTimeoutMs = 10_000;
const stopTimeoutMs = 20_000;

/** What `promise` gives, or `fallback` if it has not settled within `ms`. */
function orAfter<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)))]).finally(() => clearTimeout(timer));
}
