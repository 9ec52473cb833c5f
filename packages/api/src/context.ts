import type { AuditSigningKey, AuthenticatedToken, BlobStore, HostConnections } from "@bailey/core";
import type { PrismaClient } from "@bailey/db";

export interface SessionUser {
  id: string;
  email: string;
}

/** What every procedure starts from; the route handler builds it per request. */
export interface Context {
  prisma: PrismaClient;
  /** The signed-in user (dashboard), or null. */
  user: SessionUser | null;
  /** An API token sent as `Authorization: Bearer`, already authenticated; it acts for its own team. */
  token?: AuthenticatedToken | null;
  /** The team the caller chose to act in; when absent, the team they joined first. */
  teamId?: string | null;
  /** Pooled agent connections, for procedures that reach hosts. */
  connections?: HostConnections;
  /** Where runs' shipped logs and results are kept (they outlive the run on its host). */
  blobs?: BlobStore;
  /** The request's `Idempotency-Key` header: a retried create returns the first result. */
  idempotencyKey?: string;
  /** Builds a host's install command; only the web server knows its URL, key and agent bundle. */
  installCommand?: (input: { token: string; hostName: string }) => string;
  /** The key signing audit checkpoints, kept outside the database; null when none is configured. Loaded on first use. */
  auditSigningKey?: () => AuditSigningKey | null;
}
