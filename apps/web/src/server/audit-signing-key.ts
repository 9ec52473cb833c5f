import { AppError, type AuditSigningKey, loadAuditSigningKeyFile } from "@bailey/core";
// Relative, not ~/env: the web server (launcher/api-fast-path.ts) loads this module outside Next too.
import { serverEnv } from "../env";

let cached: AuditSigningKey | null | undefined;

/**
 * The audit checkpoint key named by BAILEY_AUDIT_SIGNING_KEY_FILE, read once; null when unset.
 * An unreadable file fails the audit calls that need it with its reason, not every request.
 */
export function auditSigningKey(): AuditSigningKey | null {
  if (cached === undefined) {
    const file = serverEnv().BAILEY_AUDIT_SIGNING_KEY_FILE;
    try {
      cached = file ? loadAuditSigningKeyFile(file) : null;
    } catch (error) {
      throw new AppError("UNAVAILABLE", `Audit signing is misconfigured on the server: ${(error as Error).message}. Fix BAILEY_AUDIT_SIGNING_KEY_FILE and restart.`);
    }
  }
  return cached;
}
