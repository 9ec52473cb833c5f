import { z } from "zod";
import { HostStatus } from "@bailey/db";
import { cachedImage } from "./images";
import { cuid, int64, jsonValue, timestamp } from "./json-types";

export const hostStatus = z.enum(HostStatus);

/** A host as the team sees it, with how many runs it carries now. */
export const host = z
  .object({
    id: cuid,
    name: z.string(),
    status: hostStatus,
    statusReason: z.string().nullable(),
    address: z.string(),
    sshPort: z.number().int(),
    sshUser: z.string(),
    hostKeyFingerprint: z.string().nullable(),
    /** The agent's stable identity (agt_...), recorded on first contact; null until then, or for an agent too old to report one. */
    agentId: z.string().nullable(),
    runtimeType: z.string().nullable(),
    agentVersion: z.string().nullable(),
    labels: jsonValue,
    capacityRuns: z.number().int(),
    cpus: z.number().int().nullable(),
    memoryBytes: int64.nullable(),
    hasNetworks: z.boolean(),
    hasSidecars: z.boolean(),
    hasBuilds: z.boolean(),
    hasRunsc: z.boolean(),
    hasWorkspaces: z.boolean().describe("Its agent clones workspaces and collects results (spec.workspace, artifacts, push)"),
    drainedAt: timestamp.nullable(),
    lastSeenAt: timestamp.nullable(),
    /** The images the host's engine has, as its agent last listed them (at cachedImagesAt). */
    cachedImages: z.array(cachedImage),
    cachedImagesAt: timestamp.nullable(),
    createdAt: timestamp,
    activeRuns: z.number().int(),
  })
  .loose();

export const hostOutput = z.object({ host });
export const hostsOutput = z.object({ hosts: z.array(host) });

/** What a change to a host answers with: the host row after it. */
export const changedHost = z.object({ id: cuid, name: z.string(), status: hostStatus, statusReason: z.string().nullable(), drainedAt: timestamp.nullable() }).loose();
export const changedHostOutput = z.object({ host: changedHost });

export const enrollment = z.object({ id: cuid, name: z.string(), expiresAt: timestamp, usedAt: timestamp.nullable(), hostId: z.string().nullable(), createdAt: timestamp }).loose();
export const enrollmentsOutput = z.object({ enrollments: z.array(enrollment) });

export const createdEnrollmentOutput = z.object({
  enrollment: z.object({ id: cuid, name: z.string(), expiresAt: timestamp, createdAt: timestamp }).loose(),
  /** The one-time blye_ token; shown only in this answer. */
  token: z.string(),
  /** The line to run as root on the new host. */
  installCommand: z.string(),
});

export const enrolledHostOutput = z.object({ host: z.object({ id: cuid, name: z.string(), status: hostStatus, statusReason: z.string().nullable(), runtime: z.string().nullable() }) });

export const hostActivityOutput = z.object({ capacityRuns: z.number().int(), samples: z.array(z.object({ at: timestamp, runningRuns: z.number().int() })) });
