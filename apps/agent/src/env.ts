import { hostname } from "node:os";
import { minProtocolVersion, protocolVersion } from "@bailey/protocol";
import { defaultRunSubnets, type LogLimits, logSizeBytes, parseRunSubnetPool, type RunSubnetPool } from "@bailey/runtime";
import { z } from "zod";

// The agent's settings; nothing else in the agent reads process.env.
const optional = (value: unknown) => (value === "" ? undefined : value);

/** What a run may ask of this host beyond the default (gVisor, no engine access); none unless listed. */
export const hostCapabilities = ["docker:dind", "sandbox:none", "docker:host"] as const;
export type HostCapability = (typeof hostCapabilities)[number];

const allowList = z
  .string()
  .default("")
  .transform((value, context) => {
    const listed = value
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
    const unknown = listed.filter((item) => !(hostCapabilities as readonly string[]).includes(item));
    if (unknown.length) {
      context.addIssue({ code: "custom", message: `BAILEY_ALLOW lists ${unknown.join(", ")}; allowed values are ${hostCapabilities.join(", ")}. Example: BAILEY_ALLOW=docker:dind,sandbox:none` });
      return z.NEVER;
    }
    return [...new Set(listed)] as HostCapability[];
  });

const agentEnvSchema = z.object({
  BAILEY_AGENT_SOCKET: z.preprocess(optional, z.string().default("/run/bailey/agent.sock")),
  BAILEY_AGENT_STATE_DIR: z.preprocess(optional, z.string().default("/var/lib/bailey-agent")),
  BAILEY_HOST_ID: z.preprocess(optional, z.string().min(1).default(hostname())),
  BAILEY_RUNTIME: z.preprocess(optional, z.enum(["docker", "podman", "apple", "mock"], { error: "BAILEY_RUNTIME must be docker, podman, apple or mock. Example: BAILEY_RUNTIME=docker" }).optional()),
  // The host's own say over escalations, whatever the control plane's team policy allows.
  BAILEY_ALLOW: allowList,
  BAILEY_BUILDKIT_IMAGE: z.preprocess(optional, z.string().default("moby/buildkit:latest")),
  // docker:dind containers run privileged unless this is "false" (hosts whose kernel withholds
  // capabilities from the engine, where privileged containers cannot start at all).
  BAILEY_DIND_PRIVILEGED: z.preprocess(optional, z.enum(["true", "false"], { error: "BAILEY_DIND_PRIVILEGED must be true or false." }).default("true")),
  // Fault injection for tests: pause this long after each provisioning step, so a test can kill the agent mid-way.
  BAILEY_AGENT_FAULT_STEP_DELAY_MS: z.preprocess(optional, z.coerce.number().int().min(0).default(0)),
  // Compatibility tests: speak at most this protocol version, as an agent of that older release would (unset: the newest).
  BAILEY_AGENT_PROTOCOL_VERSION: z.preprocess(
    optional,
    z.coerce
      .number()
      .int()
      .min(minProtocolVersion, { error: `BAILEY_AGENT_PROTOCOL_VERSION must be ${minProtocolVersion} to ${protocolVersion}; unset it to speak the newest.` })
      .max(protocolVersion, { error: `BAILEY_AGENT_PROTOCOL_VERSION must be ${minProtocolVersion} to ${protocolVersion}; unset it to speak the newest.` })
      .optional(),
  ),
  // Every container's log on disk stays under max-size × max-files (Podman keeps one file of max-size).
  BAILEY_LOG_MAX_SIZE: z.preprocess(
    optional,
    z
      .string()
      .trim()
      .refine((size) => (logSizeBytes(size) ?? 0) >= 1024, { error: "BAILEY_LOG_MAX_SIZE must be a size of at least 1k: a number with k, m or g. Example: BAILEY_LOG_MAX_SIZE=10m" })
      .default("10m"),
  ),
  BAILEY_LOG_MAX_FILES: z.preprocess(
    optional,
    z.coerce
      .number({ error: "BAILEY_LOG_MAX_FILES must be a whole number of files. Example: BAILEY_LOG_MAX_FILES=3" })
      .int({ error: "BAILEY_LOG_MAX_FILES must be a whole number of files. Example: BAILEY_LOG_MAX_FILES=3" })
      .min(1, { error: "BAILEY_LOG_MAX_FILES must be at least 1. Example: BAILEY_LOG_MAX_FILES=3" })
      .max(100, { error: "BAILEY_LOG_MAX_FILES must be at most 100; raise BAILEY_LOG_MAX_SIZE instead. Example: BAILEY_LOG_MAX_FILES=3" })
      .default(3),
  ),
  // Run networks made ahead, so a cold run does not wait for the engine to make its own (≈ 100 ms); 0: none.
  BAILEY_SPARE_NETWORKS: z.preprocess(
    optional,
    z.coerce
      .number({ error: "BAILEY_SPARE_NETWORKS must be a whole number of networks. Example: BAILEY_SPARE_NETWORKS=2" })
      .int({ error: "BAILEY_SPARE_NETWORKS must be a whole number of networks. Example: BAILEY_SPARE_NETWORKS=2" })
      .min(0, { error: "BAILEY_SPARE_NETWORKS must be 0 (none) or more. Example: BAILEY_SPARE_NETWORKS=2" })
      .max(16, { error: "BAILEY_SPARE_NETWORKS must be at most 16: each holds a subnet of the engine's. Example: BAILEY_SPARE_NETWORKS=2" })
      .default(2),
  ),
  // Where run networks get their subnets once the engine's own pools (about 30 networks on Docker) are used up; "off": nowhere.
  BAILEY_RUN_SUBNETS: z.preprocess(
    optional,
    z
      .string()
      .default(defaultRunSubnets)
      .transform((value, context): RunSubnetPool | null => {
        if (value.trim() === "off") return null;
        const pool = parseRunSubnetPool(value);
        if (typeof pool !== "string") return pool;
        context.addIssue({ code: "custom", message: `BAILEY_RUN_SUBNETS: ${pool}. Use a private range no LAN of this host uses, or "off". Example: BAILEY_RUN_SUBNETS=10.213.0.0/16` });
        return z.NEVER;
      }),
  ),
  // Seconds one image pull may take before it is abandoned (the control plane waits for run.create a while longer).
  BAILEY_PULL_TIMEOUT: z.preprocess(
    optional,
    z.coerce
      .number({ error: "BAILEY_PULL_TIMEOUT must be seconds. Example: BAILEY_PULL_TIMEOUT=900" })
      .int()
      .min(1, { error: "BAILEY_PULL_TIMEOUT must be at least 1 second. Example: BAILEY_PULL_TIMEOUT=900" })
      .max(3600, { error: "BAILEY_PULL_TIMEOUT must be at most 3600 seconds (the control plane stops waiting for run.create after 65 minutes). Example: BAILEY_PULL_TIMEOUT=900" })
      .default(900),
  ),
  BAILEY_SIDECAR_READY_TIMEOUT_MS: z.preprocess(
    optional,
    z.coerce.number({ error: "BAILEY_SIDECAR_READY_TIMEOUT_MS must be milliseconds. Example: BAILEY_SIDECAR_READY_TIMEOUT_MS=30000" }).int().positive().default(30_000),
  ),
  // The network a strict run's egress proxy leaves through; unset: the engine's default (bridge on Docker, podman on Podman).
  BAILEY_EGRESS_NETWORK: z.preprocess(
    optional,
    z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, { error: "BAILEY_EGRESS_NETWORK must name an existing engine network. Example: BAILEY_EGRESS_NETWORK=bridge" })
      .optional(),
  ),
  // PEM CAs every run's egress proxy trusts for upstreams besides the system's (test upstreams); mounted read-only into the proxy.
  BAILEY_EGRESS_EXTRA_CA_FILE: z.preprocess(
    optional,
    z.string().regex(/^\//, { error: "BAILEY_EGRESS_EXTRA_CA_FILE must be an absolute path to a PEM file. Example: BAILEY_EGRESS_EXTRA_CA_FILE=/etc/bailey/upstream-ca.pem" }).optional(),
  ),
  // PEM CAs the host's git trusts for https workspace remotes, in place of the system's bundle (a private git server's CA).
  BAILEY_AGENT_GIT_CA_FILE: z.preprocess(
    optional,
    z.string().regex(/^\//, { error: "BAILEY_AGENT_GIT_CA_FILE must be an absolute path to a PEM file. Example: BAILEY_AGENT_GIT_CA_FILE=/etc/bailey/git-ca.pem" }).optional(),
  ),
  // The bundle the egress proxy image is built from, for an agent run from a source checkout elsewhere than its own dist/.
  BAILEY_AGENT_BUNDLE: z.preprocess(
    optional,
    z.string().regex(/^\//, { error: "BAILEY_AGENT_BUNDLE must be an absolute path to bailey-agent.cjs. Example: BAILEY_AGENT_BUNDLE=/opt/bailey/bailey-agent.cjs" }).optional(),
  ),
});

export type AgentEnv = z.infer<typeof agentEnvSchema>;

// `bailey-agent egress-proxy` runs inside the run's proxy container, with its own two settings.
const egressProxyEnvSchema = z.object({
  // The run's proxy/ directory, bind-mounted read-only; --config-dir overrides it.
  BAILEY_EGRESS_CONFIG_DIR: z.preprocess(optional, z.string().default("/run/bailey-egress")),
  // PEM CA certificates the proxy trusts for upstreams besides the system's: for test upstreams
  // with their own CA. Verification itself cannot be turned off.
  BAILEY_EGRESS_EXTRA_CA_FILE: z.preprocess(optional, z.string().optional()),
});

export type EgressProxyEnv = z.infer<typeof egressProxyEnvSchema>;

export function readEgressProxyEnv(source: NodeJS.ProcessEnv = process.env): EgressProxyEnv {
  return egressProxyEnvSchema.parse(source);
}

/** The caps the runtime puts on every container's log. */
export function logLimitsOf(env: AgentEnv): LogLimits {
  return { maxSize: env.BAILEY_LOG_MAX_SIZE, maxFiles: env.BAILEY_LOG_MAX_FILES };
}

export function readAgentEnv(source: NodeJS.ProcessEnv = process.env): AgentEnv {
  const parsed = agentEnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`bailey-agent: invalid configuration:\n${parsed.error.issues.map((issue) => `  - ${issue.path.join(".")}: ${issue.message}`).join("\n")}`);
  }
  return parsed.data;
}
