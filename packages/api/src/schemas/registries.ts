import { z } from "zod";
import { maxRegistryPasswordLength } from "@bailey/core";
import { cuid, timestamp } from "./json-types";

/**
 * A saved credential as anyone may see it: never its password or token. Not `.loose()`: a
 * field the service returned by mistake is stripped here rather than sent.
 */
export const registryCredential = z.object({
  id: cuid,
  registry: z.string().describe("host[:port] the credential is sent to, e.g. ghcr.io or 127.0.0.1:5051 (docker.io for Docker Hub)"),
  username: z.string(),
  createdBy: z.object({ id: cuid, email: z.string(), name: z.string().nullable() }).nullable().describe("Who saved the current secret; null when that account is gone"),
  createdAt: timestamp,
  updatedAt: timestamp.describe("When the secret was last saved (replacing it updates this)"),
  lastUsedAt: timestamp.nullable().describe("When a pull last used it"),
});

export const registryCredentialsOutput = z.object({ credentials: z.array(registryCredential) });

export const saveRegistryCredentialInput = z
  .object({
    registry: z.string().trim().min(1, "Name the registry, e.g. ghcr.io or 127.0.0.1:5051").max(300),
    username: z.string().trim().min(1, "Give the registry username").max(255),
    password: z
      .string()
      .min(1, "Give the password or access token")
      .max(maxRegistryPasswordLength)
      .describe("Stored encrypted; never returned, not even to admins. Sent to a host only inside a pull request over SSH."),
  })
  .strict();

export const savedRegistryCredentialOutput = z.object({
  credential: registryCredential.omit({ createdBy: true }),
  /** false: the team's credential for this registry was replaced. */
  created: z.boolean(),
});

export const removedRegistryCredentialOutput = z.object({ credential: registryCredential.omit({ createdBy: true }) });
