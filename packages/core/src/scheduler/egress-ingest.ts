import type { AgentEvent } from "@bailey/protocol";
import type { Prisma } from "@bailey/db";

export const egressEventTypes = new Set(["egress.allowed", "egress.denied"]);

const count = (value: unknown) => (typeof value === "number" && Number.isFinite(value) && value > 0 ? BigInt(Math.floor(value)) : 0n);
const text = (value: unknown, max: number) => (typeof value === "string" && value ? value.slice(0, max) : null);

/**
 * Adds one egress event into its run × host × port × decision row. The caller holds the run's
 * row lock and applies each (host, seq) event once, so the arithmetic is neither raced nor
 * repeated. An event without a usable host or port stays in HostEvent only.
 */
export async function applyRunEgressEvent(tx: Prisma.TransactionClient, runId: string, event: AgentEvent): Promise<void> {
  const host = text(event.data.host, 260)?.toLowerCase();
  const port = event.data.port;
  if (!host || typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) return;
  const decision = event.type === "egress.allowed" ? "allowed" : "denied";
  const at = new Date(event.at);
  const via = decision === "allowed" ? text(event.data.via, 64) : null;
  const reason = decision === "denied" ? text(event.data.reason, 500) : null;
  const bytesIn = decision === "allowed" ? count(event.data.bytesIn) : 0n;
  const bytesOut = decision === "allowed" ? count(event.data.bytesOut) : 0n;
  await tx.runEgress.upsert({
    where: { runId_host_port_decision: { runId, host, port, decision } },
    create: { runId, host, port, decision, via, reason, connections: 1, bytesIn, bytesOut, firstAt: at, lastAt: at },
    // The latest via or reason is kept: a grant added mid-run may take over a host allow covered.
    update: { connections: { increment: 1 }, bytesIn: { increment: bytesIn }, bytesOut: { increment: bytesOut }, lastAt: at, ...(via ? { via } : {}), ...(reason ? { reason } : {}) },
  });
}
