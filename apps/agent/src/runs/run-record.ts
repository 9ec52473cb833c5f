import type { AgentRun, RunSpec } from "@bailey/protocol";

/** What the agent keeps about a run on disk: the public state plus what it needs to resume. */
export interface RunRecord extends AgentRun {
  spec: RunSpec;
  /** When the timeout fires, as an ISO time; null without a timeout or before start. */
  deadline: string | null;
  timedOut: boolean;
  /** When the agent last journalled an egress event of the run (set just before): a restarted agent follows the proxy's log from the next second on. */
  egressEventsAt?: string | null;
  /** A warm run started by its container's launcher: its command is the container's main process (stopped, followed and resumed as a cold run's is). */
  warmLaunched?: boolean;
}

export const labelKeys = {
  managed: "bailey.managed",
  runId: "bailey.run-id",
  role: "bailey.role",
  hostId: "bailey.host-id",
} as const;

export const names = {
  main: (runId: string) => `bailey-${runId}`,
  network: (runId: string) => `bailey-${runId}`,
  buildkit: (runId: string) => `bailey-buildkit-${runId}`,
  // A dot no run ID holds: no run's main container can be named like another run's proxy.
  egressProxy: (runId: string) => `bailey-${runId}.egress`,
};

export function toAgentRun(record: RunRecord): AgentRun {
  const { spec: _spec, deadline: _deadline, timedOut: _timedOut, egressEventsAt: _egressEventsAt, warmLaunched: _warmLaunched, ...run } = record;
  return run;
}
