import { hostname } from "node:os";
import { z } from "zod";

// The agent's settings; nothing else in the agent reads process.env.
const optional = (value: unknown) => (value === "" ? undefined : value);

const agentEnvSchema = z.object({
  BAILEY_AGENT_SOCKET: z.preprocess(optional, z.string().default("/run/bailey/agent.sock")),
  BAILEY_AGENT_STATE_DIR: z.preprocess(optional, z.string().default("/var/lib/bailey-agent")),
  BAILEY_HOST_ID: z.preprocess(optional, z.string().min(1).default(hostname())),
  BAILEY_RUNTIME: z.preprocess(optional, z.enum(["docker", "podman", "apple", "mock"], { error: "BAILEY_RUNTIME must be docker, podman, apple or mock. Example: BAILEY_RUNTIME=docker" }).optional()),
  BAILEY_BUILDKIT_IMAGE: z.preprocess(optional, z.string().default("moby/buildkit:latest")),
  // docker:dind containers run privileged unless this is "false" (hosts whose kernel withholds
  // capabilities from the engine, where privileged containers cannot start at all).
  BAILEY_DIND_PRIVILEGED: z.preprocess(optional, z.enum(["true", "false"], { error: "BAILEY_DIND_PRIVILEGED must be true or false." }).default("true")),
  // Fault injection for tests: pause this long after each provisioning step, so a test can kill the agent mid-way.
  BAILEY_AGENT_FAULT_STEP_DELAY_MS: z.preprocess(optional, z.coerce.number().int().min(0).default(0)),
  BAILEY_SIDECAR_READY_TIMEOUT_MS: z.preprocess(
    optional,
    z.coerce.number({ error: "BAILEY_SIDECAR_READY_TIMEOUT_MS must be milliseconds. Example: BAILEY_SIDECAR_READY_TIMEOUT_MS=30000" }).int().positive().default(30_000),
  ),
});

export type AgentEnv = z.infer<typeof agentEnvSchema>;

export function readAgentEnv(source: NodeJS.ProcessEnv = process.env): AgentEnv {
  const parsed = agentEnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`bailey-agent: invalid configuration:\n${parsed.error.issues.map((issue) => `  - ${issue.path.join(".")}: ${issue.message}`).join("\n")}`);
  }
  return parsed.data;
}
