import { z } from "zod";

export const runtimeType = z.enum(["docker", "podman", "apple", "mock"]);
/**
 * The agent's stable identity, generated on its first start and kept in its state dir: one
 * machine is one host row, whatever name, team or address it is registered under.
 */
export const agentId = z.string().regex(/^agt_[0-9a-f]{32}$/, "must be agt_ followed by 32 hex digits");
export const hostFeatures = z.object({
  networks: z.boolean(),
  sidecars: z.boolean(),
  builds: z.boolean(),
  runsc: z.boolean(),
  /** runsc-host-uds is registered: docker:host runs can be sandboxed here. Absent from older agents (taken as false). */
  runscHostUds: z.boolean().optional(),
  /** Workspaces (spec.workspace, git on the host, bind mounts) and results (run.results). Absent from older agents (taken as false). */
  workspaces: z.boolean().optional(),
});

export const agentMethods = {
  "agent.hello": {
    // Not strict: a peer of another version may add fields, and must still learn the version
    // mismatch (-32000, checked before these params) rather than an invalid-params error.
    params: z.object({ protocolVersion: z.number().int(), client: z.string().max(200) }),
    result: z.object({
      protocolVersion: z.number().int(),
      agentVersion: z.string(),
      hostId: z.string(),
      runtime: runtimeType,
      features: hostFeatures,
      cpus: z.number().int(),
      memoryBytes: z.number().int(),
      runningRuns: z.array(z.string()),
      // Optional so an agent from before identities still connects; the control plane then
      // treats its identity as unknown (it cannot tell two rows of that machine apart).
      agentId: agentId.optional(),
      /** The host's BAILEY_ALLOW: the escalations (docker:dind, sandbox:none, docker:host) its agent accepts. Absent from older agents. */
      allowed: z.array(z.string()).optional(),
    }),
  },
} as const;
