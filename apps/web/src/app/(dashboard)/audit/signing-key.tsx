"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/client";

/**
 * The checkpoint key's public half: an operator copies it somewhere the database's
 * administrators cannot reach, and verifies exports with it (npm run audit:verify).
 */
export function SigningKey() {
  const trpc = useTRPC();
  const key = useQuery(trpc.audit.publicKey.queryOptions());
  if (!key.data) return null;
  if (!key.data.configured) {
    return (
      <p data-testid="audit-public-key" className="text-sm text-amber-700 dark:text-amber-400">
        No audit signing key is configured: checkpoints are not signed. Set BAILEY_AUDIT_SIGNING_KEY_FILE (npm start makes one in its data directory).
      </p>
    );
  }
  return (
    <details data-testid="audit-public-key" className="text-sm">
      <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">
        Checkpoints are signed with ed25519 key <span className="font-mono">{key.data.keyId?.slice(0, 16)}</span>: keep its public key outside this server
      </summary>
      <pre className="mt-2 overflow-x-auto rounded-md bg-zinc-100 p-3 font-mono text-xs dark:bg-zinc-900">{key.data.publicKeyPem}</pre>
      <p className="mt-1 text-zinc-500">
        Verify an export without the database: <code className="font-mono">npm run audit:verify -- bailey-audit.jsonl --public-key audit-signing-key.pub</code> (also at GET /api/v1/audit/public-key).
      </p>
    </details>
  );
}
