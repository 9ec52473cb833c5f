import type { EgressConfig, Grant } from "./config";
import { matchesHost } from "@bailey/protocol";

export type EgressDecision = { kind: "grant"; grant: Grant } | { kind: "allow" } | { kind: "deny"; reason: string };

/**
 * Where a connection to host:port may go. A grant wins over `network.allow` for the same host,
 * so a granted host always gets its credential; among grants the first listed wins. Under the
 * `open` policy (a run with grants and no strict egress) every other host is tunnelled.
 */
export function decideEgress(config: Pick<EgressConfig, "grants" | "allow" | "policy">, host: string, port: number): EgressDecision {
  for (const grant of config.grants) {
    if (grant.hosts.some((pattern) => matchesHost(pattern, host, port))) return { kind: "grant", grant };
  }
  // An open run reaches anything without the proxy too; through it, what no grant names is tunnelled.
  if (config.policy === "open" || config.allow.some((pattern) => matchesHost(pattern, host, port))) return { kind: "allow" };
  return {
    kind: "deny",
    reason: `${host}:${port} is not in this run's network.allow and no grant of the run names it: add "${host}" to network.allow (a plain tunnel), or give the run a grant whose hosts include it (the proxy then adds the grant's credential)`,
  };
}
