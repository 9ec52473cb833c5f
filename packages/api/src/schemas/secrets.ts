import { z } from "zod";
import { maxSecretDescriptionLength, maxSecretValueBytes, secretNamePattern, secretNameRule } from "@bailey/core";
import { cuid, timestamp } from "./json-types";

/**
 * A team secret as anyone may see it: never its value. Not `.loose()`: a field the service
 * returned by mistake is stripped here rather than sent.
 */
export const teamSecret = z.object({
  id: cuid,
  name: z.string().describe("What runs name it by: `secrets: {ENV_NAME: name}` or `secretFiles: [name]`"),
  description: z.string().nullable(),
  createdBy: z.object({ id: cuid, email: z.string(), name: z.string().nullable() }).nullable().describe("Who saved the current value; null when that account is gone"),
  createdAt: timestamp,
  updatedAt: timestamp.describe("When the value or description last changed"),
});

export const teamSecretsOutput = z.object({ secrets: z.array(teamSecret) });

const secretValue = z
  .string()
  .min(1, "Give the secret's value")
  // Characters, not bytes: the service checks the UTF-8 size and says it in bytes.
  .max(maxSecretValueBytes)
  .describe(`Up to ${maxSecretValueBytes / 1024} KiB of UTF-8. Stored encrypted; never returned, not even to admins. Sent to a host only inside run.create over SSH.`);
const secretDescription = z.string().max(maxSecretDescriptionLength);

export const createTeamSecretInput = z
  .object({
    name: z.string().trim().regex(secretNamePattern, `Use ${secretNameRule}`),
    value: secretValue,
    description: secretDescription.optional(),
  })
  .strict();

export const updateTeamSecretInput = z
  .object({
    id: z.string().min(1).max(64),
    value: secretValue.optional().describe("A new value; omit to keep the stored one"),
    description: secretDescription.nullable().optional().describe("A new description; omit to keep it, null or empty to clear it"),
  })
  .strict();

const savedSecret = teamSecret.omit({ createdBy: true });
export const teamSecretOutput = z.object({ secret: savedSecret });
