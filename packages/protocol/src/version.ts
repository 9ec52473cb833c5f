import { RpcError, rpcErrorCodes } from "./errors";

/** Bumped on any change an older peer could misread; both sides must agree exactly. */
export const protocolVersion = 1;

export function assertCompatibleVersion(theirs: number, side: "agent" | "control plane"): void {
  if (theirs !== protocolVersion) {
    throw new RpcError(
      rpcErrorCodes.incompatibleVersion,
      `Protocol version mismatch: the ${side} speaks version ${theirs}, this side speaks ${protocolVersion}. Upgrade the older of the two (re-run infra/install.sh on the host to upgrade the agent).`,
      { theirs, ours: protocolVersion },
    );
  }
}
