import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { createSecureContext, rootCertificates } from "node:tls";

/**
 * How the proxy reaches granted hosts: TLS verified against the system's CAs plus, for tests,
 * the PEM file in BAILEY_EGRESS_EXTRA_CA_FILE. Verification is never turned off: a host whose
 * certificate does not verify gets the run a 502, not a quiet plaintext or unverified fallback.
 * Connections are kept alive, so a run's keep-alive connection to the proxy costs one upstream
 * handshake, not one per request.
 * The CAs go in as one prebuilt secure context, not as `ca`: https.Agent keys its pool by a name
 * that concatenates `ca`, and rebuilding a string of ~150 certificates per request cost 8 ms.
 */
export function createUpstreamAgent(extraCaFile?: string): Agent {
  const ca = [...rootCertificates];
  if (extraCaFile) {
    try {
      ca.push(readFileSync(extraCaFile, "utf8"));
    } catch (error) {
      throw new Error(
        `BAILEY_EGRESS_EXTRA_CA_FILE=${extraCaFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): point it at a PEM file of CA certificates, or unset it`,
      );
    }
  }
  return new Agent({ keepAlive: true, noDelay: true, secureContext: createSecureContext({ ca }), rejectUnauthorized: true, ALPNProtocols: ["http/1.1"], scheduling: "lifo" });
}
