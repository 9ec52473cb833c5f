import { readFileSync } from "node:fs";
import { HostConnections } from "@bailey/core";
import { serverEnv } from "~/env";

const globalForConnections = globalThis as unknown as { baileyConnections?: HostConnections };

/** One pooled connection per host for this server process. */
export function hostConnections(): HostConnections {
  if (!globalForConnections.baileyConnections) {
    const keyFile = serverEnv().BAILEY_SSH_PRIVATE_KEY_FILE;
    globalForConnections.baileyConnections = new HostConnections(keyFile ? { privateKey: readFileSync(keyFile, "utf8") } : {});
  }
  return globalForConnections.baileyConnections;
}
