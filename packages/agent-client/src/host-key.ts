import { createHash } from "node:crypto";

/** `SHA256:<base64, no padding>`, exactly as `ssh-keygen -lf` prints it. */
export function hostKeyFingerprint(hostKey: Buffer): string {
  return `SHA256:${createHash("sha256").update(hostKey).digest("base64").replace(/=+$/, "")}`;
}

/** The host presented another key than the one pinned for it: fail closed. */
export class HostKeyMismatchError extends Error {
  constructor(
    readonly host: string,
    readonly expected: string,
    readonly presented: string,
  ) {
    super(
      `Refused to connect to ${host}: its SSH host key is ${presented}, but ${expected} is pinned for it. ` +
        `Nothing was run there. If the host was reinstalled, remove it from Bailey and enroll it again; otherwise treat this as a possible interception.`,
    );
    this.name = "HostKeyMismatchError";
  }
}
