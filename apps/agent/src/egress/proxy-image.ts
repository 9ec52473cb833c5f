import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import path from "node:path";
import { type Runtime, UnsupportedFeatureError } from "@bailey/runtime";
import { egressProxyRootfs, imageBundlePath, imageNodePath, imagePath } from "./proxy-image-rootfs";
import { rootfsTar } from "./rootfs-tar";

// The image the per-run egress proxy sidecar runs: no registry is reachable from users' hosts
// for our own code, so the agent makes it from what it runs on (node and its own bundle) and
// imports it into the engine. Its tag names the node version and the bundle's digest, so each
// agent version imports once and then finds it there.

export const egressProxyRepository = "bailey/egress-proxy";
const bundleName = "bailey-agent.cjs";
const buildHint = "build it with `node apps/agent/build.mjs` (it writes apps/agent/dist/bailey-agent.cjs)";

export interface EnsureEgressProxyImageOptions {
  runtime: Runtime;
  /** The agent bundle to put in the image (e.g. from BAILEY_AGENT_BUNDLE); see resolveAgentBundle for the default. */
  bundlePath?: string;
  log?: (line: string) => void;
  /** Another repository than bailey/egress-proxy (tests, so they can remove what they import). */
  repository?: string;
}

/** Concurrent callers for one reference share its import; a settled one is forgotten, so a removed image is noticed. */
const pending = new WeakMap<Runtime, Map<string, Promise<string>>>();

/** The reference of the egress proxy image on this runtime, imported first if the engine lacks it. */
export async function ensureEgressProxyImage(options: EnsureEgressProxyImageOptions): Promise<string> {
  const { runtime } = options;
  const bundlePath = resolveAgentBundle(options.bundlePath);
  const reference = egressProxyImageReference(runtime, await sha256OfFile(bundlePath), options.repository);
  let byReference = pending.get(runtime);
  if (!byReference) {
    byReference = new Map();
    pending.set(runtime, byReference);
  }
  const inFlight = byReference.get(reference);
  if (inFlight) return inFlight;
  const ensured = importUnlessPresent(runtime, reference, bundlePath, options.log).finally(() => byReference.delete(reference));
  byReference.set(reference, ensured);
  return ensured;
}

/** The proxy's command in that image, reading its config from `configDir` (see commands/egress-proxy.ts). */
export function egressProxyCommand(configDir: string): string[] {
  return [imageNodePath, imageBundlePath, "egress-proxy", "--config-dir", configDir];
}

/**
 * `bailey/egress-proxy:<node version>-<first 12 hex of the bundle's sha256>`. Podman keeps an
 * imported short name under `localhost/`, and resolves short names through its search registries,
 * so it is asked for that full name.
 */
export function egressProxyImageReference(runtime: Pick<Runtime, "type">, bundleSha256: string, repository = egressProxyRepository): string {
  const name = runtime.type === "podman" && !repository.startsWith("localhost/") ? `localhost/${repository}` : repository;
  return `${name}:${process.versions.node}-${bundleSha256.slice(0, 12)}`;
}

/**
 * The agent bundle: the explicit path; else the running one when the agent runs as its bundle;
 * else `apps/agent/dist/bailey-agent.cjs` of a source checkout (found from the entry script,
 * src/main.ts or a test, or from the working directory and its parents).
 */
export function resolveAgentBundle(explicit?: string): string {
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`The agent bundle ${explicit} does not exist: point bundlePath (or BAILEY_AGENT_BUNDLE) at bailey-agent.cjs, or ${buildHint}.`);
    return path.resolve(explicit);
  }
  const entry = process.argv[1];
  if (entry?.endsWith(".cjs") && existsSync(entry)) return path.resolve(entry);
  const candidates = [...(entry ? [path.resolve(path.dirname(entry), "../dist", bundleName)] : []), ...checkoutBundles(process.cwd())];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found) return found;
  throw new Error(`The egress proxy image needs the agent bundle, and none was found (looked at ${candidates.join(", ")}): ${buildHint}, or set BAILEY_AGENT_BUNDLE.`);
}

/** `apps/agent/dist/bailey-agent.cjs` under `dir` and each of its parents (tests run from a workspace or the root). */
function checkoutBundles(dir: string): string[] {
  const found: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    found.push(path.join(current, "apps/agent/dist", bundleName));
    if (path.dirname(current) === current) return found;
  }
}

async function importUnlessPresent(runtime: Runtime, reference: string, bundlePath: string, log?: (line: string) => void): Promise<string> {
  if (await runtime.inspectImage(reference)) return reference;
  if (!runtime.importImage) {
    throw new UnsupportedFeatureError(
      "sidecars",
      runtime.type,
      `The ${runtime.type} runtime cannot import images, so it cannot run the egress proxy sidecar that grants and strict egress need: use Docker or Podman on this host.`,
    );
  }
  const started = Date.now();
  log?.(`importing the egress proxy image ${reference} (node ${process.execPath}, bundle ${bundlePath})`);
  const entries = await egressProxyRootfs({ nodePath: process.execPath, bundlePath });
  await runtime.importImage(rootfsTar(entries), reference, { labels: { "bailey.managed": "true" }, env: { PATH: imagePath } });
  log?.(`imported the egress proxy image ${reference} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return reference;
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
