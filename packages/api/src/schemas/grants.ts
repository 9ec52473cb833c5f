import { z } from "zod";
import { grantInjection, grantNamePattern, grantNameRule, hostPatternSource, maxGrantDescriptionLength, maxGrantHosts } from "@bailey/core";
import { cuid, timestamp } from "./json-types";

// Stated as an object for zod's JSON Schema too: the OpenAPI generator says so of a union of objects, and both documents should agree.
const injection = grantInjection.meta({
  type: "object",
  description:
    'How the egress proxy puts the secret\'s value into requests to the hosts: {"kind":"bearer"} (Authorization: Bearer), {"kind":"header","header":"X-Api-Key"}, {"kind":"basic","username":"x-access-token"} (the value is the password) or {"kind":"query","param":"api_key"}',
});
const hosts = z
  .array(hostPatternSource)
  .min(1, "List at least one host the credential goes to")
  .max(maxGrantHosts)
  .describe("Host patterns: api.example.com (any port), *.example.com (subdomains only), 10.0.0.5 or [::1], optionally :port");

/** A grant as any team member sees it: it names a secret and holds no value. */
export const teamGrant = z.object({
  id: cuid,
  name: z.string().describe("What runs name it by: `grants: [name]`"),
  secretName: z.string().describe("The team secret whose value is injected"),
  hosts: z.array(z.string()),
  inject: injection,
  description: z.string().nullable(),
  createdBy: z.object({ id: cuid, email: z.string(), name: z.string().nullable() }).nullable().describe("Who created the grant; null when that account is gone"),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const teamGrantsOutput = z.object({ grants: z.array(teamGrant) });
export const teamGrantOutput = z.object({ grant: teamGrant });

const secretName = z.string().trim().min(1, "Name the team secret whose value the grant injects").max(64);
const description = z.string().max(maxGrantDescriptionLength);

export const createTeamGrantInput = z
  .object({
    name: z.string().trim().regex(grantNamePattern, `Use ${grantNameRule}`),
    secretName,
    hosts,
    inject: injection,
    description: description.optional(),
  })
  .strict();

export const updateTeamGrantInput = z
  .object({
    id: z.string().min(1).max(64),
    secretName: secretName.optional().describe("Another team secret; omit to keep it"),
    hosts: hosts.optional().describe("The new host list (replaces the old one); omit to keep it"),
    inject: injection.optional(),
    description: description.nullable().optional().describe("A new description; omit to keep it, null or empty to clear it"),
  })
  .strict();
