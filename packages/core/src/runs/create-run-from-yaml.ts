import type { PrismaClient } from "@bailey/db";
import type { TeamContext } from "../authz";
import { createRun } from "./create-run";
import { parseYamlRunSpec } from "./run-spec-yaml";

/**
 * A run posted as YAML (Bailey's own fields, or a moat.yaml): created like a JSON one, and
 * every field Bailey does not support yet is returned in `ignored` rather than dropped silently.
 */
export async function createRunFromYaml({ prisma, ctx, yaml, idempotencyKey }: { prisma: PrismaClient; ctx: TeamContext; yaml: string; idempotencyKey?: string }) {
  const parsed = parseYamlRunSpec(yaml);
  const result = await createRun({ prisma, ctx, spec: parsed.spec, specFormat: parsed.format, ...(idempotencyKey ? { idempotencyKey } : {}) });
  return { ...result, ignored: parsed.ignored };
}
