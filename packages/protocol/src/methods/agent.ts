import { z } from "zod";

export const agentMethods = {
  "agent.hello": {
    params: z.object({ protocolVersion: z.number().int(), client: z.string().max(200) }).strict(),
    result: z.object({
      protocolVersion: z.number().int(),
      agentVersion: z.string(),
      hostId: z.string(),
      runtime: z.enum(["docker", "podman", "apple", "mock"]),
      features: z.object({ networks: z.boolean(), sidecars: z.boolean(), builds: z.boolean(), runsc: z.boolean() }),
      cpus: z.number().int(),
      memoryBytes: z.number().int(),
      runningRuns: z.array(z.string()),
    }),
  },
} as const;
