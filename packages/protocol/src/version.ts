import { RpcError, rpcErrorCodes } from "./errors";

/**
 * The protocol's version, exchanged in `agent.hello`. Bumped on any change an older peer
 * could misread (a removed or renamed field, a new required param, a changed meaning, a new
 * frame type); additions an older peer can ignore (a new optional field, a new method, a new
 * event type) keep it. Each side speaks every version from `minProtocolVersion` to its own:
 * the control plane offers its newest; an agent that speaks it answers with it, a newer agent
 * answers with the older one the control plane offered (and talks it on that connection), and
 * an older agent refuses with -32000 (`incompatibleVersion`, its own version in the error's
 * data), after which the control plane offers that version if it still speaks it
 * (`negotiateHello`). Outside the range: -32000 and what to upgrade — never a crash or a hang.
 *
 * 2: stream chunks may travel as binary frames (framing.ts) instead of base64 in `$/chunk`.
 */
export const protocolVersion = 2;
/** The oldest version this side still speaks. */
export const minProtocolVersion = 1;
/** The first version with binary chunk frames. */
export const binaryChunksVersion = 2;

export type VersionSide = "agent" | "control plane";

/**
 * The error for a peer (`side`) speaking version `theirs`, or null when this side speaks it too
 * (`ours`: this side's newest, `protocolVersion` unless held back). Non-numbers are left to the schema.
 */
export function checkHelloVersion(theirs: unknown, side: VersionSide, ours = protocolVersion): RpcError | null {
  if (typeof theirs !== "number" || (theirs >= minProtocolVersion && theirs <= ours)) return null;
  const upgrade =
    theirs < ours === (side === "agent")
      ? "Upgrade the agent on that host (re-run infra/install.sh there), then reconnect."
      : "Upgrade the control plane to a release that speaks this version, or install the matching agent release on the host.";
  const speaks = minProtocolVersion < ours ? `versions ${minProtocolVersion} to ${ours}` : `version ${ours}`;
  return new RpcError(rpcErrorCodes.incompatibleVersion, `Protocol version mismatch: the ${side} speaks version ${theirs}, this side speaks ${speaks}. ${upgrade}`, {
    theirs,
    ours,
    oldest: minProtocolVersion,
  });
}

/** Throws the incompatible-version RpcError unless this side speaks `theirs`. */
export function assertCompatibleVersion(theirs: number, side: VersionSide, ours = protocolVersion): void {
  const error = checkHelloVersion(theirs, side, ours);
  if (error) throw error;
}

/**
 * The version an agent answers a hello offering `theirs` with: the newest both sides speak. An
 * agent of another release answers a version-1 offer exactly as a version-1 agent would.
 */
export function agreedVersion(theirs: number, ours = protocolVersion): number {
  return Math.min(theirs, ours);
}
