import { z } from "zod";

export const runtimeType = z.enum(["docker", "podman", "apple", "mock"]);
export const hostFeatures = z.object({ networks: z.boolean(), sidecars: z.boolean(), builds: z.boolean(), runsc: z.boolean() });

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
    }),
  },
} as const;
