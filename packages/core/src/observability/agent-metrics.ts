import { Counter } from "prom-client";
import { sharedMetric } from "./registry";

const reconnects = () =>
  sharedMetric(
    "bailey_agent_reconnects_total",
    (registers) =>
      new Counter({
        name: "bailey_agent_reconnects_total",
        help: "Connections to a host's agent (SSH, or its local socket) re-established after an earlier one of the same connection dropped.",
        labelNames: ["host_id"],
        registers,
      }),
  );

const connectFailures = () =>
  sharedMetric(
    "bailey_agent_connect_failures_total",
    (registers) =>
      new Counter({
        name: "bailey_agent_connect_failures_total",
        help: "Attempts to connect to a host's agent that failed (unreachable, refused, wrong host key, no hello).",
        labelNames: ["host_id"],
        registers,
      }),
  );

/** Host ids are bounded by the fleet, so they are fine as a label. */
export function countAgentReconnect(hostId: string): void {
  reconnects().inc({ host_id: hostId });
}

export function countAgentConnectFailure(hostId: string): void {
  connectFailures().inc({ host_id: hostId });
}
