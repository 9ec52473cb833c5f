import { after } from "next/server";
import { AppError, createRun, createRunFromYaml, listRuns, scheduleNow } from "@bailey/core";
import { hostConnections } from "~/server/connections";
import { db } from "~/server/db";
import { json, readJsonBody, readTextBody, restRoute } from "~/server/rest/route";

export const dynamic = "force-dynamic";

const states = ["queued", "scheduled", "provisioning", "running", "stopping", "succeeded", "failed", "cancelled", "lost"] as const;

const yamlTypes = /^(application\/(x-)?yaml|text\/(x-)?yaml)\b/i;

/** JSON, or YAML (Bailey's fields or a moat.yaml) with Content-Type: application/yaml. */
export const POST = restRoute("runs:write", async ({ ctx, request }) => {
  const idempotencyKey = request.headers.get("idempotency-key") ?? undefined;
  const key = idempotencyKey ? { idempotencyKey } : {};
  const { run, created, ignored } = yamlTypes.test(request.headers.get("content-type") ?? "")
    ? await createRunFromYaml({ prisma: db(), ctx, yaml: await readTextBody(request), ...key })
    : { ...(await createRun({ prisma: db(), ctx, spec: await readJsonBody(request), ...key })), ignored: [] };
  // A free host starts it now; the scheduler's tick picks up whatever this misses.
  if (created) after(() => scheduleNow({ prisma: db(), connections: hostConnections(), runId: run.id }).catch((error) => console.error("[api/v1] schedule-now", error)));
  return json({ run, ignored }, { status: created ? 201 : 200 });
});

export const GET = restRoute("runs:read", async ({ ctx, request }) => {
  const url = new URL(request.url);
  const state = url.searchParams.get("state") ?? undefined;
  if (state && !(states as readonly string[]).includes(state)) throw new AppError("BAD_REQUEST", `state must be one of ${states.join(", ")}.`);
  const limit = Number(url.searchParams.get("limit") ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new AppError("BAD_REQUEST", "limit must be a whole number from 1 to 200.");
  const optional = (name: string, as: string) => {
    const value = url.searchParams.get(name);
    if (value === null || value === "") return {};
    if (value.length > 200) throw new AppError("BAD_REQUEST", `${name} is at most 200 characters.`);
    return { [as]: value };
  };
  return json(await listRuns({ prisma: db(), ctx, limit, ...(state ? { state: state as (typeof states)[number] } : {}), ...optional("cursor", "cursor"), ...optional("host", "hostId"), ...optional("creator", "createdById"), ...optional("q", "text") }));
});
