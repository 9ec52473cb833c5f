import { defaultLimits } from "../hardening";
import type { ResourceLimits } from "../types";
import type { ResourceRequirements } from "./objects";

/**
 * Requests equal to limits: the Pod is Guaranteed QoS, as a Docker run's limits are hard
 * caps, and the scheduler then places it only where the whole amount is free. A pids limit has
 * no per-Pod field (it is the kubelet's podPidsLimit), so it is not carried here.
 */
export function resourceRequirements(resources: ResourceLimits | undefined): ResourceRequirements {
  const cpus = resources?.cpus ?? defaultLimits.cpus;
  const memoryBytes = resources?.memoryBytes ?? defaultLimits.memoryBytes;
  const amounts = { cpu: `${Math.max(1, Math.round(cpus * 1000))}m`, memory: String(Math.round(memoryBytes)) };
  return { requests: { ...amounts }, limits: { ...amounts } };
}
