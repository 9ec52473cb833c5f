import { RpcError, rpcErrorCodes } from "./errors";

/**
 * The protocol's version, exchanged in `agent.hello`. Bumped on any change an older peer
 * could misread (a removed or renamed field, a new required param, a changed meaning);
 * additions an older peer can ignore (a new optional field, a new method, a new event
 * type) keep it. Both sides must agree exactly: the agent refuses a control plane of
 * another version, and the control plane refuses an agent of another version, with
 * -32000 (`incompatibleVersion`) and what to upgrade — never a crash or a hang.
 */
export const protocolVersion = 1;

export type VersionSide = "agent" | "control plane";

/** The error for a peer (`side`) speaking version `theirs`, or null when it matches. Non-numbers are left to the schema. */
export function checkHelloVersion(theirs: unknown, side: VersionSide): RpcError | null {
  if (typeof theirs !== "number" || theirs === protocolVersion) return null;
  const upgrade =
    theirs < protocolVersion === (side === "agent")
      ? "Upgrade the agent on that host (re-run infra/install.sh there), then reconnect."
      : "Upgrade the control plane to a release that speaks this version, or install the matching agent release on the host.";
  return new RpcError(rpcErrorCodes.incompatibleVersion, `Protocol version mismatch: the ${side} speaks version ${theirs}, this side speaks ${protocolVersion}. ${upgrade}`, {
    theirs,
    ours: protocolVersion,
  });
}

/** Throws the incompatible-version RpcError unless `theirs` is this side's version. */
export function assertCompatibleVersion(theirs: number, side: VersionSide): void {
  const error = checkHelloVersion(theirs, side);
  if (error) throw error;
}
