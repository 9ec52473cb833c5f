import { existsSync } from "node:fs";
import { runId as runIdSchema } from "@bailey/protocol";
import { DockerRuntime, type Runtime, type RuntimeType, UnsupportedFeatureError } from "@bailey/runtime";
import { iptables, ruleArguments } from "./iptables";

// A Docker internal network is cut off from everything but the host: Docker's rules are in FORWARD,
// and a packet to any of the host's own addresses is INPUT (measured, runc and runsc alike; see the
// design's "Step 3 probes"). So a strict run's bridge gets two INPUT rules: replies to what the host
// itself opened pass, everything else is refused at once. Each is tagged with the run, to be found
// again at teardown and by reconcile. Podman needs none (its internal networks have no IPv4 route
// to the host), only the IPv6 sysctls below.

const commentPrefix = "bailey-run-";

/** The settings a strict run's main container needs on this engine, besides joining only the internal network. */
export interface StrictContainerNetworkSettings {
  dns?: string[];
  sysctls?: Record<string, string>;
  /** Whether the run network needs guardHostInput (Docker). */
  hostInputGuard: boolean;
}

export function strictContainerNetworkSettings(runtimeType: RuntimeType): StrictContainerNetworkSettings {
  switch (runtimeType) {
    case "docker":
      // Docker's embedded DNS still answers names on the network (the proxy's alias) and forwards
      // the rest to this address, where nothing listens: names never leave the container's netns.
      return { dns: ["127.0.0.255"], hostInputGuard: true };
    case "podman":
      // IPv4 has no route off an internal CNI network, but IPv6 link-local reaches the host bridge.
      return { sysctls: { "net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1" }, hostInputGuard: false };
    default:
      throw new UnsupportedFeatureError("networks", runtimeType, `The ${runtimeType} runtime cannot run strict egress: it has no internal networks. Use Docker or Podman on this host.`);
  }
}

export interface GuardHostInputOptions {
  runId: string;
  /** The run network's id, as the engine gave it. */
  networkId: string;
  /** The Docker runtime the network is on: its bridge may have a name of its own (com.docker.network.bridge.name). */
  runtime?: Runtime;
}

/** Refuses new connections from the run network's bridge to the host; idempotent (a retry adds nothing). */
export async function guardHostInput(options: GuardHostInputOptions): Promise<void> {
  const comment = commentFor(options.runId);
  const bridge = await bridgeName(options.networkId, options.runtime);
  // A rule on an interface that does not exist guards nothing, silently.
  if (!existsSync(`/sys/class/net/${bridge}`)) {
    throw new Error(
      `The bridge ${bridge} of network ${options.networkId} is not on this host, so its host input cannot be guarded. The agent must run on the engine's own host (not in a container or against a remote engine).`,
    );
  }
  const tagged = ["-i", bridge, "-m", "comment", "--comment", comment];
  const accept = ["-i", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-m", "comment", "--comment", comment, "-j", "ACCEPT"];
  const reject = [...tagged, "-j", "REJECT"];
  await serialized(async () => {
    // REJECT first, then ACCEPT at the top: whatever else is inserted meanwhile, ACCEPT stays before REJECT.
    const addedReject = await insertFirstUnlessPresent(reject);
    try {
      await insertFirstUnlessPresent(accept);
    } catch (error) {
      if (addedReject) await iptables(["-D", "INPUT", ...reject]).catch(() => undefined);
      throw error;
    }
  });
}

/** Removes every rule tagged with the run; answers how many there were (0 when none: already released). */
export async function releaseHostInput(runId: string): Promise<number> {
  const comment = commentFor(runId);
  return serialized(async () => {
    const rules = (await inputRules()).filter((rule) => commentOf(rule) === comment);
    for (const rule of rules) await iptables(["-D", ...rule.slice(1)]);
    return rules.length;
  });
}

/** The runs that have guard rules on this host, for reconcile to release those it no longer owns. */
export async function guardedRunIds(): Promise<string[]> {
  const ids = new Set<string>();
  for (const rule of await inputRules()) {
    const comment = commentOf(rule);
    const runId = comment?.startsWith(commentPrefix) ? comment.slice(commentPrefix.length) : undefined;
    // Only what releaseHostInput accepts: a hand-made rule with another tail is not ours to remove.
    if (runId && runIdSchema.safeParse(runId).success) ids.add(runId);
  }
  return [...ids];
}

function commentFor(runId: string): string {
  const parsed = runIdSchema.safeParse(runId);
  if (!parsed.success) throw new Error(`Cannot guard host input for run id ${JSON.stringify(runId)}: ${parsed.error.issues[0]?.message ?? "not a run id"}.`);
  return `${commentPrefix}${runId}`;
}

async function bridgeName(networkId: string, runtime: Runtime | undefined): Promise<string> {
  if (!/^[0-9a-f]{12,64}$/.test(networkId)) throw new Error(`Cannot guard network ${JSON.stringify(networkId)}: give the engine's network id (hex), not its name.`);
  if (runtime instanceof DockerRuntime) {
    const inspected = (await runtime.engine.getNetwork(networkId).inspect()) as { Options?: Record<string, string> };
    const own = inspected.Options?.["com.docker.network.bridge.name"];
    if (own) return own;
  }
  return `br-${networkId.slice(0, 12)}`;
}

/** INPUT's rules as argument lists (`-A INPUT ...`). */
async function inputRules(): Promise<string[][]> {
  const listing = (await iptables(["-S", "INPUT"])) ?? "";
  return listing
    .split("\n")
    .filter((line) => line.startsWith("-A INPUT "))
    .map(ruleArguments);
}

function commentOf(rule: string[]): string | undefined {
  const at = rule.indexOf("--comment");
  return at === -1 ? undefined : rule[at + 1];
}

/** Inserts the rule at INPUT's top unless an identical one is there; answers whether it inserted. */
async function insertFirstUnlessPresent(rule: string[]): Promise<boolean> {
  if ((await iptables(["-C", "INPUT", ...rule], { allowFailure: true })) !== null) return false;
  await iptables(["-I", "INPUT", "1", ...rule]);
  return true;
}

// One change to INPUT at a time from this agent: a release must not delete what a concurrent guard
// is in the middle of checking.
let queue: Promise<unknown> = Promise.resolve();
function serialized<T>(work: () => Promise<T>): Promise<T> {
  const next = queue.then(work, work);
  queue = next.catch(() => undefined);
  return next;
}
