import { createSecureContext, type SecureContext } from "node:tls";
import type { CertificateAuthority } from "./ca";
import { normalizeHost } from "@bailey/protocol";

/**
 * The TLS context the proxy shows for each granted host: minted on first use, then kept for the
 * proxy's life (a run's grants name a handful of hosts). Concurrent first uses share one mint.
 */
export class LeafCache {
  private readonly contexts = new Map<string, Promise<SecureContext>>();

  constructor(private readonly authority: CertificateAuthority) {}

  secureContextFor(host: string): Promise<SecureContext> {
    const name = normalizeHost(host);
    let context = this.contexts.get(name);
    if (!context) {
      context = this.authority.issueServerCertificate(name).then(({ certPem, keyPem }) => createSecureContext({ cert: certPem, key: keyPem }));
      // A failed mint is not remembered: the next connection tries again.
      context.catch(() => this.contexts.delete(name));
      this.contexts.set(name, context);
    }
    return context;
  }
}
